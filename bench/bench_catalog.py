"""Benchmark of the catalog search and the offline planner on large synthetic catalogs (not a test).

    python bench/bench_catalog.py [--sizes 10000 100000] [--runs 60]

Builds each catalog in a temporary SQLite file (same engine settings as the app), then times
`search_events` over a mix of realistic queries and the offline planner over a few requests, end to end
(catalog reads in worker threads included). Prints the figures and writes them as JSON to bench/results/.
Targets (issue 3): offline planner median < 150 ms on 10,000 events; search_events p95 < 20 ms on 100,000.
Then, on the demo city (issue 20): the 8-interest, 30-day request with a 1,000-character free text (< 500 ms),
and the alternatives for one stop of a plan (`GET .../alternatives`' work, < 300 ms).
"""

import argparse
import asyncio
import json
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert
from sqlmodel import select

from models import db, schema
from models.catalog import CATEGORIES, City, Event, Venue
from models.generation import Bundle, Generation, Preferences
from services import heap
from services.catalog import demo, queries, search_text
from services.planners.base import PlanRequest
from services.planners.offline import OfflinePlanner
from services.planners.offline.alternatives import alternatives_for
from services.timeframes import resolve_window
from tests.fakes.requests import BROADEST_PREFERENCES, SEED_PREFERENCES

NOW = datetime(2025, 12, 3, 11, 0, tzinfo=UTC)  # a Wednesday, so "This weekend" is a whole weekend
DAYS = 30
VENUE_TAGS = ['underground', 'warehouse', 'rooftop', 'late-license', 'cosy', 'outdoor', 'seated', 'intimate']
GENRES = ['techno', 'house', 'jazz', 'indie', 'hip-hop', 'classical', 'disco', 'folk', 'ambient', 'punk']
AREAS = ['Mitte', 'Kreuzberg', 'Neukölln', 'Friedrichshain', 'Prenzlauer Berg', 'Wedding', 'Schöneberg', 'Treptow']
WORDS = ['night', 'live', 'session', 'special', 'release', 'showcase', 'open', 'club', 'tour', 'festival']

PLANNER_REQUESTS = {
    'seed (music+nightlife, Electronic/House, weekend, underground)': SEED_PREFERENCES,
    'broad (4 interests, next 7 days, cheap, budget 60)': {
        'interests': ['music', 'art', 'food', 'comedy'],
        'musicProfile': 'Jazz, Indie',
        'timeframe': 'Next 7 days',
        'otherPreferences': 'cosy places, nothing too pricey',
        'budget': 60,
    },
}


