"""The demo catalog: fictional Berlin venues and their programme, expanded relative to today.

The data lives in `services/catalog/demo_data/`: hand-written venues, weekly series with rotating editions
and one-off events (`berlin_venues.json`, `berlin_programme.json`), the seasonal programme (open airs and
beer gardens in summer, Christmas markets, New Year's Eve, winter indoor days: `berlin_seasons.json`), and
the name pools from which `demo_city` generates the neighbourhood venues. `demo_programme` turns it into
dated events for any date of the year. `refresh_demo_catalog` is safe to run at every start-up and daily
(`refresh_if_stale` skips it when today's refresh from the same data already ran):
it upserts the coming DEMO_DAYS by stable ids (`demo-<series>-<date>`), drops demo events that no longer
come from the data, and forgets demo events that ended more than KEEP_PAST_DAYS ago. Everything it writes
has source 'demo' and its city is flagged `is_demo`.

Prices are per person, in the city's currency. Demo events have no ticket link (`ticket_url` is ''):
they are fictional, so a page labels them as demo events instead of sending anyone to a ticket shop.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, delete, func, select

from models.catalog import CATEGORIES, EVENT_STATUSES, City, Event, SourceRun, Venue
from services.catalog.demo_city import city_venues_and_series
from services.catalog.demo_programme import WEEKDAYS, DemoEvent, expand_programme, in_season
from services.catalog.search_text import search_text_for
from services.catalog.store import EventRecord, upsert_events
from services.database import writes

DEMO_DAYS = 35  # a little beyond "Next 30 days"
KEEP_PAST_DAYS = 3
SOURCE = 'demo'
DATA_DIR = Path(__file__).parent / 'demo_data'


@dataclass
class RefreshReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    def __str__(self) -> str:
        return (
            f'Demo catalog: {self.created} events created, {self.updated} updated, '
            f'{self.unchanged} unchanged, {self.removed} removed'
        )


@writes
def refresh_demo_catalog(*, session: Session, now: datetime) -> RefreshReport:
    """Creates or refreshes the demo city so its coming DEMO_DAYS are full; returns what changed."""
    data = load_demo_data()
    city = _upsert_city(session, data['city'])
    venues = _upsert_venues(session, city, data['venues'])
    zone = ZoneInfo(city.timezone)
    # Yesterday too: a club night that began last night is still on.
    first_day = now.astimezone(zone).date() - timedelta(days=1)
    wanted = {e.source_id: e for e in expand_programme(data, first_day=first_day, days=DEMO_DAYS + 1, zone=zone)}
    report = RefreshReport()
    _upsert_events(session, city, venues, wanted, now, report)
    report.removed = _remove_stale(session, city, wanted, datetime.combine(first_day, time(0), zone), now)
    session.commit()
    return report


@writes
def refresh_if_stale(*, session: Session, now: datetime) -> RefreshReport:
    """The refresh, unless the demo city was already refreshed for today's days from the same data and code (a
    restart on the same day, each test's app): then only how many demo events there are. Each refresh is
    recorded as a `SourceRun` named 'demo' whose report says for which days and which data it ran."""
    stamp = _stamp(now)
    done = select(SourceRun.id).where(SourceRun.name == SOURCE, SourceRun.report == stamp, SourceRun.error == '')
    if session.exec(done).first() is not None:
        events = session.exec(select(func.count()).select_from(Event).where(Event.source == SOURCE)).one()
        return RefreshReport(unchanged=events)
    report = refresh_demo_catalog(session=session, now=now)
    session.add(
        SourceRun(
            name=SOURCE, kind=SOURCE, started_at=now, finished_at=now, created=report.created,
            updated=report.updated, unchanged=report.unchanged, withdrawn=report.removed, report=stamp,
        )
    )  # fmt: skip
    session.commit()
    return report


def _stamp(now: datetime) -> str:
    zone = ZoneInfo(load_demo_data()['city']['timezone'])
    first_day = now.astimezone(zone).date() - timedelta(days=1)
    return f'demo city from {first_day.isoformat()} for {DEMO_DAYS + 1} days (data {_data_version()})'


@cache
def _data_version() -> str:
    """A digest of the data files and of the code that expands them: any edit makes the next start refresh."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    code = [here / f'{name}.py' for name in ('demo', 'demo_city', 'demo_kinds', 'demo_programme')]
    for path in [*sorted(DATA_DIR.glob('*.json')), *code]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@cache
def load_demo_data() -> dict[str, Any]:
    """Venues and programme from the data files, checked once so a typo fails loudly in tests."""
    data = _read('berlin_venues.json')
    data.update(_read('berlin_programme.json'))
    seasons = _read('berlin_seasons.json')
    venues, series = city_venues_and_series(data['neighborhoodCentres'], _read('berlin_names.json'))
    data['venues'] = [*data['venues'], *seasons['venues'], *venues]  # the city at full scale
    data['series'] = [*data['series'], *seasons['series'], *series]
    data['one_offs'] = [*data['one_offs'], *seasons['one_offs']]
    _check(data)
    return data


