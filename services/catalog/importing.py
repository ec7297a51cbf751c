"""What every importer (.ics, JSON-LD pages, Ticketmaster) shares: the city, venues, categories, the report,
and withdrawing what a source no longer lists. Writes go through `store.upsert_events`.

Importers read and check everything first and write last, inside the caller's one transaction, so a fatal
error leaves the catalog untouched. `ImportFailure` messages are one line for the person running the import.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.catalog import CATEGORIES, City, Event, Venue
from services.catalog.search_text import normalize_words
from services.catalog.store import EventRecord, upsert_events
from settings import settings

# Events no source word places in one of CATEGORIES ("Miscellaneous", "Undefined", a bare Event): kept, found
# by search, never offered for an interest they do not have.
OTHER = 'other'
# How long an event lasts when its source gives no end (docs/SOURCES.md states these).
DEFAULT_DURATIONS: dict[str, timedelta] = {
    'music': timedelta(hours=3), 'nightlife': timedelta(hours=5), 'theatre': timedelta(hours=2, minutes=30),
    'comedy': timedelta(hours=2), 'film': timedelta(hours=2), 'talks': timedelta(hours=1, minutes=30),
    'food': timedelta(hours=2), 'art': timedelta(hours=2), 'markets': timedelta(hours=4),
    'sports': timedelta(hours=2), 'outdoors': timedelta(hours=3), 'wellness': timedelta(hours=1, minutes=30),
}  # fmt: skip
DEFAULT_DURATION = timedelta(hours=2)
# Imported although it started before now: still running, and long enough for a drop-in visit.
ONGOING_MIN_LENGTH = timedelta(hours=3)

# Words sources use for our categories; anything else becomes a tag (often a genre).
CATEGORY_WORDS: dict[str, str] = {
    'concert': 'music', 'concerts': 'music', 'gig': 'music', 'live music': 'music', 'konzert': 'music',
    'musicevent': 'music', 'rock': 'music', 'pop': 'music', 'jazz': 'music',
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
    'arts': 'art', 'visual arts': 'art', 'fine art': 'art', 'film festival': 'film', 'comedy': 'comedy',
    'children s theatre': 'theatre', 'theatre': 'theatre', 'classical music': 'music', 'opera house': 'theatre',
    'musicfestival': 'music', 'music festival': 'music', 'socialevent': 'nightlife', 'childrensevent': 'outdoors',
    'businessevent': 'talks', 'courseinstance': 'talks', 'hackathon': 'talks', 'exhibition event': 'art',
}  # fmt: skip
# Words that say nothing about the kind of event: neither a category nor a tag.
NO_KIND = ('undefined', 'other', 'event', 'miscellaneous', 'misc', 'general')
UNCLASSIFIED = ('undefined', 'other', 'miscellaneous', 'misc')


@dataclass(frozen=True)
class ImportLimits:
    """How much one import may read (settings IMPORT_MAX_OCCURRENCES, IMPORT_MAX_EVENTS, IMPORT_TIME_BUDGET_S)."""

    max_occurrences: int
    max_events: int
    time_budget_s: float

    @classmethod
    def from_settings(cls) -> 'ImportLimits':
        return cls(
            max_occurrences=settings.import_max_occurrences,
            max_events=settings.import_max_events,
            time_budget_s=settings.import_time_budget_s,
        )


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
    capped: list[str] = field(default_factory=list)  # what a limit cut off (IMPORT_MAX_OCCURRENCES ...)
    flagged: list[str] = field(default_factory=list)  # positions not believed (swapped, far away): not mapped
    notes: list[str] = field(default_factory=list)  # what was read differently from how it was written
    positions: int = 0  # events read with a venue position

    def __str__(self) -> str:
        total = self.created + self.updated + self.unchanged + self.linked
        text = (
            f'Imported {total} events into {self.city}: {self.created} new, {self.updated} updated, '
            f'{self.unchanged} unchanged, {self.linked} linked, {self.cancelled} cancelled, '
            f'{self.withdrawn} withdrawn, {len(self.skipped)} skipped'
        )
        return '\n'.join(self.lines(text))

    def lines(self, first: str) -> list[str]:
        return [
            first,
            *(f'  skipped {line}' for line in self.skipped),
            *(f'  capped {line}' for line in self.capped),
            *(f'  flagged {line}' for line in self.flagged),
            *(f'  note {line}' for line in self.notes),
        ]


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
    unclassified = False
    for raw in words:
        word = normalize_words(raw)
        match = word if word in CATEGORIES else CATEGORY_WORDS.get(word)
        if match and category is None:
            category = match
        elif word and word not in CATEGORIES and word not in NO_KIND:
            tags.append(word.replace(' ', '-'))
        unclassified = unclassified or word in UNCLASSIFIED
    # "Miscellaneous" is the source saying it does not know: that is no reason to call it music.
    return category or (OTHER if unclassified else default), list(dict.fromkeys(t for t in tags if t))


def default_end(starts_at: datetime, category: str, all_day: bool) -> datetime:
    """When an event the source gives no end for ends: the next midnight for a day, else its kind's length."""
    if all_day:
        return starts_at + timedelta(days=1)
    return starts_at + DEFAULT_DURATIONS.get(category, DEFAULT_DURATION)


def worth_importing(starts_at: datetime, ends_at: datetime, now: datetime) -> bool:
    """Starts from now on, or is a long event (festival, exhibition) still running: drop-in visits use those."""
    return starts_at >= now or (ends_at > now and ends_at - starts_at >= ONGOING_MIN_LENGTH)


def stable_id(prefix: str, source_id: str) -> str:
    return f'{prefix}-{hashlib.sha1(source_id.encode()).hexdigest()[:20]}'


def store(
    session: Session,
    source: str,
    records: list[EventRecord],
    now: datetime,
    report: ImportReport,
    *,
    fill: bool = False,
    limits: ImportLimits | None = None,
) -> None:
    """Writes the records through `upsert_events` (at most IMPORT_MAX_EVENTS) and counts what happened."""
    limit = (limits or ImportLimits.from_settings()).max_events
    if len(records) > limit:
        report.capped.append(f'{len(records)} events read, the first {limit} imported (IMPORT_MAX_EVENTS)')
        records = sorted(records, key=lambda r: r.values.get('starts_at') or now)[:limit]
    counts = upsert_events(session=session, source=source, records=records, now=now, fill=fill)
    report.created, report.updated, report.unchanged = counts.created, counts.updated, counts.unchanged
    report.linked = counts.linked
    report.cancelled += sum(r.values.get('status') == 'cancelled' for r in _unique(records))
    if counts.merged:
        report.notes.append(f'{counts.merged} listing(s) of an event already listed in this import merged into it')
    report.notes += [f'{line} is not a safe http(s) link: left out' for line in counts.dropped_urls]


def _unique(records: list[EventRecord]) -> list[EventRecord]:
    return list({r.source_id: r for r in records}.values())


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