def build_catalog(path: Path, size: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    db.use_engine(db.build_engine(f'sqlite:///{path}'))
    schema.create_db_and_tables()
    with db.session_scope() as session:
        city = City(name='Berlin', country='DE', timezone='Europe/Berlin', currency='EUR', is_demo=True)
        session.add(city)
        session.flush()
        venues = [
            Venue(
                city_id=city.id,
                name=f'Venue {n}',
                neighborhood=rng.choice(AREAS),
                tags=rng.sample(VENUE_TAGS, k=rng.randint(1, 3)),
                source='bench',
                source_id=f'v{n}',
            )
            for n in range(max(50, size // 100))
        ]
        session.add_all(venues)
        session.flush()
        rows = [_event_row(n, rng, city, rng.choice(venues)) for n in range(size)]
        for start in range(0, len(rows), 5000):
            session.execute(insert(Event), rows[start : start + 5000])
    with db.get_engine().begin() as connection:
        connection.exec_driver_sql('ANALYZE')


def _event_row(n: int, rng: random.Random, city: City, venue: Venue) -> dict[str, Any]:
    category = rng.choice(CATEGORIES)
    genres = rng.sample(GENRES, k=rng.randint(1, 2)) if category in ('music', 'nightlife') else []
    starts_at = NOW + timedelta(minutes=rng.randrange(0, DAYS * 24 * 60, 15))
    free = rng.random() < 0.15
    low = 0 if free else rng.randint(5, 40)
    title = f'{rng.choice(WORDS).title()} {" ".join(genres).title()} {rng.choice(WORDS)} #{n}'
    description = f'{category} event with {", ".join(genres) or "guests"} at {venue.name}'
    return {
        'id': f'bench-{n}',
        'city_id': city.id,
        'venue_id': venue.id,
        'title': title,
        'description': description,
        'category': category,
        'tags': genres,
        'starts_at': starts_at,
        'ends_at': starts_at + timedelta(hours=rng.choice([1.5, 2, 3, 6, 8])),
        'price_min': float(low),
        'price_max': float(low if free else low + rng.randint(0, 15)),
        'currency': 'EUR',
        'ticket_url': f'https://tickets.example.com/bench/{n}',
        'image_url': '',
        'status': 'cancelled' if rng.random() < 0.02 else 'scheduled',
        'source': 'bench',
        'source_id': str(n),
        'search_text': search_text.search_text_for(title=title, description=description, tags=genres, venue=venue),
        'updated_at': NOW,
    }


def search_queries() -> list[dict[str, Any]]:
    weekend = resolve_window('This weekend', timezone='Europe/Berlin', now=NOW)
    week = resolve_window('Next 7 days', timezone='Europe/Berlin', now=NOW)
    month = resolve_window('Next 30 days', timezone='Europe/Berlin', now=NOW)
    tonight = resolve_window('Tonight', timezone='Europe/Berlin', now=NOW)
    return [
        {'window': weekend, 'categories': ['music', 'nightlife']},
        {'window': weekend, 'categories': ['music'], 'genres': ['techno', 'house']},
        {'window': weekend, 'text': 'underground'},
        {'window': week, 'categories': ['art', 'food'], 'max_price': 10},
        {'window': week, 'neighborhood': 'Kreuzberg', 'genres': ['jazz']},
        {'window': month, 'categories': ['comedy'], 'sort': 'price'},
        {'window': month, 'text': 'release techno', 'limit': 50},
        {'window': tonight, 'categories': ['nightlife'], 'max_price': 15},
    ]


def time_search(runs: int) -> dict[str, float]:
    searches = search_queries()
    timings: list[float] = []
    with db.session_scope() as session:
        city = session.exec(select(City)).one()
        for run in range(runs * len(searches)):
            query = searches[run % len(searches)]
            started = time.perf_counter()
            queries.search_events(session=session, city=city, **query)
            timings.append((time.perf_counter() - started) * 1000)
    return _summary(timings)


class _Quiet:
    async def report(self, message: str) -> None:
        pass

    async def save_state(self, state: dict[str, Any]) -> None:
        pass

    async def save_wish(self, wish: dict[str, Any]) -> None:
        pass

    async def add_usage(self, usage: dict[str, int]) -> None:
        pass

    async def add_bundle(self, bundle: Bundle) -> list[str]:
        return []  # accepted: the benchmark times planning, not storing


def time_planner(runs: int) -> dict[str, dict[str, float]]:
    heap.settle()  # as a planner process does once it is ready (services/heap.py)
    results = {}
    for name, raw in PLANNER_REQUESTS.items():
        preferences = Preferences.model_validate(raw)
        window = resolve_window(preferences.timeframe, timezone='Europe/Berlin', now=NOW)
        request = PlanRequest(generation_id='bench', preferences=preferences, window=window, city='Berlin')

        async def plan_many(request: PlanRequest = request) -> list[float]:
            planner, timings = OfflinePlanner(), []
            for _ in range(runs):
                started = time.perf_counter()
                await planner.plan(request, _Quiet())
                timings.append((time.perf_counter() - started) * 1000)
            return timings

        results[name] = _summary(asyncio.run(plan_many()))
    return results


def time_demo_city(runs: int) -> dict[str, dict[str, float]]:
    """The demo city at NOW: the broadest request a person can make, and the swap picker's alternatives."""
    with tempfile.TemporaryDirectory() as folder:
        db.use_engine(db.build_engine(f'sqlite:///{Path(folder) / "demo.db"}'))
        schema.create_db_and_tables()
        with db.session_scope() as session:
            demo.refresh_demo_catalog(session=session, now=NOW)
        preferences = Preferences.model_validate(BROADEST_PREFERENCES)
        window = resolve_window(preferences.timeframe, timezone='Europe/Berlin', now=NOW)
        request = PlanRequest(generation_id='bench', preferences=preferences, window=window, city='Berlin')
        heap.settle()

        async def plan_many() -> tuple[list[float], list[Bundle]]:
            planner, timings, bundles = OfflinePlanner(), [], []
            for _ in range(runs):
                started = time.perf_counter()
                bundles = await planner.plan(request, _Quiet())
                timings.append((time.perf_counter() - started) * 1000)
            return timings, bundles

        timings, bundles = asyncio.run(plan_many())
        generation = Generation(
            id='bench', status='completed', client_id='bench', planner='offline', created_at=NOW, updated_at=NOW,
            expires_at=NOW, preferences=preferences.model_dump(mode='json', by_alias=True),
            window=window.model_dump(mode='json', by_alias=True),
            bundles=[b.model_dump(mode='json', by_alias=True) for b in bundles],
        )  # fmt: skip
        lookups = []
        for _ in range(runs):
            started = time.perf_counter()
            with db.session_scope() as session:
                event_id = bundles[0].key_events[0].event_id
                alternatives_for(session=session, generation=generation, bundle_index=0, event_id=event_id)
            lookups.append((time.perf_counter() - started) * 1000)
        db.use_engine(None)
    return {'broad (8 interests, next 30 days, 1,000-character free text)': _summary(timings),
            'alternatives for one stop': _summary(lookups)}  # fmt: skip


def _summary(timings: list[float]) -> dict[str, float]:
    ordered = sorted(timings)
    return {
        'runs': len(ordered),
        'median_ms': round(statistics.median(ordered), 2),
        'p95_ms': round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2),
        'max_ms': round(ordered[-1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sizes', type=int, nargs='+', default=[10_000, 100_000])
    parser.add_argument('--runs', type=int, default=60)
    args = parser.parse_args()
    report: dict[str, Any] = {
        'machine': f'{platform.processor() or platform.machine()}, {platform.system()} {platform.release()}',
        'python': platform.python_version(),
        'catalogs': {},
    }
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            build_catalog(Path(folder) / 'bench.db', size)
            built = round(time.perf_counter() - started, 1)
            figures = {
                'build_s': built,
                'search_events': time_search(args.runs),
                'offline_planner': time_planner(args.runs),
            }
            db.use_engine(None)
        report['catalogs'][str(size)] = figures
        print(f'\n{size:,} events (built in {built} s)')
        print(f'  search_events    {_line(figures["search_events"])}')
        for name, numbers in figures['offline_planner'].items():
            print(f'  offline planner  {_line(numbers)}  {name}')
    report['demo_city'] = time_demo_city(args.runs)
    print('\ndemo city')
    for name, numbers in report['demo_city'].items():
        print(f'  {name:<62} {_line(numbers)}')
    out = Path(__file__).parent / 'results' / f'bench_catalog-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json'
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f'\nwritten to {out}')


def _line(numbers: dict[str, float]) -> str:
    return f'median {numbers["median_ms"]:7.2f} ms  p95 {numbers["p95_ms"]:7.2f} ms  ({numbers["runs"]} runs)'


if __name__ == '__main__':
    main()
