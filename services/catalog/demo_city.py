"""The demo city at the scale of a real one: neighbourhood venues and their weekly programme, generated
deterministically from `services.catalog.demo_kinds` and the name pools of `demo_data/berlin_names.json`,
and added to the hand-written data of `demo_data/`.

Each neighbourhood of `neighborhoodCentres` gets six venues of rotating kinds, each with a name of its own
(never "<kind> <district>"), an address on a real street of that neighbourhood, a position 250-550 m from
its centre, opening hours where it is a place people drop into and step-free access where known. Acts are
booked per venue, so no act plays two places at once; films rotate so a film runs once a day city-wide and
not again the next day; start times vary by a quarter hour between venues of a kind. Everything stays
fictional demo data.
"""

import math
import random
import zlib
from collections.abc import Callable, Iterator
from itertools import cycle, product
from typing import Any

from services.catalog.demo_kinds import KINDS, Kind, SeriesTemplate

VENUES_PER_AREA = 6
ACTS_PER_SERIES = 3
DISHES_PER_SERIES = 3
START_SHIFTS = (0, 15, -15, 30, -30)  # minutes, by a venue's number among its kind
ROUTES = {'walk': 'courtyards of {street}', 'run': '{street} and the back streets'}
FILM_ROTATIONS = {'film': 'films', 'afternoon': 'afternoon_films'}  # pool -> its list of films


