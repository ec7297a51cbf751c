"""The test clock itself (tests/clocks.py): a whole run, servers included, at a chosen moment."""

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from services import clock
from tests import clocks
from tests.fakes.requests import seed_body
from tests.server import AppServer


def test_a_clock_needs_its_utc_offset() -> None:
    assert clocks.parse('2026-12-31T23:30+01:00') == datetime(2026, 12, 31, 22, 30, tzinfo=UTC)
    with pytest.raises(ValueError, match='UTC offset'):
        clocks.parse('2026-12-31T23:30')


def test_the_matrix_holds_each_weekday_at_three_hours_a_dst_change_and_new_year_s_eve() -> None:
    moments = [datetime.fromisoformat(moment) for moment in clocks.MATRIX]
    assert len(moments) == 23
    week = moments[:21]
    assert sorted({m.weekday() for m in week}) == list(range(7))
    assert {(m.hour, m.minute) for m in week} == {(3, 0), (12, 0), (23, 30)}
    assert date(2027, 3, 28) in {m.date() for m in moments}  # Berlin springs forward at 02:00
    assert date(2026, 12, 31) in {m.date() for m in moments}


def test_make_test_picks_two_clocks_a_day_and_every_clock_within_weeks() -> None:
    days = [date(2026, 12, 6) + timedelta(days=n) for n in range(23)]
    picks = [clocks.picked_for(day, 2) for day in days]
    assert all(len(set(pick)) == 2 for pick in picks)
    assert picks[0] == clocks.picked_for(days[0], 2)  # the same on the same day: a failure can be rerun
    assert {moment for pick in picks for moment in pick} == set(clocks.MATRIX)


@pytest.mark.slow
def test_a_server_started_by_a_test_runs_on_the_test_clock(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clocks, '_offset', clocks.offset())
    monkeypatch.setattr(clock, 'now', clock.now)
    clocks.install('2027-03-28T01:30+01:00')
    server = AppServer(tmp_path / 'data').start()
    try:
        created = httpx.post(f'{server.url}/api/generations', json=seed_body(timeframe='Tonight')).json()
        body = httpx.get(f'{server.url}/api/generations/{created["generationId"]}').json()
    finally:
        server.stop()
    created_at = datetime.fromisoformat(body['createdAt'])
    assert abs(created_at - clock.now()) < timedelta(minutes=2)
    assert created_at.date() == date(2027, 3, 28)
