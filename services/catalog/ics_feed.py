"""Reads an iCalendar feed (file or http(s) URL) and expands it into checked, dated occurrences.

No database here: `services.catalog.ics` stores what this reads. `ics_text` first splits the file into its
events and zones as text, so nothing outside the events (a broken VTODO, a second VCALENDAR, a missing
`END:VCALENDAR`) can refuse the feed. Then each event (a UID with its overrides) is parsed and expanded on
its own: a broken one is skipped and reported. A property an event can do without (CREATED, DTSTAMP, an
empty GEO) is dropped when unreadable, not the event. The feed is refused (`IcsImportError`, one line that
quotes nothing of the file) only when nothing in it can be read.

icalendar caches the zones a feed defines in one process-wide table, and a zone cached there wins over the
next feed's own definition of the same name. Each feed is therefore read under a lock with that table
emptied before and after, so no zone leaks from one feed into the next.
"""

import hashlib
import re
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from services.catalog.fetch import read_file_or_url
from services.catalog.ics_events import ESSENTIAL, Occurrence, label, occurrence, readable, uid_of
from services.catalog.ics_text import split_feed
from services.catalog.importing import DEFAULT_DURATIONS, ImportFailure, ImportLimits

_ZONE_CACHE = threading.Lock()
# Rules that would be expanded minute by minute for years before reaching the window are refused outright.
MAX_RULE_STEPS = 2_000_000
_STEP = {'SECONDLY': 1, 'MINUTELY': 60, 'HOURLY': 3600}
LOOKBACK = max(DEFAULT_DURATIONS.values())

__all__ = ['ESSENTIAL', 'FeedReading', 'IcsImportError', 'Occurrence', 'feed_key', 'read_feed', 'read_source']


class IcsImportError(ImportFailure):
    """The feed cannot be imported; the message is one line for the person running the command."""


@dataclass
class FeedReading:
    """What a feed holds for a window: the occurrences, and everything the report must say about the rest."""

    occurrences: list[Occurrence] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    capped: list[str] = field(default_factory=list)
    uids: set[str] = field(default_factory=set)
    calendar_name: str = ''
    zone: ZoneInfo | None = None  # X-WR-TIMEZONE, when the feed names a real zone
    truncated: bool = False  # the file was cut short: no evidence that what is missing is gone


def feed_key(source: str) -> str:
    """Which feed events came from: its URL or the file's absolute path, hashed (private calendar URLs
    carry secret tokens, which have no place in the catalog)."""
    if re.match(r'^(https?|webcal)://', source, re.I):
        name = re.sub(r'^webcal://', 'https://', source, flags=re.I)
    else:
        name = str(Path(source).resolve())
    return hashlib.sha1(name.encode()).hexdigest()[:20]


def read_source(source: str) -> bytes:
    """The feed's bytes, from a file or an http(s)/webcal URL (services.catalog.fetch), errors as IcsImportError."""
    try:
        return read_file_or_url(re.sub(r'^webcal://', 'https://', source, flags=re.I))
    except ImportFailure as error:
        raise IcsImportError(str(error)) from None


def read_feed(raw: bytes, *, zone: ZoneInfo, start: datetime, end: datetime, limits: ImportLimits) -> FeedReading:
    """Every readable occurrence running in [start, end), recurrences expanded. Floating times are read in
    the feed's X-WR-TIMEZONE, else in `zone` (the city's). IcsImportError when nothing can be read."""
    if not raw.strip():
        raise IcsImportError('the file is empty')
    text = split_feed(raw)
    if not text.calendars:
        raise IcsImportError('not a valid iCalendar file: it has no BEGIN:VCALENDAR line')
    reading = FeedReading(notes=list(text.notes), calendar_name=text.header.get('X-WR-CALNAME', '').strip())
    reading.truncated = text.truncated
    reading.zone = _named_zone(text.header.get('X-WR-TIMEZONE', ''), reading)
    with _ZONE_CACHE:
        icalendar.use_zoneinfo()  # empties icalendar's zone cache: only this feed's zones count
        try:
            zones = _parse_zones(text.zones, reading)
            groups = _parse_events(text.events, reading)
            _expand_all(zones, groups, reading.zone or zone, start, end, limits, reading)
        finally:
            icalendar.use_zoneinfo()
    if reading.skipped and not reading.uids:
        raise IcsImportError(f'no event in the feed can be read; first: {reading.skipped[0]}')
    reading.occurrences.sort(key=lambda o: (o.starts_at, o.uid))
    return reading


def _named_zone(name: str, reading: FeedReading) -> ZoneInfo | None:
    if not name.strip():
        return None
    try:
        return ZoneInfo(name.strip())
    except (ValueError, KeyError):
        reading.notes.append(f'X-WR-TIMEZONE {name.strip()[:60]!r} is no known zone: floating times read in the city')
        return None


