"""Imports an iCalendar feed (file or http(s) URL, read by `ics_feed`) into one city of the catalog.

Recurring events are expanded over a horizon with recurring-ical-events; STATUS:CANCELLED is kept as the
event's status (a whole series, or one occurrence overridden by RECURRENCE-ID), so a re-import turns
events cancelled since into cancelled ones. Ids are stable (city + UID + original start), so importing
again updates instead of duplicating. Each event records the feed it came from, and a re-import withdraws
(marks cancelled, never deletes: generations keep naming them) the coming events of that feed and city
it no longer lists: a removed event, a series cut short. Everything is read and checked before the first
write, and the caller's one transaction holds every write: a malformed feed leaves the catalog untouched.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.catalog import CATEGORIES, City, Event, Venue
from services.catalog.ics_feed import (
    IcsImportError,
    Occurrence,
    expand,
    feed_key,
    feed_uids,
    parse_calendar,
    read_source,
)
from services.catalog.search_text import normalize_words, search_text_for
from services.catalog.store import EventRecord, upsert_events

SOURCE = 'ics'
UNKNOWN_VENUE = 'Venue to be announced'

# Words feeds use for our categories; anything else in CATEGORIES becomes a tag (often a genre).
CATEGORY_WORDS: dict[str, str] = {
    'concert': 'music', 'concerts': 'music', 'gig': 'music', 'live music': 'music', 'konzert': 'music',
    'club': 'nightlife', 'party': 'nightlife', 'clubbing': 'nightlife', 'rave': 'nightlife', 'dj': 'nightlife',
    'exhibition': 'art', 'gallery': 'art', 'ausstellung': 'art', 'vernissage': 'art', 'museum': 'art',
    'theater': 'theatre', 'play': 'theatre', 'opera': 'theatre', 'dance': 'theatre',
    'stand up': 'comedy', 'standup': 'comedy', 'kabarett': 'comedy', 'improv': 'comedy',
    'cinema': 'film', 'movie': 'film', 'movies': 'film', 'kino': 'film', 'screening': 'film',
    'market': 'markets', 'flea market': 'markets', 'markt': 'markets', 'flohmarkt': 'markets',
    'sport': 'sports', 'football': 'sports', 'run': 'sports', 'running': 'sports',
    'hike': 'outdoors', 'walk': 'outdoors', 'tour': 'outdoors', 'outdoor': 'outdoors',
    'talk': 'talks', 'lecture': 'talks', 'reading': 'talks', 'lesung': 'talks', 'workshop': 'talks',
    'yoga': 'wellness', 'meditation': 'wellness', 'sauna': 'wellness',
    'dinner': 'food', 'tasting': 'food', 'street food': 'food', 'restaurant': 'food',
}  # fmt: skip
FREE_WORDS = re.compile(r'\b(free entry|free admission|eintritt frei|admission free|free of charge)\b', re.I)
PRICE = re.compile(r'(?:€|EUR)\s*(\d+(?:[.,]\d{1,2})?)|(\d+(?:[.,]\d{1,2})?)\s*(?:€|EUR)\b', re.I)


@dataclass
class ImportReport:
    city: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    cancelled: int = 0  # occurrences the feed itself marks cancelled
    withdrawn: int = 0  # coming events of this feed it no longer lists, cancelled now

    def __str__(self) -> str:
        total = self.created + self.updated + self.unchanged
        return (
            f'Imported {total} events into {self.city}: {self.created} new, {self.updated} updated, '
            f'{self.unchanged} unchanged, {self.cancelled} cancelled, {self.withdrawn} withdrawn'
        )


def import_ics(
    *,
    session: Session,
    source: str,
    city_name: str,
    timezone: str | None = None,
    currency: str = 'EUR',
    default_category: str = 'music',
    horizon_days: int = 60,
    now: datetime,
) -> ImportReport:
    """Reads, checks and expands the whole feed, then writes it; never commits (the caller's transaction)."""
    if default_category not in CATEGORIES:
        raise IcsImportError(f'unknown category {default_category!r}; choose from: {", ".join(CATEGORIES)}')
    if not 1 <= horizon_days <= 366:
        raise IcsImportError('--days must be between 1 and 366')
    city = _find_city(session, city_name, timezone)
    zone = ZoneInfo(city.timezone if city else _zone_name(timezone))
    calendar = parse_calendar(read_source(source))
    end = now + timedelta(days=horizon_days)
    occurrences = expand(calendar, zone=zone, start=now, end=end)
    if city is None:
        city = City(name=city_name.strip(), timezone=_zone_name(timezone), currency=currency.upper())
        session.add(city)
        session.flush()
    fallback_venue = str(calendar.get('X-WR-CALNAME') or '').strip() or UNKNOWN_VENUE
    report = ImportReport(city=city.name)
    feed = feed_key(source)
    _store(session, city, feed, occurrences, default_category, fallback_venue, now, report)
    _withdraw_vanished(session, city, feed, feed_uids(calendar), occurrences, now, end, report)
    session.flush()
    return report


def _store(
    session: Session,
    city: City,
    feed: str,
    occurrences: list[Occurrence],
    default_category: str,
    fallback_venue: str,
    now: datetime,
    report: ImportReport,
) -> None:
    venues: dict[str, Venue] = {}
    records: list[EventRecord] = []
    for occurrence in occurrences:
        key = _source_id(city, occurrence)
        venue = _venue(session, city, occurrence.location or fallback_venue, venues)
        values = _event_values(occurrence, city, venue, default_category) | {'feed': feed}
        records.append(EventRecord(event_id=_event_id(key), source_id=key, values=values))
        report.cancelled += occurrence.cancelled
    counts = upsert_events(session=session, source=SOURCE, records=records, now=now)
    report.created, report.updated, report.unchanged = counts.created, counts.updated, counts.unchanged


def _withdraw_vanished(
    session: Session,
    city: City,
    feed: str,
    feed_uids: set[str],
    occurrences: list[Occurrence],
    now: datetime,
    end: datetime,
    report: ImportReport,
) -> None:
    """Coming events this feed gave the city before and lists no more, within the window this import read.

    An event past its start is history, and one beyond the window is not evidence of anything: both stay.
    Events stored before imports recorded their feed (feed '') count as this feed's when it lists their UID.
    """
    produced = {_source_id(city, o) for o in occurrences}
    coming = session.exec(
        select(Event)
        .where(
            Event.source == SOURCE,
            Event.city_id == city.id,
            col(Event.feed).in_((feed, '')),
            col(Event.starts_at) >= now,
            col(Event.starts_at) < end,
            col(Event.status) != 'cancelled',
        )
        .order_by(col(Event.starts_at), col(Event.id))
    ).all()
    for event in coming:
        if event.source_id in produced or (not event.feed and _uid_of(city, event.source_id) not in feed_uids):
            continue
        event.status, event.feed, event.updated_at = 'cancelled', feed, now
        report.withdrawn += 1


def _venue(session: Session, city: City, location: str, cache: dict[str, Venue]) -> Venue:
    name, _, address = location.partition(',')
    name = name.strip() or location
    key = f'{city.id}|{normalize_words(name)}'
    if key in cache:
        return cache[key]
    venue = session.exec(select(Venue).where(Venue.source == SOURCE, Venue.source_id == key)).first()
    if venue is None:
        venue = Venue(city_id=city.id, name=name, address=address.strip(), tags=[], source=SOURCE, source_id=key)
        session.add(venue)
        session.flush()
    cache[key] = venue
    return venue


def _event_values(occurrence: Occurrence, city: City, venue: Venue, default_category: str) -> dict:
    category, tags = _category_and_tags(occurrence.categories, default_category)
    if occurrence.all_day:
        tags.append('all-day')
    price = _price(occurrence.description)
    return {
        'city_id': city.id,
        'venue_id': venue.id,
        'title': occurrence.title,
        'description': occurrence.description,
        'category': category,
        'tags': tags,
        'starts_at': occurrence.starts_at,
        'ends_at': occurrence.ends_at,
        'price_min': price[0] if price else None,
        'price_max': price[1] if price else None,
        'currency': city.currency,
        'ticket_url': occurrence.url,
        'status': 'cancelled' if occurrence.cancelled else 'scheduled',
        'search_text': search_text_for(
            title=occurrence.title, description=occurrence.description, tags=tags, venue=venue
        ),
    }


def _category_and_tags(categories: tuple[str, ...], default: str) -> tuple[str, list[str]]:
    category = None
    tags: list[str] = []
    for raw in categories:
        word = normalize_words(raw)
        match = word if word in CATEGORIES else CATEGORY_WORDS.get(word)
        if match and category is None:
            category = match
        elif not match:
            tags.append(word.replace(' ', '-'))
    return category or default, list(dict.fromkeys(t for t in tags if t))


def _price(description: str) -> tuple[float, float] | None:
    """Prices written in the description ('Tickets €12-18', '10 EUR'), 'free entry' as 0, else unknown."""
    if FREE_WORDS.search(description):
        return 0.0, 0.0
    amounts = [float((a or b).replace(',', '.')) for a, b in PRICE.findall(description)]
    dash_range = re.search(r'(?:€|EUR)\s*(\d+)\s*[-\u2013]\s*(\d+)', description)
    if dash_range:
        amounts += [float(dash_range.group(2))]
    return (min(amounts), max(amounts)) if amounts else None


def _find_city(session: Session, name: str, timezone: str | None) -> City | None:
    if not name.strip():
        raise IcsImportError('--city must not be empty')
    city = session.exec(select(City).where(func.lower(City.name) == name.strip().lower())).first()
    if city is None and not timezone:
        raise IcsImportError(f'unknown city {name!r}: give --timezone (e.g. Europe/Berlin) to create it')
    if city is None:
        _zone_name(timezone)
    return city


def _zone_name(timezone: str | None) -> str:
    try:
        ZoneInfo(timezone or '')
    except (ZoneInfoNotFoundError, ValueError):
        raise IcsImportError(f'unknown time zone {timezone!r}; use an IANA name such as Europe/Berlin') from None
    return timezone or ''


def _source_id(city: City, occurrence: Occurrence) -> str:
    return f'{city.id}|{occurrence.uid}|{occurrence.recurrence}'


def _uid_of(city: City, source_id: str) -> str:
    # The recurrence part ('single' or an ISO instant) holds no '|'; a UID may.
    return source_id.removeprefix(f'{city.id}|').rpartition('|')[0]


def _event_id(source_id: str) -> str:
    return f'ics-{hashlib.sha1(source_id.encode()).hexdigest()[:20]}'