def city_venues_and_series(
    centres: dict[str, list[float]], names: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The generated venues and weekly series, the same on every call."""
    pools = _Pools(names)
    kinds = list(KINDS)
    ordinals = dict.fromkeys(kinds, 0)
    venues: list[tuple[dict[str, Any], int]] = []
    for area_index, (area, centre) in enumerate(sorted(centres.items())):
        for slot in range(VENUES_PER_AREA):
            kind = kinds[(area_index * 3 + slot) % len(kinds)]
            ordinal = ordinals[kind]
            ordinals[kind] += 1
            venues.append((_venue(kind, ordinal, area, area_index, slot, centre, names), ordinal))
    waves = sorted({item.wave for kind in KINDS.values() for item in kind.series})
    series = [
        _series(venue, KINDS[venue['kind']], ordinal, item, pools)
        for wave in waves  # a later wave's acts come after every earlier one's: adding a series renames nobody
        for venue, ordinal in venues
        for item in KINDS[venue['kind']].series
        if item.wave == wave
    ]
    for pool, films in FILM_ROTATIONS.items():
        _rotate_films([s for s in series if s['pool'] == pool], names[films])
    for item in series:
        del item['pool']
    for venue, _ in venues:
        del venue['streets'], venue['kind']
    return [venue for venue, _ in venues], series


def _venue(
    kind: str, ordinal: int, area: str, area_index: int, slot: int, centre: list[float], names: dict[str, Any]
) -> dict[str, Any]:
    spec = KINDS[kind]
    key = f'gen-{_slug(area)}-{kind}'
    pool = names['venue_names'][kind]
    if ordinal >= len(pool):
        raise ValueError(f'demo names: too few {kind} venue names')
    lat, lon = centre
    angle = math.radians(area_index * 23 + slot * 60)
    metres = 250 + 60 * slot
    step_free = spec.step_free[ordinal % len(spec.step_free)]
    streets = names['streets'][area]
    return {
        'key': key,
        'name': pool[ordinal],
        'neighborhood': area,
        'address': f'{streets[slot % len(streets)]} {1 + zlib.crc32(key.encode()) % 140}',
        'tags': [*spec.tags, *(['step-free'] if step_free else [])],
        'lat': round(lat + metres * math.sin(angle) / 111_320, 5),
        'lon': round(lon + metres * math.cos(angle) / (111_320 * math.cos(math.radians(lat))), 5),
        'opening_hours': spec.hours[ordinal % len(spec.hours)] if spec.hours else '',
        'step_free': step_free,
        'streets': streets,  # for the venue's routes and dishes; both dropped before it is stored
        'kind': kind,
    }


def _series(venue: dict[str, Any], kind: Kind, ordinal: int, item: SeriesTemplate, pools: '_Pools') -> dict[str, Any]:
    english = (ordinal * 7 + len(item.key)) % 10 < item.english * 10
    items = pools.items_for(venue, item)
    editions = [
        {
            'title': item.title.format(name=name),
            'description': item.description.format(name=name) + (f' {item.english_note}' if english else ''),
            **({'acts': [name]} if item.pool in ('person', 'band') else {}),
        }
        for name in items
    ]
    return {
        'key': f'{venue["key"]}-{item.key}',
        'venue': venue['key'],
        'category': item.category,
        'tags': [*item.tags, *(['english'] if english else [])],
        'days': list(item.days),
        'start': _shifted(item.start, START_SHIFTS[ordinal % len(START_SHIFTS)]),
        'hours': item.hours,
        'price': 0 if item.price is None else list(item.price),
        'editions': editions,
        **({'season': {'months': list(item.season)}} if item.season else {}),
        'pool': item.pool,
    }


class _Pools:
    """Hands out names so that what must be one venue's own (acts, shows, plays, dishes of a series) is."""

    def __init__(self, names: dict[str, Any]) -> None:
        rng = random.Random(21)  # a fixed seed: the same line-ups on every start
        people = [f'{first} {last}' for first, last in product(names['first_names'], names['last_names'])]
        bands = [f'The {adjective} {noun}' for adjective, noun in product(*names['band_words'])]
        shows = [f'{adjective} {noun}' for adjective, noun in product(*names['show_words'])]
        for pool in (people, bands, shows):
            rng.shuffle(pool)
        self._acts = {'person': iter(people), 'band': iter(bands)}
        self._shows = iter(shows)
        self._plays = iter(names['plays'])
        self._dishes: dict[str, Iterator[str]] = {}
        self._names = names
        self._per_venue: dict[tuple[str, str], list[str]] = {}

    def items_for(self, venue: dict[str, Any], item: SeriesTemplate) -> list[str]:
        if item.pool in self._acts:
            return [next(self._acts[item.pool]) for _ in range(ACTS_PER_SERIES)]
        if item.pool == 'show':  # the venue's one exhibition: its openings and workshops are in it
            return self._venue_own(venue, 'show', lambda: [next(self._shows)])
        if item.pool == 'play':  # the house's repertoire of two, shared by evening and matinee
            return self._venue_own(venue, 'play', lambda: [next(self._plays), next(self._plays)])
        if item.pool == 'dish':  # each series of a kind its own dishes, so no two tables serve the same title
            dishes = self._dishes.setdefault(venue['kind'] + item.key, cycle(self._names['dishes']))
            return [next(dishes) for _ in range(DISHES_PER_SERIES)]
        if item.pool == 'route':
            if item.key not in ROUTES:
                return [next(self._shows)]  # a bouldering wall gets a name of its own
            return [ROUTES[item.key].format(street=street) for street in venue['streets'][:3]]
        if item.pool == 'team':
            home = f'{venue["neighborhood"]} {self._names["mascots"][len(self._per_venue) % 12]}'
            return [f'{home} vs. {away}' for away in self._names['away_teams'][len(self._per_venue) % 9 :][:3]]
        return ['{film}']  # filled in by _rotate_films once every screen is known

    def _venue_own(self, venue: dict[str, Any], pool: str, make: Callable[[], list[str]]) -> list[str]:
        key = (venue['key'], pool)
        if key not in self._per_venue:
            self._per_venue[key] = make()
        return self._per_venue[key]


def _rotate_films(screenings: list[dict[str, Any]], films: list[str]) -> None:
    """Gives the K daily screenings a film each from N >= 2K: on day D screen s shows film (D*K + s) mod N,
    so no film runs twice on a day nor on two days running. Editions rotate by day number (these series
    run every day), hence the N / gcd(N, K) editions."""
    count, pool = len(screenings), len(films)
    if pool < 2 * count:
        raise ValueError(f'demo names: {count} daily screenings need at least {2 * count} films')
    length = pool // math.gcd(pool, count)
    for screen, series in enumerate(screenings):
        template = series['editions'][0]
        series['editions'] = [
            {key: value.replace('{film}', films[(day * count + screen) % pool]) for key, value in template.items()}
            for day in range(length)
        ]


def _shifted(start: str, minutes: int) -> str:
    hour, minute = (int(part) for part in start.split(':'))
    total = hour * 60 + minute + minutes
    if not 0 <= total < 24 * 60:  # a late start is moved earlier, never past midnight onto the wrong date
        total = hour * 60 + minute - abs(minutes)
    return f'{total // 60:02d}:{total % 60:02d}'


def _slug(text: str) -> str:
    return ''.join(c if c.isalnum() else '-' for c in text.lower().replace('ö', 'oe').replace('ü', 'ue'))
