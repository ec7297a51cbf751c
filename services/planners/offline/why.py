"""The "why" line of each stop: one sentence on why this event is in the plan, from the person's own signals,
claiming a match ("your pick", "from your profile") only where the event has one; a wildcard says it is one.
Lines are not repeated across the cards of one answer (`distinct`).

Time, date, venue name and price sit beside the line on the card, so it does not repeat them.
"""

import zlib
from collections.abc import Sequence

from models.catalog import EventPublic
from services.planners.offline.phrases import CATEGORY_KINDS, KIND_PHRASES, VENUE_CHARACTER, VENUE_NOUNS
from services.planners.offline.scoring import Scored
from services.planners.offline.taste import CHEAP, Taste
from services.planning.vocabulary import ALL_GENRES
from services.planning.wish_words import DATE_TAGS, KIDS_TAGS
from services.text import join_words

GENRE_WORDS = {'drum-and-bass': 'drum and bass', 'hip-hop': 'hip-hop', 'rnb': 'R&B', 'uk-garage': 'UK garage'}
ROLES = ('to start with', 'for the middle of the plan', 'to round it off')


def why(scored: Scored, taste: Taste, step: int, *, date: bool = False, kids: bool = False, back: bool = False) -> str:
    """One sentence on why this event is here; `back`: at a venue an earlier stop of the plan is at already."""
    event = scored.event
    parts = [_what_and_match(scored, taste, step)]
    place = _venue_phrase(scored, step, back=back)
    if place:
        parts.append(place)
    if scored.in_neighborhood:
        parts.append(f'in {event.neighborhood}, the area you named')
    tags = set(event.tags) | set(event.venue_tags)
    if date and tags & set(DATE_TAGS):
        parts.append('a good one for a date')
    if kids and tags & set(KIDS_TAGS) and 'family' not in place:  # not "family-friendly ..., made for families"
        parts.append('made for families')
    money = _price_reason(scored, taste)
    return _sentence(', '.join(parts) + (f'; {money}' if money else ''))


def wildcard_why(scored: Scored, taste: Taste) -> str:
    """An event off the person's taste, offered because nothing on taste was there: said plainly."""
    profile = taste.profile or join_words([genre_name(g) for g in taste.named_genres]) or 'your usual'
    return _sentence(f'a wildcard: {_event_kind(scored.event)}, not {profile}, but the best of what is on')


def swap_wildcard_why(scored: Scored, taste: Taste, replaced: str) -> str:
    """A swap's replacement off the person's taste, taken because nothing on taste fits the stop's place: said
    plainly, so the person can undo it or pick another."""
    money = _price_reason(scored, taste)  # a sold-out night of their genre says so ("resale tickets only")
    line = f'a wildcard in place of {replaced}: {_off_taste(scored, taste)}, but nothing closer fits there'
    return _sentence(line + (f'; {money}' if money else ''))


def change_wildcard_why(scored: Scored, taste: Taste, purpose: str) -> str:
    """A change's new stop further from the person's taste than the plan ("cheaper", "earlier"...), taken because
    nothing closer does what they asked: said plainly, so they can undo it."""
    money = _price_reason(scored, taste)  # a sold-out night says so ("resale tickets only")
    return _sentence(f'a wildcard {purpose}: {_off_taste(scored, taste)}' + (f'; {money}' if money else ''))


def _off_taste(scored: Scored, taste: Taste) -> str:
    """'classical and chamber, not Electronic, House': what the event is, and how it stands to the taste."""
    profile = taste.profile or join_words([genre_name(g) for g in taste.named_genres])
    off_genre = scored.event.category in ('music', 'nightlife') and profile and not scored.genre_hits
    off = f'not {profile}' if off_genre else 'a little further from what you asked for than the rest'
    return f'{_event_kind(scored.event)}, {off}'


def distinct(line: str, scored: Scored, step: int, taken: set[str], *, last: bool) -> str:
    """The line, told apart from the lines already on this answer's cards by what is specific to this stop (its
    place in the plan: `step` from 0, `last` for the final stop)."""
    event = scored.event
    stem = line.rstrip('.')
    role = ROLES[2 if last else min(step, 1)]
    options = [
        line,
        f'{stem}, {role}.',
        f'{stem}, in {event.neighborhood}.' if event.neighborhood else '',
        f'{stem}, {role}, in {event.neighborhood}.' if event.neighborhood else '',
        f'{stem}; one more of the kind you like.',
    ]
    chosen = next((o for o in options if o and o not in taken), options[-1])
    taken.add(chosen)
    return chosen


