"""Turns a timeframe ("This weekend", explicit dates...) into a concrete window in a city's time zone.

The window bounds when events may *start*; a club night starting inside it counts even if it ends after.
"""

import functools
from datetime import date, datetime, time, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

from models.generation import DateRange, NamedTimeframe, TimeWindow

NIGHT_ENDS = time(6, 0)  # a night out runs until 06:00 the next morning
WEEKEND_STARTS = time(17, 0)  # Friday 17:00
WEEKEND_ROLLS_OVER = time(18, 0)  # from Sunday 18:00 "this weekend" means the coming one
MAX_DAYS_AHEAD = timedelta(days=365)  # custom dates: the catalog lists no further, and datetime ends at 9999
FRIDAY, SUNDAY = 4, 6


class TimeframeError(ValueError):
    """The timeframe cannot give a window (e.g. dates wholly in the past); the message is for users."""


def resolve_window(timeframe: NamedTimeframe | DateRange, *, timezone: str, now: datetime) -> TimeWindow:
    zone = ZoneInfo(timezone)
    local_now = now.astimezone(zone)
    if isinstance(timeframe, DateRange):
        start, end = _custom_window(timeframe, local_now, zone)
    else:
        start, end = _named_window(timeframe, local_now, zone)
    label = describe_span(start, end, this_year=local_now.year)
    return TimeWindow(start=start, end=end, timezone=timezone, label=label)


def _named_window(name: NamedTimeframe, now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    today = now.date()
    match name:
        case 'Tonight':
            end_day = today if now.time() < NIGHT_ENDS else today + timedelta(days=1)
            return now, _at(end_day, NIGHT_ENDS, zone)
        case 'Tomorrow':
            tomorrow = today + timedelta(days=1)
            return _at(tomorrow, NIGHT_ENDS, zone), _at(tomorrow + timedelta(days=1), NIGHT_ENDS, zone)
        case 'This weekend':
            return _weekend_window(now, zone)
        case 'Next 7 days':
            return now, now + timedelta(days=7)
        case 'Next 30 days':
            return now, now + timedelta(days=30)
    raise TimeframeError(f'unknown timeframe {name!r}')


def _weekend_window(now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    weekday = now.weekday()
    if weekday == SUNDAY and now.time() >= WEEKEND_ROLLS_OVER:
        friday = now.date() + timedelta(days=5)
    else:
        friday = now.date() + timedelta(days=(FRIDAY - weekday) % 7 if weekday <= FRIDAY else -(weekday - FRIDAY))
    start = max(_at(friday, WEEKEND_STARTS, zone), now)
    end = _at(friday + timedelta(days=2), time(23, 59), zone)
    return start, end


def _custom_window(dates: DateRange, now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    # Checked on dates, before any time-zone arithmetic: a day like 9999-12-31 west of UTC is past datetime's range.
    latest = now.date() + MAX_DAYS_AHEAD
    if dates.end > latest:
        raise TimeframeError(f'dates can be at most a year ahead (until {latest.isoformat()})')
    end = _at(dates.end, time(23, 59), zone)
    if end <= now:
        raise TimeframeError('the chosen dates are in the past')
    return max(_at(dates.start, time(0, 0), zone), now), end


def _at(day: date, moment: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, moment, tzinfo=zone)


def describe_span(start: datetime, end: datetime, *, this_year: int | None = None) -> str:
    """'Fri 5 - Sun 7 Dec', 'Sun 30 Nov - Sat 6 Dec' or 'Fri 5 Dec'; the year too when it is not `this_year`
    (or, without `this_year`, when the span crosses into another year)."""
    first, last = start.date(), end.date()
    year = f' {last.year}' if last.year != (this_year or first.year) else ''
    if first == last:
        return f'{first:%a} {first.day} {first:%b}{year}'
    head = f'{first:%a} {first.day}'
    if (first.year, first.month) != (last.year, last.month):
        head += f' {first:%b}'
    if first.year != last.year:
        head += f' {first.year}'
    return f'{head} - {last:%a} {last.day} {last:%b}{year}'


def days_off(*, country: str, window: TimeWindow) -> frozenset[date]:
    """The public holidays of the city's country (ISO 3166 code; when a city names none, the country of the window's
    time zone) that fall on a day of `window`: days most people are free, like a Sunday. Empty when neither is
    known."""
    zone = ZoneInfo(window.timezone)
    first, last = window.start.astimezone(zone).date(), window.end.astimezone(zone).date()
    code = country.strip().upper() or zone_country(window.timezone)
    found = (_public_holidays(code, year) for year in range(first.year, last.year + 1))
    return frozenset(day for days in found for day in days if first <= day <= last)


@functools.lru_cache(maxsize=64)
def _public_holidays(country: str, year: int) -> frozenset[date]:
    # Imported here: a tenth of a second, and a country's rules as much again, paid by the first plan that needs
    # them rather than by every process start.
    import holidays

    try:
        return frozenset(holidays.country_holidays(country, years=year))
    except NotImplementedError:  # '' or a code the library does not know
        return frozenset()


@functools.lru_cache(maxsize=64)
def zone_country(timezone: str) -> str:
    """The country (ISO 3166 code) of an IANA time zone, from the time zone database's own zone.tab: 'Europe/Berlin'
    -> 'DE', 'America/New_York' -> 'US'; '' for a zone of no one country ('UTC')."""
    table = resources.files('tzdata').joinpath('zoneinfo', 'zone.tab').read_text(encoding='utf-8')
    for line in table.splitlines():
        fields = line.split('\t')
        if not line.startswith('#') and len(fields) >= 3 and fields[2] == timezone:
            return fields[0]
    return ''
