"""Imports an iCalendar feed (file or http(s) URL, read by `ics_feed`) into one city of the catalog.

Recurring events are expanded over a horizon with recurring-ical-events; STATUS:CANCELLED is kept as the
event's status (a whole series, or one occurrence overridden by RECURRENCE-ID), so a re-import turns
events cancelled since into cancelled ones. Ids are stable (city + UID + original start as an instant), so
importing again updates instead of duplicating. Each event records the feed it came from, and a re-import
withdraws (marks cancelled, never deletes: generations keep naming them) the coming events of that feed and
city it no longer lists: a removed event, a series cut short. An event that cannot be read is skipped and
reported, and so is an online meeting (a link or a video-call service as LOCATION: nowhere to go) and an
event whose GEO is far from the city; a feed with nothing readable is refused. Everything is read before
the first write, and the caller's one transaction holds every write: a refused feed leaves the catalog
untouched. GEO gives the venue's position (checked against the city, `places`), URL the ticket link
(resolved against the feed's URL), LOCATION "Name, address" or "Name (address)" the venue.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from models.catalog import CATEGORIES, City, Venue
from services.catalog.clean import absolute, page_base, split_location
from services.catalog.ics_feed import FeedReading, IcsImportError, Occurrence, feed_key, read_feed, read_source
from services.catalog.importing import (
    ImportFailure,
    ImportLimits,
    ImportReport,
    category_and_tags,
    default_end,
    ensure_city,
    find_city,
    stable_id,
    store,
    venue_for,
    withdraw_vanished,
    worth_importing,
    zone_name,
)
from services.catalog.places import Centre, city_centre, judge
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
    fill: bool = False,
    limits: ImportLimits | None = None,
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
    zone_key = city.timezone if city else zone_name(timezone)
    end = now + timedelta(days=horizon_days)
    reading = read_feed(
        read_source(source), zone=ZoneInfo(zone_key), start=now, end=end, limits=limits or ImportLimits.from_settings()
    )
    positions = [(o.lat, o.lon) for o in reading.occurrences if o.lat is not None and o.lon is not None]
    centre = city_centre(session, city, zone_key, positions)
    city = ensure_city(session, city, city_name, timezone, currency)
    report = ImportReport(city=city.name, skipped=reading.skipped, capped=reading.capped, notes=reading.notes)
    feed = feed_key(source)
    context = _Context(city, feed, default_category, reading.calendar_name or UNKNOWN_VENUE, page_base(source), centre)
    records = _records(session, context, reading, now, report)
    if not reading.occurrences and reading.uids:
        report.notes.append(f'none of its {len(reading.uids)} events runs between now and {end:%Y-%m-%d}')
    store(session, SOURCE, records, now, report, fill=fill, limits=limits)
    if not reading.capped and not reading.truncated:  # no evidence that what was not read is gone
        withdraw_vanished(
            session,
            source=SOURCE,
            city=city,
            feeds=(feed, ''),
            produced={r.source_id for r in records},
            start=now,
            end=end,
            now=now,
            report=report,
            # Events stored before imports recorded their feed (feed '') count as this feed's only when it
            # lists their UID.
            keep=lambda event: not event.feed and _uid_of(city, event.source_id) not in reading.uids,
        )
    session.flush()
    return report


@dataclass
class _Context:
    """What every event of one feed is stored with."""

    city: City
    feed: str
    category: str  # when the feed names none we know
    fallback_venue: str  # the calendar's name, for events without a LOCATION
    base: str  # the feed's URL, for relative links
    centre: Centre | None
    venues: dict[str, Venue] = field(default_factory=dict)


def _records(
    session: Session, context: _Context, reading: FeedReading, now: datetime, report: ImportReport
) -> list[EventRecord]:
    records: list[EventRecord] = []
    for occurrence in reading.occurrences:
        label = f'{occurrence.title} ({occurrence.starts_at:%Y-%m-%d})'
        if occurrence.online:
            report.skipped.append(f'{label}: online ({occurrence.location[:80]}), nowhere to go')
            continue
        category, tags = category_and_tags(occurrence.categories, context.category)
        ends_at = occurrence.ends_at or default_end(occurrence.starts_at, category, occurrence.all_day)
        if ends_at <= now and not _today(occurrence, now):
            continue  # over: like every past event, not this import's business
        if not worth_importing(occurrence.starts_at, ends_at, now) and not _today(occurrence, now):
            report.skipped.append(f'{label}: already started, and too short to drop in on')
            continue
        position = _position(occurrence, context, label, report)
        if position == 'far':
            continue
        record = _record(session, context, occurrence, category, tags, ends_at, position)
        records.append(record)
    return records


def _today(occurrence: Occurrence, now: datetime) -> bool:
    # An all-day event counts for the whole of its day.
    return occurrence.all_day and occurrence.starts_at.date() >= now.astimezone(occurrence.starts_at.tzinfo).date()


def _position(
    occurrence: Occurrence, context: _Context, label: str, report: ImportReport
) -> tuple[float, float] | str | None:
    if occurrence.lat is None or occurrence.lon is None:
        return None
    verdict, km = judge((occurrence.lat, occurrence.lon), context.centre)
    if verdict == 'far':
        report.skipped.append(f'{label}: not in {context.city.name} (GEO {km:.0f} km away)')
        return 'far'
    report.positions += 1
    if verdict == 'swapped':
        report.flagged.append(f'{label}: GEO {occurrence.lat};{occurrence.lon} looks swapped (lon;lat): not mapped')
        return None
    return occurrence.lat, occurrence.lon


def _record(
    session: Session,
    context: _Context,
    occurrence: Occurrence,
    category: str,
    tags: list[str],
    ends_at: datetime,
    position: tuple[float, float] | str | None,
) -> EventRecord:
    city = context.city
    name, address = split_location(occurrence.location or context.fallback_venue)
    name = name or UNKNOWN_VENUE
    lat, lon = position if isinstance(position, tuple) else (None, None)
    venue = venue_for(session, city, source=SOURCE, name=name, address=address, lat=lat, lon=lon, cache=context.venues)
    if occurrence.all_day:
        tags.append('all-day')
    price = _price(occurrence.description)
    key = _source_id(city, occurrence)
    values = {
        'city_id': city.id,
        'venue_id': venue.id,
        'title': occurrence.title,
        'description': occurrence.description,
        'category': category,
        'tags': tags,
        'starts_at': occurrence.starts_at,
        'ends_at': ends_at,
        'price_min': price[0] if price else None,
        'price_max': price[1] if price else None,
        'currency': city.currency,
        'ticket_url': absolute(occurrence.url, context.base),
        'status': 'cancelled' if occurrence.cancelled else 'scheduled',
        'feed': context.feed,
        'search_text': search_text_for(
            title=occurrence.title, description=occurrence.description, tags=tags, venue=venue
        ),
    }
    return EventRecord(event_id=stable_id('ics', key), source_id=key, values=values)


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
