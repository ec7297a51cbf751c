"""The texts of a bundle: its title, its description (the outing's arc) and a "why" line per event.

Texts are built from the real signals (genres, venue tags, prices, places) and vary their wording by a
stable hash of the events, so two bundles never read alike and the same bundle always reads the same.
"""

import itertools
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from models.catalog import EventPublic
from models.generation import Bundle, KeyEvent, TimeWindow
from models.geo import estimate_travel
from services.planners.grounding import estimate_cost, key_event_from
from services.planners.offline.phrases import (
    CATEGORY_NOUNS,
    CATEGORY_TITLES,
    GENRE_TITLES,
    LOUD_GENRES,
    QUIET_GENRES,
    STEP_NOUNS,
    TAG_TITLES,
    VENUE_CHARACTER,
)
from services.planners.offline.scoring import Scored
from services.planners.offline.taste import Taste
from services.planners.offline.why import a, distinct, genre_name, stable, why, wildcard_why
from services.planning.slots import Visit
from services.planning.vocabulary import ALL_GENRES
from services.planning.wish import Wish
from services.text import format_money, join_words
from services.timeframes import describe_span

NIGHT_OUT_ENDS = timedelta(hours=6)  # 00:00-06:00 is the night before, as people count nights out


@dataclass(frozen=True)
class Picked:
    """One stop as the core chose it: the scored event and, for a drop-in, the visit's slot."""

    scored: Scored
    visit: Visit | None = None


@dataclass
class Wording:
    """What every bundle of one answer is written with, and what its bundles said already (titles and why lines
    are not repeated across the cards of one answer)."""

    taste: Taste
    wish: Wish
    window: TimeWindow
    wildcards: frozenset[str] = frozenset()
    titles: list[str] = field(default_factory=list)
    whys: set[str] = field(default_factory=set)


TWO_PARTS_AFTER, NEXT_DAY = timedelta(hours=3), timedelta(hours=10)
WEEK_AWAY = 6  # days: a stop this far from the one before is told by its date, not its weekday alone


def write_bundle(theme_key: str, stops: Sequence[Picked], wording: Wording) -> Bundle:
    """A bundle of `stops`, in time order, about the theme `theme_key` ('tag:underground', 'genre:techno'...)."""
    picks = [stop.scored for stop in stops]
    events = [p.event for p in picks]
    # Title and story tell each stop as the plan is there (a drop-in: its visit), not by its opening hours.
    visited = [as_visited(s.scored.event, (s.visit.start, s.visit.end) if s.visit else None) for s in stops]
    venues = [stop.scored.event.venue for stop in stops]
    key_events = [
        _key_event(stop, step, wording, last=step == len(stops) - 1, back=venues[step] in venues[:step])
        for step, stop in enumerate(stops)
    ]
    lead = max(picks, key=lambda p: p.score).event
    title = _title(theme_key, visited, wording.window, wording.titles)
    wording.titles.append(title)
    return Bundle(
        title=title,
        description=_with_note(_description(theme_key, picks, visited, wording.taste), compact_note(events))
        + two_parts_note(key_events),
        image_url=lead.image_url,
        tags=_bundle_tags(theme_key, picks),
        key_events=key_events,
        estimated_cost=estimate_cost(events),
    )


def _key_event(stop: Picked, step: int, wording: Wording, *, last: bool, back: bool = False) -> KeyEvent:
    event = stop.scored.event
    wildcard = event.event_id in wording.wildcards
    taste, wish = wording.taste, wording.wish
    line = (
        wildcard_why(stop.scored, taste)
        if wildcard
        else why(stop.scored, taste, step, date=wish.date, kids=wish.kids, back=back)
    )
    line = distinct(line, stop.scored, step, wording.whys, last=last)
    visit = (stop.visit.start, stop.visit.end) if stop.visit else None
    return key_event_from(event, line, visit=visit, wildcard=wildcard)


def _with_note(description: str, note: str) -> str:
    """The compactness note, when the description leaves room for one more sentence (three at most)."""
    sentences = len(re.findall(r'[.!?](?:\s|$)', description))
    return description + note if note and sentences < 3 else description


def two_parts_note(key_events: Sequence[KeyEvent]) -> str:
    """Says so when the plan comes in two parts: over 3 hours between two stops of one day."""
    for before, after in itertools.pairwise(key_events):
        gap = after.attended_from - before.attended_until
        if TWO_PARTS_AFTER < gap < NEXT_DAY:
            hours = round(gap.total_seconds() / 3600)
            return f' It comes in two parts, with about {hours} hours free after {before.title}.'
    return ''


