"""What every importer (.ics, JSON-LD pages, Ticketmaster) shares: the city, venues, categories, the report,
and withdrawing what a source no longer lists. Writes go through `store.upsert_events`.

Importers read and check everything first and write last, inside the caller's one transaction, so a fatal
error leaves the catalog untouched. `ImportFailure` messages are one line for the person running the import.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.catalog import CATEGORIES, City, Event, Venue
from services.catalog.search_text import normalize_words
from services.catalog.store import EventRecord, upsert_events

# Words sources use for our categories; anything else becomes a tag (often a genre).
CATEGORY_WORDS: dict[str, str] = {
    'concert': 'music', 'concerts': 'music', 'gig': 'music', 'live music': 'music', 'konzert': 'music',
    'musicevent': 'music', 'festival': 'music', 'rock': 'music', 'pop': 'music', 'jazz': 'music',
    'classical': 'music', 'hip hop rap': 'music', 'hip hop': 'music',
    'club': 'nightlife', 'party': 'nightlife', 'clubbing': 'nightlife', 'rave': 'nightlife', 'dj': 'nightlife',
    'techno': 'nightlife', 'house': 'nightlife', 'dance electronic': 'nightlife',
    'exhibition': 'art', 'gallery': 'art', 'ausstellung': 'art', 'vernissage': 'art', 'museum': 'art',
    'arts theatre': 'theatre', 'visualartsevent': 'art', 'exhibitionevent': 'art',
    'theater': 'theatre', 'play': 'theatre', 'opera': 'theatre', 'dance': 'theatre', 'musical': 'theatre',
    'theaterevent': 'theatre', 'danceevent': 'theatre',
    'stand up': 'comedy', 'standup': 'comedy', 'kabarett': 'comedy', 'improv': 'comedy', 'comedyevent': 'comedy',
    'cinema': 'film', 'movie': 'film', 'movies': 'film', 'kino': 'film', 'screening': 'film',
    'screeningevent': 'film',
    'market': 'markets', 'flea market': 'markets', 'markt': 'markets', 'flohmarkt': 'markets',
    'saleevent': 'markets',
    'sport': 'sports', 'football': 'sports', 'soccer': 'sports', 'basketball': 'sports', 'run': 'sports',
    'running': 'sports', 'sportsevent': 'sports',
    'hike': 'outdoors', 'walk': 'outdoors', 'tour': 'outdoors', 'outdoor': 'outdoors',
    'talk': 'talks', 'lecture': 'talks', 'reading': 'talks', 'lesung': 'talks', 'workshop': 'talks',
    'educationevent': 'talks', 'literaryevent': 'talks',
    'yoga': 'wellness', 'meditation': 'wellness', 'sauna': 'wellness',
    'dinner': 'food', 'tasting': 'food', 'street food': 'food', 'restaurant': 'food', 'foodevent': 'food',
}  # fmt: skip


class ImportFailure(Exception):
    """The source cannot be imported at all; the message is one line for the person running the command."""


@dataclass
class ImportReport:
    city: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    linked: int = 0  # events another source already stored: kept once, linked to this source
    cancelled: int = 0  # events the source itself marks cancelled
    withdrawn: int = 0  # coming events of this source it no longer lists, cancelled now
    skipped: list[str] = field(default_factory=list)  # 'label: reason' of each event that could not be read

    def __str__(self) -> str:
        total = self.created + self.updated + self.unchanged + self.linked
        text = (
            f'Imported {total} events into {self.city}: {self.created} new, {self.updated} updated, '
            f'{self.unchanged} unchanged, {self.linked} linked, {self.cancelled} cancelled, '
            f'{self.withdrawn} withdrawn, {len(self.skipped)} skipped'
        )
        return '\n'.join([text, *(f'  skipped {line}' for line in self.skipped)])


def find_city(session: Session, name: str, timezone: str | None) -> City | None:
    """The city named (any case), None when a new one may be made (a zone was given), else ImportFailure."""
    if not name.strip():
        raise ImportFailure('--city must not be empty')
    city = session.exec(select(City).where(func.lower(City.name) == name.strip().lower())).first()
    if city is None and not timezone:
        raise ImportFailure(f'unknown city {name!r}: give --timezone (e.g. Europe/Berlin) to create it')
    if city is None:
        zone_name(timezone)
    return city


def ensure_city(session: Session, city: City | None, name: str, timezone: str | None, currency: str) -> City:
    if city is None:
        city = City(name=name.strip(), timezone=zone_name(timezone), currency=currency.upper())
        session.add(city)
        session.flush()
    return city


def zone_name(timezone: str | None) -> str:
    try:
        ZoneInfo(timezone or '')
    except (ZoneInfoNotFoundError, ValueError):
        raise ImportFailure(f'unknown time zone {timezone!r}; use an IANA name such as Europe/Berlin') from None
    return timezone or ''


def venue_for(
    session: Session,
    city: City,
    *,
    source: str,
    name: str,
    address: str = '',
    lat: float | None = None,
    lon: float | None = None,
    cache: dict[str, Venue],
) -> Venue:
    """The city's venue of that normalized name, whichever source made it, filling in a missing position."""
    key = f'{city.id}|{normalize_words(name)}'
    venue = cache.get(key)
    if venue is None:
        venue = session.exec(select(Venue).where(Venue.source == source, Venue.source_id == key)).first()
    if venue is None:
        wanted = normalize_words(name)
        same_city = session.exec(select(Venue).where(Venue.city_id == city.id).order_by(col(Venue.id))).all()
        venue = next((v for v in same_city if normalize_words(v.name) == wanted), None)
    if venue is None:
        venue = Venue(city_id=city.id, name=name, address=address, tags=[], source=source, source_id=key)
        session.add(venue)
    if lat is not None and lon is not None and venue.lat is None:
        venue.lat, venue.lon = lat, lon
    if address and not venue.address:
        venue.address = address
    session.flush()
    cache[key] = venue
    return venue


