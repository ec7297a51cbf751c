"""The wish: one typed reading of what a person asked for (docs/ARCHITECTURE.md, wishes and fit).

`read_wish` reads the form (interests, music profile, budget) and the free text with the vocabulary of
`wish_words`, and returns a `Wish`: the items understood, each with its kind, whether it is hard (kept by
every event, or declined in words) or soft (weighs in the score), and the words it was read from; the parts
of the free text it could not read; and the same facts as fields the planning core filters and scores with.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from models.catalog import EventPublic
from models.generation import Preferences
from services.planning import wish_words as words
from services.planning.vocabulary import ALL_GENRES, GENRE_ALIASES, GENRE_FAMILIES, TAG_SIGNALS

KINDS = ('interest', 'taste', 'place', 'time_of_day', 'company', 'money', 'language', 'access', 'avoid', 'named')
DAY_STARTS, DAY_ENDS = time(8, 0), time(19, 0)  # "daytime only"
EVENING_STARTS = time(17, 0)  # "evenings only"
KIDS_CURFEW = time(20, 0)  # with kids, nothing that ends later
_FOLD = str.maketrans({'ä': 'ae', 'ö': 'oe', 'ü': 'ue', 'ß': 'ss', '-': ' '})


@dataclass(frozen=True)
class WishItem:
    kind: str  # one of KINDS
    value: str  # what it means, in the app's words: 'daytime only', 'Spandau', 'electronic'
    hard: bool
    text: str  # the person's own words it was read from ('form' for the form's fields)

    def public(self) -> dict[str, Any]:
        return {'kind': self.kind, 'value': self.value, 'hard': self.hard, 'text': self.text}


@dataclass(frozen=True)
class Wish:
    """What was asked, read once. The planning core uses the fields; people see `items` and `not_understood`."""

    items: tuple[WishItem, ...] = ()
    not_understood: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    genres: tuple[str, ...] = ()  # named genres, canonical, in the order given
    only_areas: tuple[str, ...] = ()  # hard: every event in one of these neighbourhoods
    near_areas: tuple[str, ...] = ()  # soft: the nearer the better
    earliest: time | None = None  # hard: nothing starts before
    latest: time | None = None  # hard: everything ends by (the same evening)
    own_latest: time | None = None  # the time wishes' own limit, without the children's bedtime that `latest` holds
    early: bool = False  # soft
    late: bool = False  # soft
    kids: bool = False  # hard: family-friendly, daytime or early evening
    date: bool = False  # soft: romantic places
    group: bool = False  # soft: places for a group
    cheap: bool = False  # soft
    free: bool = False  # soft
    free_only: bool = False  # hard
    budget: float | None = None  # hard, from the form
    english: bool = False  # soft
    step_free: bool = False  # hard
    avoid_categories: frozenset[str] = frozenset()
    avoid_tags: frozenset[str] = frozenset()
    avoid_names: tuple[str, ...] = ()  # hard: titles and venues the free text turns down by name
    wanted_tags: tuple[str, ...] = ()  # soft: venue and event character ('underground', 'rooftop')

    def public(self) -> dict[str, Any]:
        """The reading as the API returns it (`understood`, `notUnderstood`)."""
        return {'understood': [i.public() for i in self.items], 'notUnderstood': list(self.not_understood)}

    @property
    def hard_items(self) -> tuple[WishItem, ...]:
        return tuple(i for i in self.items if i.hard and i.kind != 'interest')


@dataclass
class _Reading:
    """The free text while it is read: each clause, and whether something in it was understood."""

    clauses: list[str]
    used: list[bool]
    items: list[WishItem] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)

    def find(self, pattern: str) -> list[tuple[int, re.Match[str]]]:
        found = []
        for index, clause in enumerate(self.clauses):
            for match in re.finditer(pattern, clause):
                found.append((index, match))
        return found

    def add(self, index: int, kind: str, value: str, *, hard: bool, text: str) -> None:
        self.used[index] = True
        if not any(i.kind == kind and i.value == value for i in self.items):
            self.items.append(WishItem(kind, value, hard, text.strip()))


def read_wish(
    *,
    interests: tuple[str, ...] | list[str],
    music_profile: str | None,
    other_preferences: str | None,
    budget: float | None,
    areas: tuple[str, ...] | list[str] = (),
    names: tuple[str, ...] | list[str] = (),
) -> Wish:
    """The wish in the form and the free text. `areas` are the city's neighbourhood names (place wishes);
    `names` the titles and venues of the catalog's events in the window (a wish may name one outright)."""
    text = re.sub(words.ANYTHING_BUT, 'not', fold(other_preferences or ''))
    reading = _Reading(clauses=_clauses(text), used=[])
    reading.used = [False] * len(reading.clauses)
    items = [WishItem('interest', i, True, 'form') for i in interests]
    genres = _genres(fold(music_profile or ''))
    items += [WishItem('taste', g, False, 'form') for g in genres]
    if budget is not None:
        items.append(WishItem('money', f'up to {budget:g} per plan', True, 'form'))
    _read_names(reading, names)  # first: words inside a title ('Fotohaus After Work') are not wishes
    _read_time(reading)
    _read_company(reading)
    _read_money(reading)
    _read_language_and_access(reading)
    _read_avoid(reading)
    _read_places(reading, areas)
    text_genres = [g for g in _read_genres(reading) if g not in genres and g not in reading.values.get('avoid', ())]
    _read_character(reading)
    values = reading.values
    return Wish(
        items=tuple(items + reading.items),
        not_understood=tuple(_unread(reading)),
        interests=tuple(interests),
        genres=tuple(genres + text_genres),
        only_areas=tuple(values.get('only', ())),
        near_areas=tuple(values.get('near', ())),
        earliest=values.get('earliest'),
        latest=values.get('latest'),
        own_latest=values.get('own_latest', values.get('latest')),
        early=values.get('early', False),
        late=values.get('late', False),
        kids=values.get('kids', False),
        date=values.get('date', False),
        group=values.get('group', False),
        cheap=values.get('cheap', False),
        free=values.get('free', False),
        free_only=values.get('free_only', False),
        budget=budget,
        english=values.get('english', False),
        step_free=values.get('step_free', False),
        avoid_categories=frozenset(values.get('avoid_categories', ())),
        avoid_tags=frozenset(values.get('avoid_tags', ())),
        avoid_names=tuple(values.get('avoid_names', ())),
        wanted_tags=tuple(values.get('tags', ())),
    )


