"""The test clock: a whole pytest run at a fixed moment (`TEST_CLOCK=2026-12-31T23:30+01:00` or `--clock`).

The app takes "now" from `services.clock.now`; a run with a test clock replaces it by one that starts at the
given moment and ticks on (leases, deadlines and polls need time to pass). Servers started by the tests as
subprocesses get the same shift through libfaketime (Debian's `faketime`), so a test and its server agree.

`make test-clocks` runs the clock-sensitive tests once per clock of MATRIX, and `make test` at two of them
chosen by the date (tests/clock_runs.py).
"""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from services import clock

# Berlin time: each day of a week at 03:00 (after the clubs), 12:00 and 23:30 (just before the date turns),
# then the spring-forward night (01:30, half an hour before the clocks skip 02:00-03:00) and New Year's Eve.
WEEK = [date(2027, 1, 4) + timedelta(days=day) for day in range(7)]  # Monday 4 to Sunday 10 January 2027
MATRIX = [
    *(f'{day.isoformat()}T{hour}+01:00' for day in WEEK for hour in ('03:00', '12:00', '23:30')),
    '2027-03-28T01:30+01:00',
    '2026-12-31T23:30+01:00',
]

LIBFAKETIME = [Path(f'/usr/lib/{arch}-linux-gnu/faketime/libfaketime.so.1') for arch in ('x86_64', 'aarch64')]

_real_now = clock.now
_offset = timedelta(0)


def parse(moment: str) -> datetime:
    """An ISO 8601 moment with its UTC offset (a clock without one would mean a different instant per zone)."""
    parsed = datetime.fromisoformat(moment)
    if parsed.tzinfo is None:
        raise ValueError(f'TEST_CLOCK needs a UTC offset, e.g. 2026-12-31T23:30+01:00 (got {moment!r})')
    return parsed.astimezone(UTC)


def install(moment: str) -> None:
    """From now on, the app's clock starts at `moment` and ticks with the real one."""
    global _offset
    _offset = parse(moment) - _real_now()
    clock.now = _shifted_now


def _shifted_now() -> datetime:
    return _real_now() + _offset


def offset() -> timedelta:
    return _offset


def server_env() -> dict[str, str]:
    """Environment that puts a server the tests start on the test clock too (nothing without one).

    libfaketime is preloaded into the server itself rather than run through the `faketime` wrapper, which
    forks: a test that SIGKILLs its server must hit the server, not the wrapper.
    """
    if not _offset:
        return {}
    library = next((path for path in LIBFAKETIME if path.exists()), None)
    if library is None:
        raise RuntimeError(
            "TEST_CLOCK needs Debian's faketime for the servers the tests start: apt-get install faketime"
        )
    return {
        'LD_PRELOAD': str(library),
        'FAKETIME': f'{round(_offset.total_seconds()):+d}',  # relative: the server's clock ticks
        'FAKETIME_DONT_FAKE_MONOTONIC': '1',  # asyncio and timeouts keep real monotonic time
        'TEST_CLOCK': '',  # the server is shifted already; a test helper it starts must not shift again
    }


def picked_for(day: date, count: int) -> list[str]:
    """`count` clocks of the matrix chosen by the date: every clock comes round within a few weeks, and a
    failure seen today is seen again today."""
    start = day.toordinal() * 5
    step = len(MATRIX) // count
    return [MATRIX[(start + n * step) % len(MATRIX)] for n in range(count)]
