"""Timeframes resolve to concrete windows in the city's time zone, for every weekday and across DST."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from models.generation import DateRange
from services.timeframes import TimeframeError, days_off, describe_span, resolve_window, zone_country

BERLIN = ZoneInfo('Europe/Berlin')


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def window(timeframe, now: datetime):
    return resolve_window(timeframe, timezone='Europe/Berlin', now=now)


# Mon 1 Dec 2025 ... Sun 7 Dec 2025; the weekend is Fri 5 - Sun 7 Dec.
WEEKEND_TABLE = [
    ('2025-12-01T10:00', '2025-12-05T17:00', '2025-12-07T23:59'),  # Monday: the coming weekend
    ('2025-12-02T10:00', '2025-12-05T17:00', '2025-12-07T23:59'),
    ('2025-12-03T10:00', '2025-12-05T17:00', '2025-12-07T23:59'),
    ('2025-12-04T23:30', '2025-12-05T17:00', '2025-12-07T23:59'),
    ('2025-12-05T12:00', '2025-12-05T17:00', '2025-12-07T23:59'),  # Friday before 17:00
    ('2025-12-05T21:15', '2025-12-05T21:15', '2025-12-07T23:59'),  # Friday evening: from now
    ('2025-12-06T09:00', '2025-12-06T09:00', '2025-12-07T23:59'),  # Saturday: the rest of it
    ('2025-12-07T17:59', '2025-12-07T17:59', '2025-12-07T23:59'),  # Sunday before 18:00: still this one
    ('2025-12-07T18:00', '2025-12-12T17:00', '2025-12-14T23:59'),  # Sunday 18:00: the next one
    ('2025-12-07T23:00', '2025-12-12T17:00', '2025-12-14T23:59'),
]


@pytest.mark.parametrize(('now', 'start', 'end'), WEEKEND_TABLE)
def test_this_weekend_for_every_weekday(now: str, start: str, end: str) -> None:
    resolved = window('This weekend', at(now))
    assert resolved.start == at(start)
    assert resolved.end == at(end)
    assert resolved.timezone == 'Europe/Berlin'


@pytest.mark.parametrize('day', range(1, 8))
def test_each_named_timeframe_starts_no_earlier_than_now_and_is_ordered(day: int) -> None:
    now = at(f'2025-12-0{day}T14:30')
    for name in ('Tonight', 'Tomorrow', 'This weekend', 'Next 7 days', 'Next 30 days'):
        resolved = window(name, now)
        assert resolved.start >= now, name
        assert resolved.end > resolved.start, name


def test_tonight_after_six_runs_until_six_next_morning() -> None:
    resolved = window('Tonight', at('2025-12-03T19:00'))
    assert resolved.start == at('2025-12-03T19:00')
    assert resolved.end == at('2025-12-04T06:00')


def test_tonight_before_six_is_still_last_night() -> None:
    resolved = window('Tonight', at('2025-12-04T02:30'))
    assert resolved.start == at('2025-12-04T02:30')
    assert resolved.end == at('2025-12-04T06:00')


def test_tonight_at_exactly_six_means_the_coming_night() -> None:
    assert window('Tonight', at('2025-12-04T06:00')).end == at('2025-12-05T06:00')


def test_tomorrow_is_the_next_day_and_its_night() -> None:
    resolved = window('Tomorrow', at('2025-12-03T19:00'))
    assert (resolved.start, resolved.end) == (at('2025-12-04T06:00'), at('2025-12-05T06:00'))


def test_next_days_windows() -> None:
    now = at('2025-12-03T19:00')
    assert window('Next 7 days', now).end == at('2025-12-10T19:00')
    assert window('Next 30 days', now).end == at('2026-01-02T19:00')


def test_explicit_dates_span_whole_days() -> None:
    resolved = window(DateRange(start=date(2025, 12, 10), end=date(2025, 12, 12)), at('2025-12-03T19:00'))
    assert (resolved.start, resolved.end) == (at('2025-12-10T00:00'), at('2025-12-12T23:59'))
    assert resolved.label == 'Wed 10 - Fri 12 Dec'


def test_explicit_dates_already_started_begin_now() -> None:
    now = at('2025-12-10T15:00')
    resolved = window(DateRange(start=date(2025, 12, 9), end=date(2025, 12, 11)), now)
    assert resolved.start == now


def test_explicit_dates_in_the_past_are_refused() -> None:
    with pytest.raises(TimeframeError, match='past'):
        window(DateRange(start=date(2025, 11, 1), end=date(2025, 11, 2)), at('2025-12-03T19:00'))


def test_unknown_timeframe_is_refused() -> None:
    with pytest.raises(TimeframeError):
        window('Someday', at('2025-12-03T19:00'))


def test_now_in_another_zone_is_read_in_the_city_zone() -> None:
    # 16:30 UTC on a Friday in winter is 17:30 in Berlin: the weekend has already begun.
    now = datetime(2025, 12, 5, 16, 30, tzinfo=ZoneInfo('UTC'))
    assert window('This weekend', now).start == at('2025-12-05T17:30')


# Europe/Berlin switches to summer time on Sun 29 Mar 2026 (02:00 -> 03:00) and back on Sun 25 Oct 2026.
def test_weekend_across_spring_forward_keeps_wall_clock_times() -> None:
    resolved = window('This weekend', at('2026-03-25T12:00'))
    assert resolved.start == at('2026-03-27T17:00')
    assert resolved.start.utcoffset() == timedelta(hours=1)
    assert resolved.end == at('2026-03-29T23:59')
    assert resolved.end.utcoffset() == timedelta(hours=2)


def test_weekend_across_fall_back_keeps_wall_clock_times() -> None:
    resolved = window('This weekend', at('2026-10-21T12:00'))
    assert resolved.start.utcoffset() == timedelta(hours=2)
    assert resolved.end.utcoffset() == timedelta(hours=1)
    assert resolved.end.astimezone(BERLIN).time().isoformat() == '23:59:00'


def test_tonight_on_the_short_night_ends_at_six_local() -> None:
    resolved = window('Tonight', at('2026-03-28T22:00'))
    end = resolved.end.astimezone(BERLIN)
    assert (end.date(), end.hour, end.utcoffset()) == (date(2026, 3, 29), 6, timedelta(hours=2))
    # Same-zone subtraction in Python is wall-clock time; the real night is an hour shorter.
    assert resolved.end.timestamp() - resolved.start.timestamp() == 7 * 3600


def test_tomorrow_on_the_long_day_lasts_25_hours() -> None:
    resolved = window('Tomorrow', at('2026-10-23T12:00'))  # Sat 24 06:00 - Sun 25 06:00 holds the extra hour
    assert resolved.end.astimezone(BERLIN).hour == 6
    assert resolved.end.timestamp() - resolved.start.timestamp() == 25 * 3600


def test_next_7_days_across_dst_ends_at_the_same_wall_time() -> None:
    resolved = window('Next 7 days', at('2026-03-26T20:00'))
    assert resolved.end.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 4, 2, 20, 0)


def test_weekend_sunday_rollover_on_dst_day() -> None:
    resolved = window('This weekend', at('2026-10-25T18:30'))
    assert resolved.start == at('2026-10-30T17:00')


@pytest.mark.parametrize(
    ('start', 'end', 'label'),
    [
        ('2025-12-05T17:00', '2025-12-07T23:59', 'Fri 5 - Sun 7 Dec'),
        ('2025-11-30T10:00', '2025-12-06T10:00', 'Sun 30 Nov - Sat 6 Dec'),
        ('2025-12-05T10:00', '2025-12-05T22:00', 'Fri 5 Dec'),
        ('2025-12-29T10:00', '2026-01-02T22:00', 'Mon 29 Dec 2025 - Fri 2 Jan 2026'),
    ],
)
def test_describe_span(start: str, end: str, label: str) -> None:
    assert describe_span(at(start), at(end)) == label


def test_dates_in_another_year_say_which_year() -> None:
    later = resolve_window(
        DateRange(start=date(2027, 1, 8), end=date(2027, 1, 10)), timezone='Europe/Berlin', now=at('2026-11-28T12:00')
    )
    assert later.label == 'Fri 8 - Sun 10 Jan 2027'
    this_year = resolve_window(
        DateRange(start=date(2026, 12, 4), end=date(2026, 12, 6)), timezone='Europe/Berlin', now=at('2026-11-28T12:00')
    )
    assert this_year.label == 'Fri 4 - Sun 6 Dec'


def test_dates_at_most_a_year_ahead() -> None:
    now = at('2026-12-06T12:00')
    last_day = resolve_window(
        DateRange(start=date(2027, 12, 4), end=date(2027, 12, 6)), timezone='Europe/Berlin', now=now
    )
    assert last_day.end.date() == date(2027, 12, 6)
    with pytest.raises(TimeframeError, match='at most a year ahead'):
        resolve_window(DateRange(start=date(2027, 12, 6), end=date(2027, 12, 7)), timezone='Europe/Berlin', now=now)


@pytest.mark.parametrize(
    'timezone', ['America/Los_Angeles', 'Pacific/Pago_Pago', 'Europe/Berlin', 'Pacific/Kiritimati']
)
def test_the_last_representable_dates_are_refused_not_overflowing(timezone: str) -> None:
    """Year 9999 west of UTC used to raise OverflowError deep in the planner ("Something went wrong")."""
    with pytest.raises(TimeframeError, match='at most a year ahead'):
        resolve_window(
            DateRange(start=date(9999, 12, 30), end=date(9999, 12, 31)), timezone=timezone, now=at('2026-12-06T12:00')
        )


def test_days_off_are_the_countrys_public_holidays_inside_the_window() -> None:
    # Sat 20 Dec 2025 to Fri 2 Jan 2026 in Berlin: Christmas, Boxing Day and New Year's Day (24 and 31 December are
    # working days by law); a window ending at 23:30 UTC on Christmas Day ends on Boxing Day in Berlin.
    window = resolve_window(
        DateRange(start=date(2025, 12, 20), end=date(2026, 1, 2)), timezone='Europe/Berlin', now=at('2025-12-01T12:00')
    )
    assert days_off(country='DE', window=window) == {date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1)}
    assert days_off(country='de ', window=window) == days_off(country='DE', window=window)
    assert days_off(country='XX', window=window) == frozenset()
    # A city that names no country (an import): the country of its time zone, none for a zone of no country.
    assert days_off(country='', window=window) == days_off(country='DE', window=window)
    assert days_off(country='', window=window.model_copy(update={'timezone': 'UTC'})) == frozenset()
    short = window.model_copy(update={'end': datetime(2025, 12, 25, 23, 30, tzinfo=UTC)})
    assert days_off(country='DE', window=short) == {date(2025, 12, 25), date(2025, 12, 26)}


def test_a_time_zone_names_its_country() -> None:
    zones = ('Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'UTC')
    assert [zone_country(zone) for zone in zones] == ['DE', 'US', 'JP', '']