def _sentence(text: str) -> str:
    return f'{text[0].upper()}{text[1:]}.'


def _what_and_match(scored: Scored, taste: Taste, step: int) -> str:
    event = scored.event
    if scored.named in ('event', 'venue'):
        what = _event_kind(event)
        return f'{what}, at the place you named' if scored.named == 'venue' else f'{what}: the one you asked for'
    named = [g for g in scored.genre_hits if g in taste.named_genres]
    shown = [t for t in event.tags if t in scored.genre_hits][:2] or scored.genre_hits[:2]
    if named:
        genres = join_words([genre_name(g) for g in named[:2]])
        in_profile = any(g.replace('-', ' ') in taste.profile.lower().replace('-', ' ') for g in named)
        source = f'your "{taste.profile}" profile' if taste.profile and in_profile else 'what you asked for'
        specific = [t for t in event.tags if t in ALL_GENRES and t not in named][:2]
        if named == ['electronic'] and specific:  # say which kind of electronic, not just the umbrella word
            return f'{join_words([genre_name(g) for g in specific])}: the electronic side of {source}'
        return vary(event, [f'{genres} straight from {source}', f'{genres}, right in line with {source}'])
    if shown:
        like = join_words([genre_name(g) for g in taste.named_genres[:2]]) or 'music you like'
        return f'{join_words([genre_name(g) for g in shown])}, a close cousin of the {like} you listed'
    what, interest = _event_kind(event), event.category
    if interest in what:  # 'a film': saying "for the film you picked" again would stumble
        options = [f'{what}, your {interest} pick', f'{what}: the {interest} part of the plan']
    else:
        options = [
            f'{what} for the {interest} you picked',
            f'{what}, your {interest} pick',
            f'{what} brings {interest} into the plan',
        ]
    return options[(step + stable(event.event_id)) % len(options)]


def _event_kind(event: EventPublic) -> str:
    """'stand-up in English', 'a supper club', 'a cult classic on the big screen'..."""
    tags = set(event.tags)
    kind = next((phrase for tag, phrase in KIND_PHRASES.items() if tag in tags), '')
    if not kind:
        genres = [t for t in event.tags if t in ALL_GENRES][:2]
        kind = join_words([genre_name(g) for g in genres]) or CATEGORY_KINDS[event.category]
    if 'english' in tags and event.category in ('comedy', 'theatre', 'talks', 'film') and 'English' not in kind:
        kind += ' in English'
    return kind


def _venue_phrase(scored: Scored, step: int, *, back: bool = False) -> str:
    described = [VENUE_CHARACTER[t] for t in scored.tag_hits if t in VENUE_CHARACTER]
    if described:
        kind = join_words(list(dict.fromkeys(described))[:2])
        options = [f'in {a(kind)} venue, as you asked', f'{kind} again, as you wanted', f'another {kind} spot']
        if back:  # the same club the next night is not "another underground spot"
            return options[1]
        return options[min(step, 1) * (1 + stable(scored.event.event_id) % 2)]
    character = [t for t in scored.event.venue_tags if t in VENUE_CHARACTER][:2]
    if not character:
        return ''
    return f'in {a(", ".join(VENUE_CHARACTER[t] for t in character))} {_venue_noun(scored.event)}'


def _venue_noun(event: EventPublic) -> str:
    tags = set(event.venue_tags)
    return next((noun for tag, noun in VENUE_NOUNS.items() if tag in tags), 'room')


def _price_reason(scored: Scored, taste: Taste) -> str:
    event = scored.event
    if event.status == 'sold_out':
        return 'sold out, so resale tickets only'
    if event.price is None:
        return ''
    if event.price.max == 0:
        return 'free entry, as you hoped' if taste.free or taste.cheap else 'free entry'
    if taste.cheap and event.price.max <= CHEAP:
        return 'easy on the wallet, as you wanted'
    if taste.budget and event.price.max <= taste.budget / 4:
        return 'leaves most of your budget for the rest'
    return ''


def genre_name(genre: str) -> str:
    return GENRE_WORDS.get(genre, genre.replace('-', ' '))


def vary(event: EventPublic, options: Sequence[str]) -> str:
    return options[stable(event.event_id) % len(options)]


def stable(text: str) -> int:
    """A hash that is the same in every process (str hashes are salted), so wording never wobbles."""
    return zlib.crc32(text.encode())


def a(phrase: str) -> str:
    return f'{"an" if phrase[:1].lower() in "aeiou" else "a"} {phrase}'
