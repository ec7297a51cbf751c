"""Imports an iCalendar feed (file or http(s) URL) into one city of the catalog.

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
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events
from sqlalchemy import func
from sqlmodel import Session, col, select

from models.catalog import CATEGORIES, City, Event, Venue
from services.catalog import normalize_words, search_text_for, upsert_event

SOURCE = 'ics'
MAX_FEED_BYTES = 20 * 1024 * 1024
FETCH_TIMEOUT_S = 20
DEFAULT_DURATION = timedelta(hours=2)
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


class IcsImportError(Exception):
    """The feed cannot be imported; the message is one line for the person running the command."""


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


@dataclass(frozen=True)
class Occurrence:
    """One dated event read from the feed, checked, before it meets the database."""

    uid: str
    recurrence: str
    title: str
    description: str
    categories: tuple[str, ...]
    location: str
    url: str
    starts_at: datetime
    ends_at: datetime
    all_day: bool
    cancelled: bool


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
    _withdraw_vanished(session, city, feed, _uids(calendar), occurrences, now, end, report)
    session.flush()
    return report


def feed_key(source: str) -> str:
    """Which feed events came from: its URL or the file's absolute path, hashed (private calendar URLs
    carry secret tokens, which have no place in the catalog)."""
    if re.match(r'^(https?|webcal)://', source, re.I):
        name = re.sub(r'^webcal://', 'https://', source, flags=re.I)
    else:
        name = str(Path(source).resolve())
    return hashlib.sha1(name.encode()).hexdigest()[:20]


def read_source(source: str) -> bytes:
    if re.match(r'^(https?|webcal)://', source, re.I):
        return _fetch(re.sub(r'^webcal://', 'https://', source, flags=re.I))
    path = Path(source)
    try:
        if path.stat().st_size > MAX_FEED_BYTES:
            raise IcsImportError(f'{source} is larger than {MAX_FEED_BYTES // 1024 // 1024} MB')
        return path.read_bytes()
    except FileNotFoundError:
        raise IcsImportError(f'no such file: {source}') from None
    except OSError as error:
        raise IcsImportError(f'cannot read {source}: {error.strerror or error}') from None


def _fetch(url: str) -> bytes:
    request = urllib.request.Request(url, headers={'User-Agent': 'trip-bundles-ics-import'})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as response:
            body = response.read(MAX_FEED_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise IcsImportError(f'{url} answered HTTP {error.code}') from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, 'reason', error)
        raise IcsImportError(f'cannot fetch {url}: {reason}') from None
    if len(body) > MAX_FEED_BYTES:
        raise IcsImportError(f'{url} is larger than {MAX_FEED_BYTES // 1024 // 1024} MB')
    return body


def parse_calendar(raw: bytes) -> icalendar.Calendar:
    """The calendar, or IcsImportError naming the first thing wrong with it."""
    try:
        calendar = icalendar.Calendar.from_ical(raw)
    except ValueError as error:
        raise IcsImportError(f'not a valid iCalendar file ({_first_line(str(error))})') from None
    if calendar.name != 'VCALENDAR':
        raise IcsImportError(f'not an iCalendar feed: it holds a {calendar.name}, not a VCALENDAR')
    for component in calendar.walk('VEVENT'):
        label = _label(component)
        if component.errors:
            name, problem = component.errors[0]
            raise IcsImportError(f'event {label}: bad {name} ({_first_line(str(problem))})')
        if component.get('DTSTART') is None:
            raise IcsImportError(f'event {label} has no start (DTSTART)')
    return calendar


def expand(calendar: icalendar.Calendar, *, zone: ZoneInfo, start: datetime, end: datetime) -> list[Occurrence]:
    """Every occurrence starting in [start, end), recurrences expanded, in the city's zone when floating."""
    try:
        components = list(recurring_ical_events.of(calendar).between(start, end))
    except Exception as error:  # the library raises many types for broken rules; all mean "bad feed"
        raise IcsImportError(f'cannot expand recurring events ({_first_line(str(error))})') from None
    # A one-off event is keyed by its UID alone, so moving it in the feed updates it instead of adding one.
    series = {str(c.get('UID')) for c in calendar.walk('VEVENT') if {'RRULE', 'RDATE', 'RECURRENCE-ID'} & set(c)}
    occurrences = [_occurrence(component, zone, series) for component in components]
    # between() also returns events already running at `start`; only ones that start inside count (an
    # all-day event counts for the whole of its day).
    today = start.astimezone(zone).date()
    return sorted(
        (
            o
            for o in occurrences
            if o.starts_at < end and (o.starts_at >= start or (o.all_day and o.starts_at.date() >= today))
        ),
        key=lambda o: (o.starts_at, o.uid),
    )


