"""Every test gets its own database and its own data folder; settings are restored afterwards.

A run may be pinned to a moment: `TEST_CLOCK=2026-12-31T23:30+01:00` (or `--clock ...`) starts the app's
clock there for the whole run, servers started by the tests included (tests/clocks.py, `make test-clocks`).

The database is SQLite unless a test is marked `@pytest.mark.databases(...)` (a module's `pytestmark`
or one test): then it runs once per named backend, `databases()` meaning SQLite and Postgres.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from models import db
from settings import settings
from tests import clocks
from tests.databases import BACKENDS, Templates, drop_postgres_database, fresh_database


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        '--clock',
        default=os.environ.get('TEST_CLOCK', ''),
        help='run at this moment (ISO 8601 with its UTC offset, e.g. 2026-12-31T23:30+01:00); env TEST_CLOCK',
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line('markers', 'databases(*backends): run on each backend (default: sqlite and postgres)')
    if moment := config.getoption('--clock'):
        try:
            clocks.install(moment)
            os.environ['TEST_CLOCK'] = moment  # for helpers the tests start as subprocesses (schemathesis hooks)
        except ValueError as error:
            raise pytest.UsageError(str(error)) from None


def pytest_report_header(config: pytest.Config) -> str:
    moment = config.getoption('--clock')
    return f"test clock: {moment} (the app's clock starts there)" if moment else 'test clock: real time'


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker('databases')
    if marker is not None and 'database_backend' in metafunc.fixturenames:
        backends = marker.args or BACKENDS
        # TEST_BACKENDS=sqlite narrows the backends (the clock matrix: the clock, not the database, is what varies).
        wanted = [b for b in backends if b in os.environ.get('TEST_BACKENDS', ','.join(BACKENDS)).split(',')]
        metafunc.parametrize('database_backend', wanted or backends, indirect=True)


@pytest.fixture(scope='session')
def database_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    templates = Templates(tmp_path_factory.mktemp('templates'))
    yield templates
    templates.close()


@pytest.fixture
def database_backend(request: pytest.FixtureRequest) -> str:
    return getattr(request, 'param', 'sqlite')


@pytest.fixture
def database_url(
    request: pytest.FixtureRequest, database_backend: str, database_templates: Templates, tmp_path: Path
) -> Iterator[str]:
    # A test of the app (the `user` fixture) starts on the demo city its start-up would write (and finds current).
    demo_city = 'user' in request.fixturenames
    url, postgres_name = fresh_database(database_backend, database_templates, tmp_path / 'data', demo_city=demo_city)
    yield url
    if postgres_name:
        db.use_engine(None)  # its connections first, or the drop waits for them
        drop_postgres_database(postgres_name)


@pytest.fixture(autouse=True)
def isolated_settings(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(settings, 'data_dir', tmp_path / 'data')
    monkeypatch.setattr(settings, 'database_url', database_url)
    monkeypatch.setattr(settings, 'planner', 'offline')
    monkeypatch.setattr(settings, 'openai_api_key', None)
    monkeypatch.setattr(settings, 'offline_step_delay_s', 0)
    # In-process tests (the `user` fixture runs app.py here) plan in this process; tests of the worker
    # processes start real servers (tests/server.py), which read ROLE and PLANNER_PROCESSES from their env.
    monkeypatch.setattr(settings, 'role', 'all')
    monkeypatch.setattr(settings, 'planner_processes', 0)
    db.use_engine(db.build_engine(settings.database_url))
    yield
    db.use_engine(None)


@pytest.fixture
def session() -> Iterator[Session]:
    with db.session_scope() as session:
        yield session