def category_and_tags(words: list[str] | tuple[str, ...], default: str) -> tuple[str, list[str]]:
    """The first word naming one of CATEGORIES (or a synonym) is the category; the others become tags."""
    category = None
    tags: list[str] = []
    for raw in words:
        word = normalize_words(raw)
        match = word if word in CATEGORIES else CATEGORY_WORDS.get(word)
        if match and category is None:
            category = match
        elif word and word not in CATEGORIES and word not in ('undefined', 'other', 'event', 'miscellaneous'):
            tags.append(word.replace(' ', '-'))
    return category or default, list(dict.fromkeys(t for t in tags if t))


def stable_id(prefix: str, source_id: str) -> str:
    return f'{prefix}-{hashlib.sha1(source_id.encode()).hexdigest()[:20]}'


def store(session: Session, source: str, records: list[EventRecord], now: datetime, report: ImportReport) -> None:
    counts = upsert_events(session=session, source=source, records=records, now=now)
    report.created, report.updated, report.unchanged = counts.created, counts.updated, counts.unchanged
    report.linked = counts.linked
    report.cancelled += sum(r.values.get('status') == 'cancelled' for r in records)


def withdraw_vanished(
    session: Session,
    *,
    source: str,
    city: City,
    feeds: tuple[str, ...],
    produced: set[str],
    start: datetime,
    end: datetime,
    now: datetime,
    report: ImportReport,
    keep: Callable[[Event], bool] = lambda event: False,
) -> None:
    """Cancels (never deletes: generations keep naming them) the coming events this source gave the city
    within [start, end) and lists no more. Past events are history and later ones were not looked at."""
    coming = session.exec(
        select(Event)
        .where(
            Event.source == source,
            Event.city_id == city.id,
            col(Event.feed).in_(feeds),
            col(Event.starts_at) >= start,
            col(Event.starts_at) < end,
            col(Event.status) != 'cancelled',
        )
        .order_by(col(Event.starts_at), col(Event.id))
    ).all()
    for event in coming:
        if event.source_id in produced or keep(event):
            continue
        event.status, event.feed, event.updated_at = 'cancelled', feeds[0], now
        report.withdrawn += 1
