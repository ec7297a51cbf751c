"""Reading the preferences: the music profile as weighted genres, the free text as wanted and unwanted tags
and price words (`read_taste`)."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from models.generation import Preferences
from services.catalog import search_text
from services.catalog.queries import Favour
from services.planning.vocabulary import ALL_GENRES, GENRE_ALIASES, GENRE_FAMILIES, TAG_SIGNALS
from services.planning.wish import Wish, fold, genres_in
from services.planning.wish_words import ANYTHING_BUT, FILLER, NAME_NEGATION

TEXT_WORDS_FAVOURED = 12  # each is one more LIKE over the window's rows when a read is capped
# Words of how people ask, never of what they name: not worth a LIKE over every row.
REQUEST_WORDS = frozenset({
    'include', 'including', 'nothing', 'place', 'places', 'pricey', 'expensive', 'cheap', 'free', 'only', 'near',
    'after', 'before', 'early', 'late', 'tonight', 'tomorrow', 'without', 'avoid', 'except', 'please', 'thanks',
})  # fmt: skip
CHEAP = 20.0  # what "cheap" / "nothing too pricey" means for one ticket, in the city's currency
CHEAP_WORDS = re.compile(
    r'\b(cheap|budget|affordable|inexpensive|low cost|student|broke|too pricey|too expensive|not expensive)\b'
)
FREE_WORDS = re.compile(r'\bfree\b(?! (time|day|days|evening|evenings|afternoon|night|nights|to|weekend))')
NEGATION = re.compile(r'\b(?:no|not|avoid|without|except|hate|skip)\s+([a-z][a-z -]*?)(?:$|[,.;!]| and | or | but )')


@dataclass(frozen=True)
class Taste:
    """What the preferences ask for, read once: weights per genre, wanted and unwanted tags, price words."""

    interests: tuple[str, ...]
    genres: dict[str, float]  # event tag -> weight (1.0 named, 0.6 same family)
    named_genres: tuple[str, ...]  # as the person put them, canonical: ('electronic', 'house')
    profile: str
    wanted_tags: tuple[str, ...]
    unwanted: frozenset[str]
    cheap: bool
    free: bool
    text: str  # the free text, normalized and space-padded: neighbourhood names are looked up in it
    budget: float | None


def read_taste(preferences: Preferences) -> Taste:
    profile = preferences.music_profile or ''
    text = search_text.normalize_words(preferences.other_preferences or '')
    raw_text = (preferences.other_preferences or '').lower()
    unwanted = _unwanted(raw_text)
    named = [g for g in _genre_words(profile) if g not in unwanted]
    named += [g for g in _genre_words(text) if g not in named and g not in unwanted and g in ALL_GENRES]
    return Taste(
        interests=tuple(preferences.interests),
        genres=_genre_weights(named),
        named_genres=tuple(named),
        profile=profile.strip(),
        wanted_tags=_wanted_tags(text, unwanted),
        unwanted=frozenset(unwanted),
        cheap=bool(CHEAP_WORDS.search(text)),
        free=bool(FREE_WORDS.search(text)),
        text=f' {text} ',
        budget=preferences.budget,
    )


def with_wish(taste: Taste, wish: Wish) -> Taste:
    """The taste with what the wish reader found beyond it (the character a date asks for: cosy, candlelit...)
    and without what it found is no wish: a genre word inside a title named outright ('Please include Jazz
    Session: Jakob Yilmaz' names one jazz night, not jazz)."""
    tags = tuple(dict.fromkeys([*taste.wanted_tags, *wish.wanted_tags]))
    profile = _genre_words(taste.profile)
    named = tuple(g for g in taste.named_genres if g in profile or g in wish.genres)
    text = taste.text
    for name in wish.avoid_names:  # turned down by name ("anything but Improhaus"): not named outright
        text = text.replace(f' {search_text.normalize_words(name)} ', ' ')
    return replace(
        taste,
        genres=_genre_weights(named),
        named_genres=named,
        wanted_tags=tags,
        cheap=taste.cheap or wish.cheap,
        free=taste.free or wish.free,
        text=text,
    )


def favour_of(taste: Taste, areas: Sequence[str]) -> Favour:
    """What makes an event likelier to fit, weighted roughly as scoring weighs it (a genre of the profile, a kind
    of place asked for, the person's own words, an area they named): which events a capped read takes first."""
    favour = {search_text.normalize_words(genre): 3.0 * weight for genre, weight in taste.genres.items()}
    for tag in taste.wanted_tags:
        words = search_text.normalize_words(tag)
        favour[words] = max(favour.get(words, 0.0), 2.0)
    text = f' {fold(taste.text)} '
    named = [area for area in areas if f' {fold(area)} ' in text]
    # The person's own words, one point each: an event or venue named outright ("please include Jazz Session:
    # Zeynep Aydin", "anything but Improhaus": the wish reader must see it to keep it out) shares most of them. The
    # longest are the rarest; a few suffice. Not a word turned down as a genre, nor an area's (no event's text
    # holds its area: a LIKE for nothing).
    area_words = {word for area in named for word in search_text.normalize_words(area).split()}
    said = {w for w in taste.text.split() if len(w) >= 4 and w not in FILLER and w not in REQUEST_WORDS}
    said -= taste.unwanted | area_words | favour.keys()
    favour.update((word, 1.0) for word in sorted(said, key=lambda word: (len(word), word))[-TEXT_WORDS_FAVOURED:])
    wanted_areas = frozenset(area for area in named if not _turned_down(text, f' {fold(area)} '))
    return Favour(words={w: weight for w, weight in favour.items() if w}, areas=wanted_areas)


def _turned_down(text: str, name: str) -> bool:
    """Whether `name` (padded, folded) follows a negation in `text` ("anything but Kreuzberg", "not in Mitte")."""
    before = re.sub(ANYTHING_BUT, 'not', text[: text.index(name) + 1])
    return re.search(NAME_NEGATION, before) is not None


def _genre_words(text: str) -> list[str]:
    """'Electronic, House / Hip Hop' -> ['electronic', 'house', 'hip-hop'] (canonical, in order); inside a
    sentence too: 'I would love some hip hop' -> ['hip-hop'], 'drum and bass tonight' -> ['drum-and-bass']."""
    lowered = text.lower()
    for alias, genre in GENRE_ALIASES.items():  # 'drum and bass' must survive the split on ' and '
        if ' and ' in alias:
            lowered = lowered.replace(alias, genre)
    words: list[str] = []
    for part in re.split(r'[,;/&+]| and ', lowered):
        phrase = search_text.normalize_words(part)
        if not phrase:
            continue
        whole = GENRE_ALIASES.get(phrase, phrase.replace(' ', '-'))
        candidates = [whole] if whole in ALL_GENRES else genres_in(phrase.split())
        words.extend(c for c in candidates if c not in words)
    return words


def _genre_weights(named: Sequence[str]) -> dict[str, float]:
    weights: dict[str, float] = {}
    for genre in named:
        for member in GENRE_FAMILIES.get(genre, (genre,)):
            weights[member] = max(weights.get(member, 0), 0.6)
    for genre in named:
        weights[genre] = 1.0
    return weights


def _wanted_tags(text: str, unwanted: set[str]) -> tuple[str, ...]:
    padded = f' {text} '
    tags: list[str] = []
    for phrase, phrase_tags in TAG_SIGNALS.items():
        if f' {phrase} ' in padded and phrase not in unwanted:
            tags.extend(t for t in phrase_tags if t not in tags)
    return tuple(tags)


def _unwanted(raw_text: str) -> set[str]:
    """'no techno, not too loud' -> {'techno', 'too loud'} (canonical genre names included)."""
    found: set[str] = set()
    for match in NEGATION.finditer(raw_text):
        phrase = search_text.normalize_words(match.group(1))
        found.add(phrase)
        found.update(_genre_words(phrase))
    return found
