"""The demo programme day by day: which series and one-offs run on a date and at what time.

A series runs on its weekdays (every `every_weeks` weeks) inside its `season`; its editions rotate per
occurrence. A one-off runs on a fixed ONE_OFF_CYCLE_DAYS cycle counted from EPOCH (`cycle_day`), so it
lands on the same date on every refresh, or every year on one date (`on: "12-31"`). A season is
`{"months": [5, 6, 7, 8, 9]}` or `{"from": "11-24", "to": "12-23"}` (inclusive; may wrap the new year).
On a one-off's day the venue's series rest. A start is "HH:MM" or relative to Berlin's sunset
("sunset-60": an hour before it, rounded up to the quarter hour), so a sunset walk is at dusk in December
and in July alike. Prices are per person.

Statuses: a series may name `cancelled_weeks`; besides, a small stable share of paid occurrences is sold
out and a smaller one cancelled, chosen by a hash of the occurrence's id (never random), so every refresh
agrees.
"""

import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from astral import Observer
from astral.sun import sunset

ONE_OFF_CYCLE_DAYS = 42
EPOCH = date(2024, 1, 1)  # a Monday: week numbers and one-off cycles count from here
WEEKDAYS = ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')
BERLIN = Observer(latitude=52.52, longitude=13.405)
SOLD_OUT_ONE_IN = 23  # of paid occurrences
CANCELLED_ONE_IN = 900


@dataclass(frozen=True)
class DemoEvent:
    """One dated occurrence computed from the data file, before it meets the database."""

    source_id: str
    venue_key: str
    title: str
    description: str
    category: str
    tags: list[str]
    starts_at: datetime
    ends_at: datetime
    price: tuple[float, float] | None  # per person
    status: str
    performers: tuple[str, ...] = field(default=())  # the acts on stage: never in two places at once


def expand_programme(data: dict[str, Any], *, first_day: date, days: int, zone: ZoneInfo) -> list[DemoEvent]:
    events: list[DemoEvent] = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        specials = [item for item in data['one_offs'] if _one_off_runs(item, day)]
        busy = {item['venue'] for item in specials}  # a special night replaces the venue's usual programme
        events.extend(
            _series_on(series, day, zone)
            for series in data['series']
            if series['venue'] not in busy and _series_runs(series, day)
        )
        events.extend(_one_off_on(item, day, zone) for item in specials)
    return events


def in_season(season: dict[str, Any] | None, day: date) -> bool:
    if not season:
        return True
    if 'months' in season:
        return day.month in season['months']
    start, end, today = season['from'], season['to'], f'{day:%m-%d}'
    return start <= today <= end if start <= end else today >= start or today <= end


def sunset_at(day: date, zone: ZoneInfo) -> datetime:
    """Berlin's sunset on `day` (astral's solar formula; good to a minute, which is all a listing needs)."""
    return _sunset(day).astimezone(zone)


@cache
def _sunset(day: date) -> datetime:
    return sunset(BERLIN, date=day)


def _series_runs(series: dict[str, Any], day: date) -> bool:
    week = (day - EPOCH).days // 7
    every = series.get('every_weeks', 1)
    return (
        WEEKDAYS[day.weekday()] in series['days']
        and week % every == series.get('week_offset', 0) % every
        and in_season(series.get('season'), day)
    )


def _series_on(series: dict[str, Any], day: date, zone: ZoneInfo) -> DemoEvent:
    week = (day - EPOCH).days // 7
    # Editions rotate per occurrence, so Friday and Saturday of one week get different line-ups.
    occurrence = week * len(series['days']) + series['days'].index(WEEKDAYS[day.weekday()])
    edition = series['editions'][occurrence % len(series['editions'])]
    cancelled = week % 4 in series.get('cancelled_weeks', [])
    return _occurrence({**series, **edition, 'status': 'cancelled' if cancelled else None}, day, zone)


def _one_off_runs(item: dict[str, Any], day: date) -> bool:
    if 'on' in item:
        return f'{day:%m-%d}' == item['on']
    return (day - EPOCH).days % ONE_OFF_CYCLE_DAYS == item['cycle_day'] and in_season(item.get('season'), day)


def _one_off_on(item: dict[str, Any], day: date, zone: ZoneInfo) -> DemoEvent:
    return _occurrence({'status': None, **item}, day, zone)


def _occurrence(spec: dict[str, Any], day: date, zone: ZoneInfo) -> DemoEvent:
    starts_at = _start(spec['start'], day, zone)
    # Added in UTC: a night crossing a DST change lasts its real number of hours.
    ends_at = (starts_at.astimezone(ZoneInfo('UTC')) + timedelta(hours=spec['hours'])).astimezone(zone)
    price = spec.get('price')
    source_id = f'{spec["key"]}@{day.isoformat()}'
    return DemoEvent(
        source_id=source_id,
        venue_key=spec['venue'],
        title=spec['title'],
        description=spec['description'],
        category=spec['category'],
        tags=list(spec['tags']),
        starts_at=starts_at,
        ends_at=ends_at,
        price=None if price is None else (0.0, 0.0) if price == 0 else (float(price[0]), float(price[1])),
        status=spec['status'] or _usual_status(source_id, price),
        performers=tuple(spec.get('acts', ())),
    )


def _start(start: str, day: date, zone: ZoneInfo) -> datetime:
    if start.startswith('sunset'):
        at = sunset_at(day, zone) + timedelta(minutes=int(start.removeprefix('sunset') or 0))
        quarter = (at.hour * 60 + at.minute + 14) // 15 * 15
        return datetime.combine(day, time(quarter // 60, quarter % 60), zone)
    hour, minute = (int(part) for part in start.split(':'))
    return datetime.combine(day, time(hour, minute), zone)


def _usual_status(source_id: str, price: Any) -> str:
    mark = zlib.crc32(source_id.encode())
    if mark % CANCELLED_ONE_IN == 0:
        return 'cancelled'
    if price and price != 0 and mark % SOLD_OUT_ONE_IN == 0:
        return 'sold_out'
    return 'scheduled'