def _read(name: str) -> dict[str, Any]:
    return json.loads((DATA_DIR / name).read_text(encoding='utf-8'))


def _upsert_city(session: Session, spec: dict[str, str]) -> City:
    city = session.exec(select(City).where(City.name == spec['name'])).first()
    if city is None:
        city = City(**spec, is_demo=True)
        session.add(city)
        session.flush()
    return city


def _upsert_venues(session: Session, city: City, specs: list[dict[str, Any]]) -> dict[str, Venue]:
    existing = {v.source_id: v for v in session.exec(select(Venue).where(Venue.source == SOURCE)).all()}
    venues: dict[str, Venue] = {}
    for spec in specs:
        values = {
            'city_id': city.id,
            'name': spec['name'],
            'neighborhood': spec['neighborhood'],
            'address': spec['address'],
            'tags': list(spec['tags']),
            'lat': spec.get('lat'),
            'lon': spec.get('lon'),
            'opening_hours': spec.get('opening_hours', ''),
            'step_free': spec.get('step_free'),
        }
        venue = existing.get(spec['key']) or Venue(source=SOURCE, source_id=spec['key'], **values)
        for name, value in values.items():
            if getattr(venue, name) != value:
                setattr(venue, name, value)
        session.add(venue)
        venues[spec['key']] = venue
    session.flush()
    return venues


def _upsert_events(
    session: Session,
    city: City,
    venues: dict[str, Venue],
    wanted: dict[str, DemoEvent],
    now: datetime,
    report: RefreshReport,
) -> None:
    records = [
        EventRecord(
            event_id=_event_id(source_id), source_id=source_id, values=_event_values(demo, city, venues[demo.venue_key])
        )
        for source_id, demo in wanted.items()
    ]
    counts = upsert_events(session=session, source=SOURCE, records=records, now=now)
    report.created, report.updated, report.unchanged = counts.created, counts.updated, counts.unchanged


def _event_values(demo: DemoEvent, city: City, venue: Venue) -> dict[str, Any]:
    return {
        'city_id': city.id,
        'venue_id': venue.id,
        'title': demo.title,
        'description': demo.description,
        'category': demo.category,
        'tags': demo.tags,
        'starts_at': demo.starts_at,
        'ends_at': demo.ends_at,
        'price_min': demo.price[0] if demo.price else None,
        'price_max': demo.price[1] if demo.price else None,
        'currency': city.currency,
        'ticket_url': '',  # fictional events: nothing to buy
        'status': demo.status,
        'search_text': search_text_for(title=demo.title, description=demo.description, tags=demo.tags, venue=venue),
    }


def _remove_stale(
    session: Session, city: City, wanted: dict[str, DemoEvent], first_start: datetime, now: datetime
) -> int:
    """Deletes demo events long over, and coming ones the data no longer produces (edited data files)."""
    is_demo = (col(Event.source) == SOURCE) & (col(Event.city_id) == city.id)
    long_over = col(Event.ends_at) < now - timedelta(days=KEEP_PAST_DAYS)
    dropped = (col(Event.starts_at) >= first_start) & col(Event.source_id).not_in(sorted(wanted))
    result = session.exec(delete(Event).where(is_demo, long_over | dropped))
    return result.rowcount or 0


def _event_id(source_id: str) -> str:
    key, day = source_id.rsplit('@', 1)
    return f'demo-{key}-{day.replace("-", "")}'


def _check(data: dict[str, Any]) -> None:
    venue_keys = {v['key'] for v in data['venues']}
    keys: set[str] = set()
    for spec in [*data['series'], *data['one_offs']]:
        problems = [
            spec['key'] in keys and 'duplicate key',
            spec['venue'] not in venue_keys and f'unknown venue {spec["venue"]!r}',
            spec['category'] not in CATEGORIES and f'unknown category {spec["category"]!r}',
            spec.get('status', 'scheduled') not in EVENT_STATUSES and 'unknown status',
            not set(spec.get('days', WEEKDAYS)) <= set(WEEKDAYS) and 'unknown weekday',
            not _season_ok(spec.get('season')) and 'unreadable season',
            not (spec.get('start', '').startswith('sunset') or ':' in spec.get('start', '')) and 'unreadable start',
        ]
        if any(problems):
            raise ValueError(f'demo data, {spec["key"]}: {next(p for p in problems if p)}')
        keys.add(spec['key'])


def _season_ok(season: dict[str, Any] | None) -> bool:
    try:
        in_season(season, datetime(2024, 2, 29).date())
    except (KeyError, TypeError):
        return False
    return not season or bool(season.get('months')) or {'from', 'to'} <= set(season)