def _parse_zones(texts: list[str], reading: FeedReading) -> list:
    zones = []
    for text in texts:
        try:
            zones.append(icalendar.Component.from_ical(text))
        except Exception as error:  # icalendar raises many types for a broken VTIMEZONE; it only loses that zone
            reading.notes.append(f'a VTIMEZONE could not be read ({_first_line(str(error))})')
    return zones


def _parse_events(texts: list[str], reading: FeedReading) -> dict[str, list[icalendar.Event]]:
    """Readable events grouped by UID (a series with its overrides); the others skipped with their reason."""
    groups: dict[str, list[icalendar.Event]] = {}
    for number, text in enumerate(texts, start=1):
        try:
            component = icalendar.Component.from_ical(text)
        except Exception as error:  # a VEVENT icalendar cannot even split into properties
            reading.skipped.append(f'event #{number} in the feed: not readable ({_first_line(str(error))})')
            continue
        problem, dropped = readable(component)
        if problem:
            reading.skipped.append(f'{label(component, number)}: {problem}')
            continue
        if dropped:
            reading.notes.append(f'{label(component, number)}: unreadable {", ".join(dropped)} left out')
        groups.setdefault(uid_of(component), []).append(component)
    reading.uids = set(groups)
    return groups


def _expand_all(
    zones: list,
    groups: dict[str, list[icalendar.Event]],
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
    limits: ImportLimits,
    reading: FeedReading,
) -> None:
    # A one-off event is keyed by its UID alone, so moving it in the feed updates it instead of adding one.
    series = {u for u, group in groups.items() if any({'RRULE', 'RDATE', 'RECURRENCE-ID'} & set(c) for c in group)}
    deadline = time.monotonic() + limits.time_budget_s
    for number, (uid, group) in enumerate(groups.items()):
        if time.monotonic() > deadline:
            reading.capped.append(
                f'time budget of {limits.time_budget_s:g} s spent: {len(groups) - number} event(s) not read'
            )
            return
        if len(reading.occurrences) >= limits.max_events:
            reading.capped.append(f'{limits.max_events} events read: {len(groups) - number} event(s) not read')
            return
        try:
            reading.occurrences += _expand_one(zones, group, zone, uid in series, start, end, limits, reading)
        except Exception as error:  # the libraries raise many types for broken rules; all mean "unreadable"
            reading.skipped.append(f'{uid}: cannot expand ({_first_line(str(error))})')
            reading.uids.discard(uid)


def _expand_one(
    zones: list,
    group: list[icalendar.Event],
    zone: ZoneInfo,
    is_series: bool,
    start: datetime,
    end: datetime,
    limits: ImportLimits,
    reading: FeedReading,
) -> list[Occurrence]:
    """One event (a UID with its overrides) on its own small calendar, so its errors stay its own."""
    _check_rule_size(group, start)
    single = icalendar.Calendar()
    for component in [*zones, *group]:
        single.add_component(component)
    found: list[Occurrence] = []
    keys: dict[str, Occurrence] = {}
    # Look back by the longest default length: an event the feed gives no end may still be running.
    for component in recurring_ical_events.of(single).after(start - LOOKBACK):
        item = _own_key(occurrence(component, zone, is_series), keys)
        if item.starts_at >= end:
            break
        if item.ends_at is not None and item.ends_at <= start:
            continue  # over before the window: only the lookback's events without an end are still in question
        if len(found) >= limits.max_occurrences:
            reading.capped.append(f'{item.uid}: series capped at {limits.max_occurrences} occurrences')
            break
        found.append(item)
    return found


def _own_key(item: Occurrence, keys: dict[str, Occurrence]) -> Occurrence:
    """An override with RANGE=THISANDFUTURE hands its RECURRENCE-ID to every later occurrence: each of those
    is keyed by its own original start instead (its start shifted back by the override's move)."""
    first = keys.setdefault(item.recurrence, item)
    if first is item or item.recurrence == 'single':
        return item
    moved = first.starts_at - datetime.fromisoformat(first.recurrence)
    original = (item.starts_at - moved).astimezone(UTC).isoformat()
    item = replace(item, recurrence=original)
    keys.setdefault(original, item)
    return item


def _check_rule_size(group: list[icalendar.Event], start: datetime) -> None:
    for component in group:
        rule = component.get('RRULE')
        freq = str((rule or {}).get('FREQ', [''])[0]).upper() if rule is not None else ''
        if freq not in _STEP:
            continue
        first = component['DTSTART'].dt
        first = first if isinstance(first, datetime) else datetime(first.year, first.month, first.day)
        first = first if first.tzinfo else first.replace(tzinfo=UTC)
        interval = int((rule.get('INTERVAL') or [1])[0]) * _STEP[freq]
        if (start - first).total_seconds() / interval > MAX_RULE_STEPS:
            raise ValueError(f'a {freq} rule from {first:%Y-%m-%d} is too frequent to expand')


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:160] if text.strip() else 'unreadable'