def compact_note(events: Sequence[EventPublic]) -> str:
    """Says so when the plan is compact: one neighbourhood, or a short walk between two stops."""
    areas = {e.neighborhood for e in events}
    if len(events) >= 2 and len(areas) == 1 and next(iter(areas)):
        return f' All within {next(iter(areas))}.'
    if len(events) == 2:
        travel = estimate_travel(events[0].lat, events[0].lon, events[1].lat, events[1].lon)
        if travel is not None and travel.mode == 'walk' and travel.meters >= 50:
            return f' A {travel.minutes}-minute walk between the two.'
    return ''


def _title(theme_key: str, events: Sequence[EventPublic], window: TimeWindow, taken: Sequence[str]) -> str:
    """The first fitting title whose name no other bundle has; it says when, if the window leaves that open."""
    first, last = events[0].starts_at, events[-1].starts_at
    # Titles name a theme; the days go on their own line in the card. Dates only tell apart two
    # bundles that would otherwise share a name.
    if _night_of(first).date() != _night_of(last).date():
        suffix = f', {describe_span(_night_of(first), _night_of(last))}'
    else:
        suffix = f', {_day(first)}'
    options = list(dict.fromkeys([*_theme_titles(theme_key, events), *_content_titles(events), 'Best of the Listings']))
    names_taken = [title for title in taken if any(title.startswith(option) for option in options)]
    for option in options:  # a name of its own first, then a name told apart only by its dates
        if not any(title == option or title.startswith(f'{option}, ') for title in names_taken):
            return option
    for option in options:
        if f'{option}{suffix}' not in taken:
            return f'{option}{suffix}'
    return f'{options[0]}, {_day(first)} {first:%H:%M}'


def _theme_titles(theme_key: str, events: Sequence[EventPublic]) -> list[str]:
    """What the theme itself is called, when the theme says something true about every event."""
    kind, _, value = theme_key.partition(':')
    occasion = _occasion(events)
    match kind:
        case 'tag':
            return [TAG_TITLES.get(value, value.replace('-', ' ').title()).format(occasion=occasion)]
        case 'genre':
            return [_genre_title(value, occasion)]
        case 'price':
            return ['Free & Easy']
        case 'area':
            return [f'Around {value}']
        case 'category' if value in ('music', 'nightlife'):
            return []  # named by what it sounds like (below), never a loud title for a quiet evening
        case 'category':
            return [CATEGORY_TITLES[value]]
    return []


def _content_titles(events: Sequence[EventPublic]) -> list[str]:
    """Titles read off the events: their shared genre, their mood, then the arc from first to last stop."""
    titles = []
    genre = _dominant_genre(events)
    if genre:
        titles.append(_genre_title(genre, _occasion(events)))
    sounds = [{t for t in e.tags if t in ALL_GENRES} for e in events]
    if {e.category for e in events} <= {'music', 'nightlife'} and all(sounds):
        if all(genres <= QUIET_GENRES for genres in sounds):
            titles.append('Quiet Music, Close Up')
        elif all(genres & LOUD_GENRES for genres in sounds):
            titles.append('Live & Loud' if all(e.category == 'music' for e in events) else 'Loud Till Late')
        elif events[-1].category == 'nightlife':
            titles.append('Night Moves')
    first, last = _step_noun(events[0]), _step_noun(events[-1])
    titles.append(f'From {first} to {last}' if first != last else f'{first} Double Bill')
    return titles


def _dominant_genre(events: Sequence[EventPublic]) -> str:
    counts = Counter(t for e in events for t in dict.fromkeys(e.tags) if t in ALL_GENRES and t != 'electronic')
    if not counts:
        return ''
    genre, count = min(counts.items(), key=lambda item: (-item[1], item[0]))
    return genre if count * 2 > len(events) else ''


def _genre_title(genre: str, occasion: str) -> str:
    return GENRE_TITLES.get(genre, f'{genre.replace("-", " ").title()} {{occasion}}').format(occasion=occasion)


def _step_noun(event: EventPublic) -> str:
    """What a step is, in a word or two for a title: 'Supper Club', 'Late Film', 'Techno'."""
    tags = set(event.tags)
    noun = next((noun for tag, noun in STEP_NOUNS.items() if tag in tags), '')
    return noun or CATEGORY_NOUNS[event.category]


def _occasion(events: Sequence[EventPublic]) -> str:
    days = {_night_of(e.starts_at).date() for e in events}  # a bar from midnight is still that night
    if len(days) > 1:
        return 'Weekend' if all(d.weekday() >= 4 for d in days) else 'Days'
    first = events[0].starts_at
    return 'Night' if first.hour >= 17 or _small_hours(first) else 'Day'


