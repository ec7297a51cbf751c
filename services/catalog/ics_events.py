"""One iCalendar VEVENT as the catalog needs it: checked, its unreadable extras dropped, read into an Occurrence.

icalendar raises only when a broken property is touched, so `readable` touches every one: a broken
property the event's dates depend on (ESSENTIAL) makes the event a skip with its reason; any other
(CREATED:00001231T000000Z, a DTSTAMP with a trailing space, an empty GEO) is dropped and the event kept.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import icalendar

from services.catalog.clean import plain_text

ESSENTIAL = ('DTSTART', 'DTEND', 'DURATION', 'RRULE', 'RDATE', 'EXDATE', 'RECURRENCE-ID')
# A LOCATION that is a link or names a video-call service is an online meeting: nowhere to go.
ONLINE = re.compile(
    r'^\s*https?://|\b(zoom\.us|meet\.google\.com|teams\.microsoft\.com|teams\.live\.com|webex\.com|'
    r'whereby\.com|jitsi|online event|online only|livestream)\b',
    re.I,
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
    lat: float | None
    lon: float | None
    starts_at: datetime
    ends_at: datetime | None  # None: the feed gives neither DTEND nor DURATION
    all_day: bool
    cancelled: bool
    online: bool


def readable(component: icalendar.Event) -> tuple[str, list[str]]:
    """Why this event cannot be read ('' when it can), and the names of the extra properties dropped."""
    dropped: list[str] = []
    for name, problem in list(component.errors):
        if name.upper() in ESSENTIAL:
            return f'bad {name} ({_first_line(str(problem))})', dropped
        _drop(component, name, dropped)
    if component.get('DTSTART') is None:
        return 'no start (DTSTART)', dropped
    for name in list(component):
        try:
            value = component[name]
            for item in value if isinstance(value, list) else [value]:
                getattr(item, 'dt', None)
                getattr(item, 'dts', None)
                item.to_ical()
            if name == 'GEO':
                geo_of(component)
        except Exception as error:  # any failure to read a property: the event's, or just that property's
            if name.upper() in ESSENTIAL:
                return f'unreadable {name} ({_first_line(str(error))})', dropped
            _drop(component, name, dropped)
    return '', dropped


def _drop(component: icalendar.Event, name: str, dropped: list[str]) -> None:
    if name in component:
        del component[name]
    if name.upper() not in dropped:
        dropped.append(name.upper())


def occurrence(component: icalendar.Event, zone: ZoneInfo, is_series: bool) -> Occurrence:
    """One expanded occurrence; floating times and dates are read in `zone`."""
    raw_start = component['DTSTART'].dt
    all_day = not isinstance(raw_start, datetime)
    starts_at = instant(raw_start, zone)
    ends_at = None
    if component.get('DTEND') is not None:
        ends_at = instant(component['DTEND'].dt, zone)
    elif component.get('DURATION') is not None:
        ends_at = starts_at + component['DURATION'].dt
    # recurring-ical-events gives every occurrence an end (DTSTART itself when the feed gave none); an end
    # at the start is "no length given", which the importer replaces by its default for the kind of event.
    if ends_at is not None and ends_at <= starts_at:
        ends_at = None
    recurrence = component.get('RECURRENCE-ID') if is_series else None
    location = _text(component.get('LOCATION'))
    geo = geo_of(component)
    return Occurrence(
        uid=uid_of(component),
        recurrence=instant(recurrence.dt, zone).astimezone(UTC).isoformat() if recurrence else 'single',
        title=plain_text(_text(component.get('SUMMARY'))) or 'Untitled event',
        description=plain_text(_text(component.get('DESCRIPTION'))),
        categories=tuple(_categories(component)),
        location=location,
        url=_text(component.get('URL')),
        lat=geo[0] if geo else None,
        lon=geo[1] if geo else None,
        starts_at=starts_at,
        ends_at=ends_at,
        all_day=all_day,
        cancelled=_text(component.get('STATUS')).upper() == 'CANCELLED',
        online=bool(location and ONLINE.search(location)),
    )


def geo_of(component: icalendar.Event) -> tuple[float, float] | None:
    geo = component.get('GEO')
    if geo is None:
        return None
    lat, lon = float(geo.latitude), float(geo.longitude)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f'GEO out of range: {lat};{lon}')
    return lat, lon


def instant(value: date | datetime, zone: ZoneInfo) -> datetime:
    """Aware datetime: dates are midnight in `zone`, floating times its wall clock."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(0), zone)
    return value.replace(tzinfo=zone) if value.tzinfo is None else value


def uid_of(component: icalendar.Event) -> str:
    return _text(component.get('UID')) or _fallback_uid(component)


def _fallback_uid(component: icalendar.Event) -> str:
    # RFC 5545 requires a UID; without one, the title and start are the best stable key there is.
    start = component.get('DTSTART')
    text = f'{component.get("SUMMARY")}|{start.to_ical().decode() if start is not None else ""}'
    return f'no-uid-{hashlib.sha1(text.encode()).hexdigest()[:16]}'


def label(component: icalendar.Event, number: int) -> str:
    """The UID, else the title, else the event's place in the feed: what a person can find it by."""
    for name in ('UID', 'SUMMARY'):
        try:
            text = _text(component.get(name))
        except Exception:  # a broken UID or SUMMARY is no label
            text = ''
        if text:
            return text[:120]
    return f'event #{number} in the feed'


def _categories(component: icalendar.Event) -> list[str]:
    values = component.get('CATEGORIES')
    if values is None:
        return []
    found: list[str] = []
    for value in values if isinstance(values, list) else [values]:
        found.extend(str(c).strip() for c in getattr(value, 'cats', [value]) if str(c).strip())
    return found


def _text(value: object) -> str:
    if isinstance(value, list):
        value = value[0] if value else ''
    return str(value or '').strip()


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:160] if text.strip() else 'unreadable'
