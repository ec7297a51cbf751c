"""The demo catalog: fictional Berlin venues and their programme, expanded relative to today.

The data lives in `services/catalog/demo_data/` (venues, weekly series with rotating editions, one-off events).
`refresh_demo_catalog` is safe to run at every start-up and daily: it upserts the coming DEMO_DAYS by
stable ids (`demo-<series>-<date>`), drops demo events that no longer come from the data, and forgets
demo events that ended more than KEEP_PAST_DAYS ago. Everything it writes has source 'demo' and its
city is flagged `is_demo`.

One-off events sit on a fixed ONE_OFF_CYCLE_DAYS cycle counted from EPOCH, so a given one-off lands on
the same date on every refresh (a date relative to "today" would move daily and duplicate it).
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, delete, select

from models.catalog import CATEGORIES, EVENT_STATUSES, City, Event, Venue
from services.catalog.demo_city import city_venues_and_series
from services.catalog.search_text import search_text_for
from services.catalog.store import EventRecord, upsert_events
from services.database import writes

DEMO_DAYS = 35  # a little beyond "Next 30 days"
KEEP_PAST_DAYS = 3
ONE_OFF_CYCLE_DAYS = 42
EPOCH = date(2024, 1, 1)  # a Monday: week numbers and one-off cycles count from here
SOURCE = 'demo'
TICKETS = 'https://tickets.example.com/berlin'
DATA_DIR = Path(__file__).parent / 'demo_data'
WEEKDAYS = ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')


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


@dataclass(frozen=True)
class DemoEvent:
    """One dated occurrence computed from the data file, before it meets the database."""

    source_id: str
    venue_key: str
    title: str
    description: str
    category: str
    tags: list[str]
    starts_at: datetime
    ends_at: datetime
    price: tuple[float, float] | None
    status: str
    ticket_url: str = field(default='')


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


@cache
def load_demo_data() -> dict[str, Any]:
    """Venues and programme from the data files, checked once so a typo fails loudly in tests."""
    data = json.loads((DATA_DIR / 'berlin_venues.json').read_text(encoding='utf-8'))
    data.update(json.loads((DATA_DIR / 'berlin_programme.json').read_text(encoding='utf-8')))
    venues, series = city_venues_and_series(data['neighborhoodCentres'])  # the city at full scale
    data['venues'] = [*data['venues'], *venues]
    data['series'] = [*data['series'], *series]
    _check(data)
    return data


def expand_programme(data: dict[str, Any], *, first_day: date, days: int, zone: ZoneInfo) -> list[DemoEvent]:
    events: list[DemoEvent] = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        events.extend(_series_on(series, day, zone) for series in data['series'] if _series_runs(series, day))
        events.extend(_one_off_on(item, day, zone) for item in data['one_offs'] if _one_off_runs(item, day))
    return events


def _series_runs(series: dict[str, Any], day: date) -> bool:
    week = (day - EPOCH).days // 7
    every = series.get('every_weeks', 1)
    return WEEKDAYS[day.weekday()] in series['days'] and week % every == series.get('week_offset', 0) % every


def _series_on(series: dict[str, Any], day: date, zone: ZoneInfo) -> DemoEvent:
    week = (day - EPOCH).days // 7
    # Editions rotate per occurrence, so Friday and Saturday of one week get different line-ups.
    occurrence = week * len(series['days']) + series['days'].index(WEEKDAYS[day.weekday()])
    edition = series['editions'][occurrence % len(series['editions'])]
    cancelled = week % 4 in series.get('cancelled_weeks', [])
    return _occurrence({**series, **edition, 'status': 'cancelled' if cancelled else 'scheduled'}, day, zone)


def _one_off_runs(item: dict[str, Any], day: date) -> bool:
    return (day - EPOCH).days % ONE_OFF_CYCLE_DAYS == item['cycle_day']


def _one_off_on(item: dict[str, Any], day: date, zone: ZoneInfo) -> DemoEvent:
    return _occurrence({'status': 'scheduled', **item}, day, zone)


def _occurrence(spec: dict[str, Any], day: date, zone: ZoneInfo) -> DemoEvent:
    hour, minute = (int(part) for part in spec['start'].split(':'))
    starts_at = datetime.combine(day, time(hour, minute), zone)
    # Added in UTC: a night crossing a DST change lasts its real number of hours.
    ends_at = (starts_at.astimezone(ZoneInfo('UTC')) + timedelta(hours=spec['hours'])).astimezone(zone)
    price = spec.get('price')
    source_id = f'{spec["key"]}@{day.isoformat()}'
    return DemoEvent(
        source_id=source_id,
        venue_key=spec['venue'],
        title=spec['title'],
        description=spec['description'],
        category=spec['category'],
        tags=list(spec['tags']),
        starts_at=starts_at,
        ends_at=ends_at,
        price=None if price is None else (0.0, 0.0) if price == 0 else (float(price[0]), float(price[1])),
        status=spec['status'],
        ticket_url=f'{TICKETS}/{spec["key"]}/{day.isoformat()}',
    )


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
        'ticket_url': demo.ticket_url,
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
        ]
        if any(problems):
            raise ValueError(f'demo data, {spec["key"]}: {next(p for p in problems if p)}')
        keys.add(spec['key'])