def read_preferences(preferences: Preferences, *, areas: Sequence[str], events: Sequence[EventPublic]) -> Wish:
    """The wish of a generation's preferences, with the city's neighbourhoods and the window's events at hand."""
    names = [name for e in events for name in (e.title, e.venue)]
    return read_wish(
        interests=preferences.interests,
        music_profile=preferences.music_profile,
        other_preferences=preferences.other_preferences,
        budget=preferences.budget,
        areas=areas,
        names=names,
    )


def fold(text: str) -> str:
    """Lower case, umlauts folded, hyphens as spaces, single spaces."""
    return ' '.join(text.lower().translate(_FOLD).split())


def _clauses(text: str) -> list[str]:
    parts = re.split(r'[,;.!?\n]+| but | aber ', text)
    return [p.strip() for p in parts if p.strip()]


def _read_time(reading: _Reading) -> None:
    for index, match in reading.find(words.DAYTIME):
        reading.values['earliest'], reading.values['latest'] = DAY_STARTS, DAY_ENDS
        reading.add(index, 'time_of_day', 'daytime only', hard=True, text=match.group(0))
    for index, match in reading.find(words.EVENING_ONLY):
        reading.values['earliest'] = EVENING_STARTS
        reading.add(index, 'time_of_day', 'evenings only', hard=True, text=match.group(0))
    for index, match in reading.find(words.CURFEW):
        curfew = _clock_time(match)
        if curfew is None:
            continue
        latest = reading.values.get('latest')
        reading.values['latest'] = curfew if latest is None else min(latest, curfew)
        reading.add(index, 'time_of_day', f'nothing after {curfew:%H:%M}', hard=True, text=match.group(0))
    for index, match in reading.find(words.EARLY):
        reading.values['early'] = True
        reading.add(index, 'time_of_day', 'early', hard=False, text=match.group(0))
    if not reading.values.get('early') and 'latest' not in reading.values:
        for index, match in reading.find(words.LATE):
            reading.values['late'] = True
            reading.add(index, 'time_of_day', 'late', hard=False, text=match.group(0))


