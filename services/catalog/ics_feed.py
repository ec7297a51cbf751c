"""Reads an iCalendar feed (file or http(s) URL) and expands it into checked, dated occurrences.

No database here: `services.catalog.ics` stores what this reads. Feeds in the wild carry events that
cannot be read (Google's birthday export writes `RDATE:20131210Z`; icalendar raises only when such a
property is touched), so each event (a UID with its overrides) is read and expanded on its own: a broken
one is skipped and reported, and the feed is refused (`IcsImportError`, one line) only when nothing in
it can be read.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from services.catalog.fetch import read_file_or_url
from services.catalog.importing import ImportFailure

DEFAULT_DURATION = timedelta(hours=2)


class IcsImportError(ImportFailure):
    """The feed cannot be imported; the message is one line for the person running the command."""


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
    lat: float | None
    lon: float | None
    starts_at: datetime
    ends_at: datetime
    all_day: bool
    cancelled: bool


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


def parse_calendar(raw: bytes) -> icalendar.Calendar:
    """The calendar, or IcsImportError naming the first thing wrong with it."""
    try:
        calendar = icalendar.Calendar.from_ical(raw)
    except ValueError as error:
        raise IcsImportError(f'not a valid iCalendar file ({_first_line(str(error))})') from None
    if calendar.name != 'VCALENDAR':
        raise IcsImportError(f'not an iCalendar feed: it holds a {calendar.name}, not a VCALENDAR')
    return calendar


def expand(
    calendar: icalendar.Calendar, *, zone: ZoneInfo, start: datetime, end: datetime
) -> tuple[list[Occurrence], list[str]]:
    """Every readable occurrence starting in [start, end), recurrences expanded, in the city's zone when
    floating; and 'label: reason' for each event skipped. IcsImportError when events exist and none is read."""
    groups: dict[str, list[icalendar.Event]] = {}
    skipped: list[str] = []
    for number, component in enumerate(calendar.walk('VEVENT'), start=1):
        problem = _problem(component)
        if problem:
            skipped.append(f'{_label(component, number)}: {problem}')
        else:
            groups.setdefault(_uid(component), []).append(component)
    # A one-off event is keyed by its UID alone, so moving it in the feed updates it instead of adding one.
    series = {uid for uid, group in groups.items() if any({'RRULE', 'RDATE', 'RECURRENCE-ID'} & set(c) for c in group)}
    zones = list(calendar.walk('VTIMEZONE'))
    occurrences: list[Occurrence] = []
    read = 0
    for uid, group in groups.items():
        try:
            occurrences += _expand_one(zones, group, zone, series, start, end)
            read += 1
        except Exception as error:  # the libraries raise many types for broken rules; all mean "unreadable"
            skipped.append(f'{uid}: cannot expand ({_first_line(str(error))})')
    if skipped and not read:
        raise IcsImportError(f'no event in the feed can be read; first: {skipped[0]}')
    return sorted(occurrences, key=lambda o: (o.starts_at, o.uid)), skipped


def _expand_one(
    zones: list, group: list[icalendar.Event], zone: ZoneInfo, series: set[str], start: datetime, end: datetime
) -> list[Occurrence]:
    """One event (a UID with its overrides) on its own small calendar, so its errors stay its own."""
    single = icalendar.Calendar()
    for component in [*zones, *group]:
        single.add_component(component)
    components = list(recurring_ical_events.of(single).between(start, end))
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
    geo = _geo(component)
    return Occurrence(
        uid=uid,
        recurrence=_instant(recurrence.dt, zone).astimezone(UTC).isoformat() if recurrence else 'single',
        title=str(component.get('SUMMARY') or '').strip() or 'Untitled event',
        description=str(component.get('DESCRIPTION') or '').strip(),
        categories=tuple(_categories(component)),
        location=str(component.get('LOCATION') or '').strip(),
        url=str(component.get('URL') or '').strip(),
        lat=geo[0] if geo else None,
        lon=geo[1] if geo else None,
        starts_at=starts_at,
        ends_at=max(ends_at, starts_at),
        all_day=all_day,
        cancelled=str(component.get('STATUS') or '').upper() == 'CANCELLED',
    )


def _problem(component: icalendar.Event) -> str:
    """Why this event cannot be read, or ''. icalendar raises on access, so every property is touched here."""
    if component.errors:
        name, problem = component.errors[0]
        return f'bad {name} ({_first_line(str(problem))})'
    if component.get('DTSTART') is None:
        return 'no start (DTSTART)'
    try:
        for name in component:
            value = component[name]
            for item in value if isinstance(value, list) else [value]:
                getattr(item, 'dt', None)
                getattr(item, 'dts', None)
                item.to_ical()
        _geo(component)
    except Exception as error:  # any failure to read a property makes this one event unreadable
        return f'unreadable property ({_first_line(str(error))})'
    return ''


def _geo(component: icalendar.Event) -> tuple[float, float] | None:
    geo = component.get('GEO')
    if geo is None:
        return None
    lat, lon = float(geo.latitude), float(geo.longitude)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f'GEO out of range: {lat};{lon}')
    return lat, lon


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


def feed_uids(calendar: icalendar.Calendar) -> set[str]:
    """Every UID the feed lists, including series with no occurrence inside the window."""
    return {_uid(component) for component in calendar.walk('VEVENT')}


def _uid(component: icalendar.Event) -> str:
    return str(component.get('UID') or '').strip() or _fallback_uid(component)


def _fallback_uid(component: icalendar.Event) -> str:
    # RFC 5545 requires a UID; without one, the title and start are the best stable key there is.
    text = f'{component.get("SUMMARY")}|{component["DTSTART"].to_ical().decode()}'
    return f'no-uid-{hashlib.sha1(text.encode()).hexdigest()[:16]}'


def _label(component: icalendar.Event, number: int) -> str:
    """The UID, else the title, else the event's place in the feed: what a person can find it by."""
    for name in ('UID', 'SUMMARY'):
        try:
            text = str(component.get(name) or '').strip()
        except Exception:  # a broken UID or SUMMARY is no label
            text = ''
        if text:
            return text
    return f'event #{number} in the feed'


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:160] if text.strip() else 'unreadable'
