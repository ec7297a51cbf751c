"""Imports an iCalendar feed (file or http(s) URL, read by `ics_feed`) into one city of the catalog.

Recurring events are expanded over a horizon with recurring-ical-events; STATUS:CANCELLED is kept as the
event's status (a whole series, or one occurrence overridden by RECURRENCE-ID), so a re-import turns
events cancelled since into cancelled ones. Ids are stable (city + UID + original start), so importing
again updates instead of duplicating. Each event records the feed it came from, and a re-import withdraws
(marks cancelled, never deletes: generations keep naming them) the coming events of that feed and city
it no longer lists: a removed event, a series cut short. An event that cannot be read is skipped and
reported; a feed with nothing readable is refused. Everything is read before the first write, and the
caller's one transaction holds every write: a refused feed leaves the catalog untouched. GEO gives the
venue's position, URL the ticket link.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from models.catalog import CATEGORIES, City, Venue
from services.catalog.ics_feed import (
    IcsImportError,
    Occurrence,
    expand,
    feed_key,
    feed_uids,
    parse_calendar,
    read_source,
)
from services.catalog.importing import (
    ImportFailure,
    ImportReport,
    category_and_tags,
    ensure_city,
    find_city,
    stable_id,
    store,
    venue_for,
    withdraw_vanished,
    zone_name,
)
from services.catalog.search_text import search_text_for
from services.catalog.store import EventRecord

SOURCE = 'ics'
UNKNOWN_VENUE = 'Venue to be announced'
FREE_WORDS = re.compile(r'\b(free entry|free admission|eintritt frei|admission free|free of charge)\b', re.I)
PRICE = re.compile(r'(?:€|EUR)\s*(\d+(?:[.,]\d{1,2})?)|(\d+(?:[.,]\d{1,2})?)\s*(?:€|EUR)\b', re.I)

__all__ = ['ImportReport', 'import_ics']


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
    try:
        city = find_city(session, city_name, timezone)
    except ImportFailure as error:
        raise IcsImportError(str(error)) from None
    zone = ZoneInfo(city.timezone if city else zone_name(timezone))
    calendar = parse_calendar(read_source(source))
    end = now + timedelta(days=horizon_days)
    occurrences, skipped = expand(calendar, zone=zone, start=now, end=end)
    city = ensure_city(session, city, city_name, timezone, currency)
    fallback_venue = str(calendar.get('X-WR-CALNAME') or '').strip() or UNKNOWN_VENUE
    report = ImportReport(city=city.name, skipped=skipped)
    feed = feed_key(source)
    _store(session, city, feed, occurrences, default_category, fallback_venue, now, report)
    uids = feed_uids(calendar)
    withdraw_vanished(
        session,
        source=SOURCE,
        city=city,
        feeds=(feed, ''),
        produced={_source_id(city, o) for o in occurrences},
        start=now,
        end=end,
        now=now,
        report=report,
        # Events stored before imports recorded their feed (feed '') count as this feed's only when it
        # lists their UID.
        keep=lambda event: not event.feed and _uid_of(city, event.source_id) not in uids,
    )
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
        name, _, address = (occurrence.location or fallback_venue).partition(',')
        venue = venue_for(
            session,
            city,
            source=SOURCE,
            name=name.strip() or occurrence.location,
            address=address.strip(),
            lat=occurrence.lat,
            lon=occurrence.lon,
            cache=venues,
        )
        values = _event_values(occurrence, city, venue, default_category) | {'feed': feed}
        records.append(EventRecord(event_id=stable_id('ics', key), source_id=key, values=values))
    store(session, SOURCE, records, now, report)


def _event_values(occurrence: Occurrence, city: City, venue: Venue, default_category: str) -> dict:
    category, tags = category_and_tags(occurrence.categories, default_category)
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


def _price(description: str) -> tuple[float, float] | None:
    """Prices written in the description ('Tickets €12-18', '10 EUR'), 'free entry' as 0, else unknown."""
    if FREE_WORDS.search(description):
        return 0.0, 0.0
    amounts = [float((a or b).replace(',', '.')) for a, b in PRICE.findall(description)]
    dash_range = re.search(r'(?:€|EUR)\s*(\d+)\s*[-\u2013]\s*(\d+)', description)
    if dash_range:
        amounts += [float(dash_range.group(2))]
    return (min(amounts), max(amounts)) if amounts else None


def _source_id(city: City, occurrence: Occurrence) -> str:
    return f'{city.id}|{occurrence.uid}|{occurrence.recurrence}'


def _uid_of(city: City, source_id: str) -> str:
    # The recurrence part ('single' or an ISO instant) holds no '|'; a UID may.
    return source_id.removeprefix(f'{city.id}|').rpartition('|')[0]