def _clock_time(match: re.Match[str]) -> time | None:
    for n in (1, 2, 3):
        hour = match.group(f'h{n}')
        if hour is None:
            continue
        hour_value, minute = int(hour), int(match.group(f'm{n}') or 0)
        suffix = match.group(f's{n}')
        if suffix == 'pm' and hour_value < 12:
            hour_value += 12
        elif suffix is None and 1 <= hour_value <= 11:
            hour_value += 12  # "nothing after 10": an evening curfew
        if hour_value > 23 or minute > 59:
            return None
        return time(hour_value, minute)
    return None


def _read_company(reading: _Reading) -> None:
    for index, match in reading.find(words.KIDS):
        reading.values['kids'] = True
        latest = reading.values.get('latest')
        reading.values.setdefault('own_latest', latest)  # the person's own limit, before the children's bedtime
        reading.values['latest'] = KIDS_CURFEW if latest is None else min(latest, KIDS_CURFEW)
        reading.add(index, 'company', 'with kids', hard=True, text=match.group(0))
    for index, match in reading.find(words.DATE):
        reading.values['date'] = True
        reading.add(index, 'company', 'a date', hard=False, text=match.group(0))
    for index, match in reading.find(words.GROUP):
        reading.values['group'] = True
        reading.add(index, 'company', 'a group', hard=False, text=match.group(0))


def _read_money(reading: _Reading) -> None:
    for index, match in reading.find(words.FREE_ONLY):
        reading.values['free_only'] = reading.values['free'] = True
        reading.add(index, 'money', 'free only', hard=True, text=match.group(0))
    if not reading.values.get('free_only'):
        for index, match in reading.find(words.FREE):
            reading.values['free'] = True
            reading.add(index, 'money', 'free if possible', hard=False, text=match.group(0))
    for index, match in reading.find(words.CHEAP):
        reading.values['cheap'] = True
        reading.add(index, 'money', 'cheap', hard=False, text=match.group(0))


def _read_language_and_access(reading: _Reading) -> None:
    for index, match in reading.find(words.ENGLISH):
        reading.values['english'] = True
        reading.add(index, 'language', 'in English', hard=False, text=match.group(0))
    for index, match in reading.find(words.STEP_FREE):
        reading.values['step_free'] = True
        reading.add(index, 'access', 'step-free', hard=True, text=match.group(0))


def _read_avoid(reading: _Reading) -> None:
    categories: set[str] = set()
    tags: set[str] = set()
    avoided: set[str] = set()
    for index, match in reading.find(words.NEGATION):
        what = match.group('what').strip()
        if re.match(r'(?:after|past|later|nights?|evenings?|german|stairs|steps|money)\b', what):
            continue  # a curfew, daytime, English or access wish, read above
        what = re.sub(r'^(?:too|more|any|real|big)\s+', '', what)
        found_categories = words.AVOID_CATEGORIES.get(what, ())
        genre = GENRE_ALIASES.get(what, what.replace(' ', '-'))
        found_tags = words.AVOID_TAGS.get(what) or (GENRE_FAMILIES.get(genre) if genre in ALL_GENRES else None) or ()
        if genre in ALL_GENRES:
            found_tags = (*found_tags, genre)
            avoided.add(genre)
        if not found_categories and not found_tags:
            continue
        categories.update(found_categories)
        tags.update(found_tags)
        reading.add(index, 'avoid', f'no {what}', hard=True, text=match.group(0))
    reading.values['avoid_categories'] = categories
    reading.values['avoid_tags'] = tags
    reading.values['avoid'] = avoided


def _read_places(reading: _Reading, areas: tuple[str, ...] | list[str]) -> None:
    only: list[str] = []
    near: list[str] = []
    for area in sorted(areas, key=len, reverse=True):  # 'Prenzlauer Berg' before 'Berg'
        name = re.escape(fold(area))
        for index, clause in enumerate(reading.clauses):
            hard = re.search(f'{words.ONLY_BEFORE}{name}\\b|\\b{name}{words.ONLY_AFTER}', clause)
            soft = re.search(f'\\b{name}\\b', clause)
            if hard:
                only.append(area)
                reading.add(index, 'place', f'only {area}', hard=True, text=hard.group(0))
            elif soft:
                near.append(area)
                reading.add(index, 'place', f'near {area}', hard=False, text=soft.group(0))
    reading.values['only'] = list(dict.fromkeys(only))
    reading.values['near'] = [a for a in dict.fromkeys(near) if a not in only]