def _description(theme_key: str, picks: Sequence[Scored], visited: Sequence[EventPublic], taste: Taste) -> str:
    """The evening's arc in two or three sentences: where it starts, how it moves, what ties it together."""
    return f'{describe_route(visited)} {_flavour(theme_key, picks, taste)}'.strip()


def as_visited(event: EventPublic, visit: tuple[datetime, datetime] | None) -> EventPublic:
    """The event as the plan is there: a drop-in at its slot. A story tells the visit ("The evening begins with
    the beer garden" for a 21:30 visit to one open from noon), not the opening hours."""
    if visit is None:
        return event
    return event.model_copy(
        update={
            'starts_at': visit[0].astimezone(event.starts_at.tzinfo),
            'ends_at': visit[1].astimezone(event.starts_at.tzinfo),
        }
    )


def describe_route(events: Sequence[EventPublic], *, named: Collection[str] = ()) -> str:
    """Where the plan starts and how it moves from stop to stop, in two sentences, from its events alone
    (a refined bundle is described anew from them). A middle stop is named by its venue, or by its title
    too when its id is in `named` (a refinement's new events: the story must say what came in)."""
    first = events[0]
    seed = stable(''.join(e.event_id for e in events))
    opening = [
        f'{_daypart(first).capitalize()} begins with {first.title} at {first.venue}{_in_area(first)}.',
        f'Start with {first.title} at {first.venue}{_in_area(first)}.',
        f'First stop: {first.title} at {first.venue}{_in_area(first)}.',
    ][seed % 3]
    middle = [_step(events, i, named) for i in range(1, len(events) - 1)]
    ending = _ending(events, seed)
    route = f'{", ".join(middle)}, and {ending}' if middle else ending
    return f'{opening} {route[0].upper()}{route[1:]}.'


def _step(events: Sequence[EventPublic], i: int, named: Collection[str]) -> str:
    """The way to a middle stop and the stop: 'a short walk to Kino Bambi'; staying on at one venue names what
    comes next there ('stay on for Cinema: Fallen Leaves'), not the venue again."""
    before, event = events[i - 1], events[i]
    if _stays(before, event):
        return f'{_stay_on(events, i)} {event.title}'
    return _move(before, event) + (f' {event.title} at {event.venue}' if event.event_id in named else f' {event.venue}')


def _stays(a: EventPublic, b: EventPublic) -> bool:
    """The next stop at the same venue, right after: the person stays on."""
    return a.venue == b.venue and not _later(a, b)


def _stay_on(events: Sequence[EventPublic], i: int) -> str:
    """How staying on for stop `i` reads: 'stay on for', or 'then' when the stop before was a stay too."""
    return 'then' if i > 1 and _stays(events[i - 2], events[i - 1]) else 'stay on for'


def _move(a: EventPublic, b: EventPublic) -> str:
    """How the plan gets from one step to the next, when it does not stay on (`_stays`): walk, cross town, come back
    later that day (a morning run, then a late show) or another day."""
    when = _later(a, b)
    if a.venue == b.venue:
        return f'back {when} to'
    if when:
        return f'{when}, on to'
    if a.neighborhood and a.neighborhood == b.neighborhood:
        return 'a short walk to'
    return f'then over to {b.neighborhood} for' if b.neighborhood else 'then on to'


def _when(a: EventPublic, b: EventPublic) -> str:
    night, first = _night_of(b.starts_at), _night_of(a.starts_at)
    if night.date() == first.date():
        return 'later that night' if _small_hours(b.starts_at) else 'later that day'
    if (night.date() - first.date()).days >= WEEK_AWAY:  # "on Thursday" would read as the nearer one
        return f'on {night:%A} {night.day} {night:%b}'
    return f'on {night:%A}'


def _later(a: EventPublic, b: EventPublic) -> str:
    """When `b` comes after a break from `a` ('later that day', 'on Tuesday'), or '' when it follows on. Over 3 hours
    free, it comes back later that day, or on another day: a club until 06:00 and a record shop at 16:00 are
    Friday's night and Saturday's afternoon, not "a short walk" apart."""
    return _when(a, b) if b.starts_at - a.ends_at > TWO_PARTS_AFTER else ''


