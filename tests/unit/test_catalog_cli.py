"""Every `python -m services.catalog` subcommand, run as the real module in its own process on a scratch
SQLite file, as an operator would: what it prints, its exit code, and what it left in the database.

The subprocess reads the real clock, so the fixtures' dates are taken from the same clock (`clock.now()`),
a few days ahead: the test passes on any date.
"""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models import db
from models.catalog import City, Event, SourceRun, Venue
from services import clock
from tests.fakes.discovery_api import DiscoveryApi, serve, tm_event
from tests.unit.test_ics_import import calendar, event
from tests.unit.test_jsonld_import import page

ROOT = Path(__file__).resolve().parents[2]
BERLIN = ZoneInfo('Europe/Berlin')


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[tuple[dict[str, str], Engine]]:
    url = f'sqlite:///{tmp_path / "scratch.db"}'
    env = {k: v for k, v in os.environ.items() if not k.startswith('PYTEST_')}
    env.update(DATABASE_URL=url, SOURCES_FILE='', TICKETMASTER_API_KEY='')
    engine = db.build_engine(url)
    yield env, engine
    engine.dispose()


def catalog(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, '-m', 'services.catalog', *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def rows(engine: Engine) -> list[tuple[Event, Venue]]:
    with Session(engine) as session:
        return list(session.exec(select(Event, Venue).join(Venue)).all())


def soon(days: int) -> datetime:
    """20:00 in Berlin `days` from now, by the clock the subprocess reads too."""
    return datetime.combine((clock.now() + timedelta(days=days)).astimezone(BERLIN).date(), datetime.min.time(), BERLIN)


def test_refresh_demo_builds_the_demo_city_and_is_idempotent(scratch) -> None:
    env, engine = scratch
    first = catalog('refresh-demo', env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith('Demo catalog: ') and ' events created' in first.stdout
    stored = rows(engine)
    assert len(stored) > 3000 and all(venue.address for _, venue in stored)
    with Session(engine) as session:
        assert session.exec(select(City)).one().is_demo
    again = catalog('refresh-demo', env=env)
    assert again.returncode == 0 and ': 0 events created, 0 updated' in again.stdout
    rebuilt = catalog('rebuild-search-index', env=env)
    assert (rebuilt.returncode, rebuilt.stdout.strip()) == (0, 'Search index rebuilt')


def test_import_ics_and_its_errors(scratch, tmp_path: Path) -> None:
    env, engine = scratch
    start = soon(3).replace(hour=20)
    feed = tmp_path / 'feed.ics'
    feed.write_text(
        calendar(event('one@hof', f'{start:%Y%m%dT%H%M%S}', 'Hof Konzert', LOCATION='Hofbühne\\, Lindenstraße 4'))
    )
    missing_city = catalog('import-ics', str(feed), '--city', 'Hamburg', env=env)
    assert (
        missing_city.returncode == 2 and missing_city.stderr.count('\n') == 1 and 'Traceback' not in missing_city.stderr
    )
    done = catalog('import-ics', str(feed), '--city', 'Hamburg', '--timezone', 'Europe/Berlin', env=env)
    assert done.returncode == 0, done.stderr
    [(stored, venue)] = rows(engine)
    assert (stored.title, stored.source, venue.name) == ('Hof Konzert', 'ics', 'Hofbühne')
    assert stored.starts_at.astimezone(BERLIN) == start
    no_file = catalog('import-ics', str(tmp_path / 'nope.ics'), '--city', 'Hamburg', env=env)
    assert no_file.returncode == 2 and 'Traceback' not in no_file.stderr and len(rows(engine)) == 1


def test_import_jsonld(scratch, tmp_path: Path) -> None:
    env, engine = scratch
    start = soon(4).replace(hour=19, minute=30)
    listing = {
        '@type': 'MusicEvent',
        'name': 'Quartett am Kanal',
        'startDate': start.isoformat(),
        'location': {'@type': 'Place', 'name': 'Saal am Kanal', 'address': 'Paul-Lincke-Ufer 9'},
        'offers': {'@type': 'Offer', 'price': '12', 'priceCurrency': 'EUR'},
    }
    (tmp_path / 'page.html').write_text(page(listing))
    done = catalog(
        'import-jsonld', str(tmp_path / 'page.html'), '--city', 'Berlin', '--timezone', 'Europe/Berlin', env=env
    )
    assert done.returncode == 0, done.stderr
    [(stored, venue)] = rows(engine)
    assert (stored.title, stored.price_min, venue.name) == ('Quartett am Kanal', 12.0, 'Saal am Kanal')


def test_import_ticketmaster_from_a_local_discovery_api(scratch) -> None:
    env, engine = scratch
    start = soon(5).replace(hour=21)
    with serve(DiscoveryApi(events=[tm_event('T1', 'Arena Night', start.isoformat())], size=2)) as api:
        env = {**env, 'TICKETMASTER_BASE_URL': api.url, 'TICKETMASTER_API_KEY': 'cli-test-key'}
        done = catalog(
            'import-ticketmaster', '--city', 'Berlin', '--timezone', 'Europe/Berlin', '--days', '14', env=env
        )
    assert done.returncode == 0, done.stderr
    assert api.requests and api.requests[0]['apikey'] == ['cli-test-key']
    [(stored, _)] = rows(engine)
    assert (stored.title, stored.source) == ('Arena Night', 'ticketmaster')
    without_key = catalog('import-ticketmaster', '--city', 'Berlin', env={**env, 'TICKETMASTER_API_KEY': ''})
    assert without_key.returncode == 2 and without_key.stderr.count('\n') == 1


def test_sources_lists_runs_and_imports_what_is_due(scratch, tmp_path: Path) -> None:
    env, engine = scratch
    start = soon(2).replace(hour=18)
    feed = tmp_path / 'feed.ics'
    feed.write_text(calendar(event('s@hof', f'{start:%Y%m%dT%H%M%S}', 'Hof Lesung', LOCATION='Hofbühne')))
    listed = tmp_path / 'sources.toml'
    listed.write_text(
        f'[[source]]\nname = "hof"\nkind = "ics"\nlocation = {json.dumps(str(feed))}\n'
        'city = "Berlin"\ntimezone = "Europe/Berlin"\n'
    )
    env = {**env, 'SOURCES_FILE': str(listed)}
    before = catalog('sources', env=env)
    assert (before.returncode, before.stdout) == (0, 'hof: never run\n')
    run = catalog('sources', '--run', env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.count('hof (ics) at ') == 2 and '1 new' in run.stdout
    with Session(engine) as session:
        assert [r.name for r in session.exec(select(SourceRun)).all()] == ['hof']
    assert [e.title for e, _ in rows(engine)] == ['Hof Lesung']
    broken = catalog('sources', env={**env, 'SOURCES_FILE': str(tmp_path / 'missing.toml')})
    assert broken.returncode == 2 and broken.stderr.startswith('sources: ')


def test_unknown_commands_and_options_are_one_line(scratch) -> None:
    env, _ = scratch
    for args in (['no-such-command'], ['refresh-demo', '--city', 'Berlin'], []):
        done = catalog(*args, env=env)
        assert done.returncode == 2 and done.stderr.count('\n') == 1 and 'Traceback' not in done.stderr, args