def _read_names(reading: _Reading, names: tuple[str, ...] | list[str]) -> None:
    """Titles and venues named outright, longest first; each is then taken out of its clause, so the words of a
    name are not read again as a wish of their own."""
    for name in sorted(set(names), key=len, reverse=True):
        folded = fold(name)
        if len(folded) < 4:
            continue
        for index, clause in enumerate(reading.clauses):
            if f' {folded} ' in f' {clause} ' or (':' in folded and folded in clause):
                negation = re.search(words.NAME_NEGATION, clause[: clause.index(folded)])
                if negation:  # turned down by name: a hard wish, never a stop to build around
                    reading.add(index, 'avoid', f'no {name}', hard=True, text=f'{negation.group(0)}{name}')
                    reading.values.setdefault('avoid_names', []).append(name)
                else:
                    reading.add(index, 'named', name, hard=False, text=name)
                said = f'{negation.group(0)}{folded}' if negation else folded
                reading.clauses[index] = ' '.join(clause.replace(said, ' ').split())


def _read_genres(reading: _Reading) -> list[str]:
    found: list[str] = []
    for index, clause in enumerate(reading.clauses):
        if re.search(words.NEGATION, clause):
            continue
        for genre in _genres(clause, sentence=True):
            if genre not in found:
                found.append(genre)
                reading.add(index, 'taste', genre, hard=False, text=genre.replace('-', ' '))
    return found


def _read_character(reading: _Reading) -> None:
    tags: list[str] = []
    avoid_tags = reading.values.get('avoid_tags', set())
    for index, clause in enumerate(reading.clauses):
        padded = f' {clause} '
        for phrase, phrase_tags in TAG_SIGNALS.items():
            if phrase in ('english', 'family', 'kids', 'late', 'all night'):
                continue  # read as language, company and time above
            if f' {phrase} ' in padded and not set(phrase_tags) & avoid_tags and not re.search(words.NEGATION, clause):
                tags.extend(t for t in phrase_tags if t not in tags)
                reading.add(index, 'taste', phrase_tags[0].replace('-', ' '), hard=False, text=phrase)
    if reading.values.get('date'):
        tags.extend(t for t in words.DATE_TAGS if t not in tags)
    reading.values['tags'] = tags


def _genres(text: str, *, sentence: bool = False) -> list[str]:
    """'electronic, house / hip hop' -> ['electronic', 'house', 'hip-hop']; inside a sentence with `sentence`."""
    lowered = text
    for alias, genre in GENRE_ALIASES.items():
        if ' and ' in alias or ' n ' in alias:
            lowered = lowered.replace(alias, genre)
    found: list[str] = []
    for part in re.split(r'[,;/&+]| and ', lowered):
        tokens = re.sub(r'[^\w\s-]', ' ', part).split()
        whole = ' '.join(tokens)
        canonical = GENRE_ALIASES.get(whole, whole.replace(' ', '-'))
        candidates = [canonical] if not sentence and canonical in ALL_GENRES else genres_in(tokens)
        found.extend(c for c in candidates if c not in found)
    return found


def genres_in(tokens: Sequence[str]) -> list[str]:
    """The genres a sentence names, longest phrase first ('hip hop' before 'hop'), left to right."""
    found: list[str] = []
    index = 0
    while index < len(tokens):
        for size in (3, 2, 1):
            gram = ' '.join(tokens[index : index + size])
            genre = GENRE_ALIASES.get(gram, gram.replace(' ', '-'))
            if len(tokens) - index >= size and genre in ALL_GENRES:
                found.append(genre)
                index += size
                break
        else:
            index += 1
    return found


def _unread(reading: _Reading) -> list[str]:
    """Clauses nothing was read from, unless they are only polite filler."""
    unread = []
    for clause, used in zip(reading.clauses, reading.used, strict=True):
        content = [w for w in re.findall(r"[a-z']+", clause) if w not in words.FILLER]
        if not used and content:
            unread.append(clause)
    return unread