def _ending(events: Sequence[EventPublic], seed: int) -> str:
    before, last = events[-2], events[-1]
    closing = _closing(last)
    if _stays(before, last):  # at the same venue as the stop before: what comes on, not the venue a third time
        return f'{_stay_on(events, len(events) - 1)} {last.title}, which {closing}'
    later = _later(before, last)  # every way of ending says when the last stop is, if not right after
    # 'on to Improhaus Late Show: the roast battle, which rounds off the night' (a title that starts with its venue
    # is the place too); else 'on to Kontor, where Acid Lines carries it into the small hours'.
    where = f'{last.title}, which' if last.title.startswith(last.venue) else f'{last.venue}, where {last.title}'
    options = [
        f'{_move(before, last)} {where} {closing}',
        f'{later}, {last.title} at {last.venue} {closing}' if later else f'{last.title} at {last.venue} {closing}',
        f'it ends {later} with {last.title} at {last.venue}' if later else f'it ends with {last.title} at {last.venue}',
    ]
    return options[seed % len(options)]


def _closing(event: EventPublic) -> str:
    """How the last step ends the outing: a club night runs on, an evening show rounds it off."""
    if event.ends_at.date() > event.starts_at.date() and event.ends_at.hour >= 3:
        return 'runs on past sunrise' if event.ends_at.hour >= 7 else 'carries it into the small hours'
    late = event.starts_at.hour >= 18 or _small_hours(event.starts_at)  # a bar visited from midnight too
    return 'rounds off the night' if late else 'rounds off the day'


def _flavour(theme_key: str, picks: Sequence[Scored], taste: Taste) -> str:
    """The one thing that ties the bundle to what was asked: a sound, a kind of venue, a price."""
    tagged = [p for p in picks if p.tag_hits]
    if tagged and taste.wanted_tags:
        hits = [t for t in taste.wanted_tags if any(t in p.tag_hits for p in tagged)][:2]
        where = join_words(list(dict.fromkeys(VENUE_CHARACTER.get(t, t.replace('-', ' ')) for t in hits)))
        if len(tagged) == len(picks):
            share = 'Every stop is'
        else:
            share = f'{len(tagged)} of {len(picks)} stops {"is" if len(tagged) == 1 else "are"}'
        return f'{share} at {_a_or_plain(where, len(tagged))} venue{"s" if len(tagged) > 1 else ""}, as you asked.'
    genres = Counter(g for p in picks for g in p.genre_hits if g != 'electronic')
    if genres:
        return f'Mostly {join_words([genre_name(g) for g, _ in genres.most_common(2)])}.'
    cost = estimate_cost(p.event for p in picks)
    if cost is not None and cost.max == 0:
        return 'All of it free.'
    if taste.budget is not None and cost is not None:
        return f'It stays within your {format_money(taste.budget, taste.budget, cost.currency)} budget.'
    areas = {p.event.neighborhood for p in picks}
    if len(areas) == 1 and not theme_key.startswith('area:'):
        return f'All of it in {next(iter(areas))}, no trains needed.'
    return ''


def _a_or_plain(phrase: str, count: int) -> str:
    return a(phrase) if count == 1 else phrase


def _daypart(event: EventPublic) -> str:
    hour = event.starts_at.hour
    if _small_hours(event.starts_at) or hour >= 22:
        return 'the night'
    return 'the morning' if hour < 12 else 'the afternoon' if hour < 17 else 'the evening'


def _in_area(event: EventPublic) -> str:
    return f' in {event.neighborhood}' if event.neighborhood else ''


def _bundle_tags(theme_key: str, picks: Sequence[Scored]) -> list[str]:
    kind, _, value = theme_key.partition(':')
    tags = [value] if kind in ('tag', 'genre') else [value.lower()] if kind in ('category', 'area') else []
    genres = Counter(g for p in picks for g in (p.genre_hits or [t for t in p.event.tags if t in ALL_GENRES]))
    tags.extend(g for g, _ in genres.most_common(3))
    if any(p.event.ends_at.hour < 9 and p.event.ends_at.date() > p.event.starts_at.date() for p in picks):
        tags.append('late')
    if all(p.event.price is not None and p.event.price.max == 0 for p in picks):
        tags.append('free')
    return list(dict.fromkeys(t for t in tags if t))[:5]


def _night_of(moment: datetime) -> datetime:
    """The evening a moment belongs to: 01:00 on Saturday is still Friday night (a bar visited from midnight too)."""
    return moment - NIGHT_OUT_ENDS


def _small_hours(moment: datetime) -> bool:
    return moment.hour < NIGHT_OUT_ENDS.seconds // 3600


def _day(moment: datetime) -> str:
    return f'{moment:%a} {moment.day} {moment:%b}'