def _occurrence(component: icalendar.Event, zone: ZoneInfo, series: set[str]) -> Occurrence:
    raw_start = component['DTSTART'].dt
    all_day = not isinstance(raw_start, datetime)
    starts_at = _instant(raw_start, zone)
    end_prop = component.get('DTEND')
    if end_prop is not None:
        ends_at = _instant(end_prop.dt, zone)
    elif component.get('DURATION') is not None:
        ends_at = starts_at + component['DURATION'].dt
    else:
        ends_at = starts_at + (timedelta(days=1) if all_day else DEFAULT_DURATION)
    recurrence = component.get('RECURRENCE-ID')
    uid = _uid(component)
    if uid not in series:
        recurrence = None
    return Occurrence(
        uid=uid,
        recurrence=_instant(recurrence.dt, zone).astimezone(UTC).isoformat() if recurrence else 'single',
        title=str(component.get('SUMMARY') or '').strip() or 'Untitled event',
        description=str(component.get('DESCRIPTION') or '').strip(),
        categories=tuple(_categories(component)),
        location=str(component.get('LOCATION') or '').strip(),
        url=str(component.get('URL') or '').strip(),
        starts_at=starts_at,
        ends_at=max(ends_at, starts_at),
        all_day=all_day,
        cancelled=str(component.get('STATUS') or '').upper() == 'CANCELLED',
    )


def _instant(value: date | datetime, zone: ZoneInfo) -> datetime:
    """Aware datetime: dates are midnight in the city, floating times are the city's wall clock."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(0), zone)
    return value.replace(tzinfo=zone) if value.tzinfo is None else value


def _categories(component: icalendar.Event) -> list[str]:
    values = component.get('CATEGORIES')
    if values is None:
        return []
    found: list[str] = []
    for value in values if isinstance(values, list) else [values]:
        found.extend(str(c).strip() for c in getattr(value, 'cats', [value]) if str(c).strip())
    return found


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
    keys = [_source_id(city, o) for o in occurrences]
    existing = {e.source_id: e for e in session.exec(select(Event).where(col(Event.source_id).in_(keys))).all()}
    for key, occurrence in zip(keys, occurrences, strict=True):
        venue = _venue(session, city, occurrence.location or fallback_venue, venues)
        values = _event_values(occurrence, city, venue, default_category) | {'feed': feed}
        outcome = upsert_event(
            session=session,
            existing=existing.get(key),
            event_id=_event_id(key),
            source=SOURCE,
            source_id=key,
            values=values,
            now=now,
        )
        setattr(report, outcome, getattr(report, outcome) + 1)
        report.cancelled += occurrence.cancelled


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


def _uids(calendar: icalendar.Calendar) -> set[str]:
    """Every UID the feed lists, including series with no occurrence inside the window."""
    return {_uid(component) for component in calendar.walk('VEVENT')}


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


def _uid(component: icalendar.Event) -> str:
    return str(component.get('UID') or '').strip() or _fallback_uid(component)


def _fallback_uid(component: icalendar.Event) -> str:
    # RFC 5545 requires a UID; without one, the title and start are the best stable key there is.
    text = f'{component.get("SUMMARY")}|{component["DTSTART"].to_ical().decode()}'
    return f'no-uid-{hashlib.sha1(text.encode()).hexdigest()[:16]}'


def _label(component: icalendar.Event) -> str:
    return repr(str(component.get('SUMMARY') or component.get('UID') or '(untitled)'))


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:160] if text.strip() else 'unreadable'
