"""The fixture feeds of tests/fixtures/feeds (written for these tests) and how the tests import them.

Each file is imported like `check-feeds` does: into the city `feeds.toml` names for it, with the clock at
noon UTC the day before the file's first event unless a test sets its own.
"""

import json
import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from pydantic import SecretStr
from sqlmodel import Session, col, select

from models.catalog import Event, Venue
from models.db import session_scope
from services.catalog.ics import import_ics
from services.catalog.importing import ImportReport
from services.catalog.jsonld import import_jsonld
from services.catalog.ticketmaster import import_ticketmaster
from settings import settings
from tests.fakes.discovery_api import DiscoveryApi, serve

FEEDS = Path(__file__).resolve().parent / 'fixtures' / 'feeds'


def place_of(name: str) -> tuple[str, str]:
    manifest = tomllib.loads((FEEDS / 'feeds.toml').read_text(encoding='utf-8'))
    entry = manifest.get('file', {}).get(name, manifest['defaults'])
    return entry['city'], entry['timezone']


# Start dates as the fixtures write them: a VEVENT's DTSTART (not a VTIMEZONE's), startDate, localDate.
_STARTS = re.compile(
    r'BEGIN:VEVENT(?:(?!END:VEVENT).)*?\nDTSTART[^\n]*?:(\d{4})(\d{2})(\d{2})T?'
    r'|startDate"?\s*(?::\s*"|[^>]*?(?:content|datetime)=")(\d{4})-(\d{2})-(\d{2})'
    r'|"localDate"\s*:\s*"(\d{4})-(\d{2})-(\d{2})',
    re.S,
)


def day_before(name: str) -> datetime:
    """Noon UTC the day before the file's first event (read here on its own, not by the code under test)."""
    found = [[int(g) for g in m.groups() if g] for m in _STARTS.finditer((FEEDS / name).read_text(encoding='utf-8'))]
    assert found, name
    first = min(date(*parts) for parts in found)
    return datetime.combine(first - timedelta(days=1), time(12), UTC)


def import_feed(
    name: str, *, now: datetime | None = None, city: str | None = None, zone: str | None = None, **options
) -> ImportReport:
    """Imports one fixture file in its own transaction, the way check-feeds does (or into another city)."""
    home, home_zone = place_of(name)
    common = {'city_name': city or home, 'timezone': zone or home_zone, 'now': now or day_before(name)}
    with session_scope() as session:
        if name.endswith('.ics'):
            return import_ics(session=session, source=str(FEEDS / name), horizon_days=90, **common, **options)
        if name.endswith('.html'):
            return import_jsonld(session=session, source=str(FEEDS / name), **common, **options)
        # Recorded Discovery API answers, served again by the local stand-in on 127.0.0.1, page by page.
        pages = json.loads((FEEDS / name).read_text(encoding='utf-8'))
        items = [e for page in pages for e in page['_embedded']['events']]
        size = len(pages[0]['_embedded']['events'])
        with serve(DiscoveryApi(events=items, size=size)) as fake, _ticketmaster_at(fake.url):
            return import_ticketmaster(session=session, page_size=size, days=90, **common, **options)


@contextmanager
def _ticketmaster_at(url: str) -> Iterator[None]:
    saved = settings.ticketmaster_base_url, settings.ticketmaster_api_key
    settings.ticketmaster_base_url, settings.ticketmaster_api_key = url, SecretStr('test-key')
    try:
        yield
    finally:
        settings.ticketmaster_base_url, settings.ticketmaster_api_key = saved


def stored(session: Session) -> dict[str, Event]:
    """Every stored event by title."""
    session.expire_all()
    return {e.title: e for e in session.exec(select(Event).order_by(col(Event.starts_at))).all()}


def venue_of(session: Session, event: Event) -> Venue:
    venue = session.get(Venue, event.venue_id)
    assert venue is not None
    return venue
