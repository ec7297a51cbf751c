"""The fixture feeds of tests/fixtures/feeds (written for these tests) and how the tests import them.

Each file is imported like `check-feeds` does: into the city `feeds.toml` names for it, with the clock at
noon UTC the day before the file's first event unless a test sets its own.
"""

import json
import tomllib
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from models.catalog import Event, Venue
from models.db import session_scope
from services.catalog.check_feeds import first_event_day
from services.catalog.ics import import_ics
from services.catalog.importing import ImportReport
from services.catalog.jsonld import import_jsonld
from services.catalog.ticketmaster import store_items

FEEDS = Path(__file__).resolve().parent / 'fixtures' / 'feeds'


def place_of(name: str) -> tuple[str, str]:
    manifest = tomllib.loads((FEEDS / 'feeds.toml').read_text(encoding='utf-8'))
    entry = manifest.get('file', {}).get(name, manifest['defaults'])
    return entry['city'], entry['timezone']


def day_before(name: str) -> datetime:
    first = first_event_day((FEEDS / name).read_bytes(), ics=name.endswith('.ics'))
    assert first is not None, name
    return datetime.combine(first - timedelta(days=1), time(12), UTC)


def import_feed(name: str, *, now: datetime | None = None, city: str | None = None, **options) -> ImportReport:
    """Imports one fixture file in its own transaction, the way check-feeds does."""
    home, zone = place_of(name)
    common = {'city_name': city or home, 'timezone': zone, 'now': now or day_before(name)}
    with session_scope() as session:
        if name.endswith('.ics'):
            return import_ics(session=session, source=str(FEEDS / name), horizon_days=90, **common, **options)
        if name.endswith('.html'):
            return import_jsonld(session=session, source=str(FEEDS / name), **common, **options)
        pages = json.loads((FEEDS / name).read_text(encoding='utf-8'))
        items = [e for page in pages for e in page['_embedded']['events']]
        end = common['now'] + timedelta(days=90)
        return store_items(session=session, currency='EUR', items=items, complete=True, end=end, **common, **options)


def stored(session: Session) -> dict[str, Event]:
    """Every stored event by title."""
    session.expire_all()
    return {e.title: e for e in session.exec(select(Event).order_by(col(Event.starts_at))).all()}


def venue_of(session: Session, event: Event) -> Venue:
    venue = session.get(Venue, event.venue_id)
    assert venue is not None
    return venue
