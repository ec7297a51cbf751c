"""Fresh databases for tests: a SQLite file or a Postgres database of its own, both at the newest migration.

Migrating takes a while, so each kind is migrated once per test run into a template, and every test
gets a copy: a file copy on SQLite, `CREATE DATABASE ... TEMPLATE` on Postgres (then dropped).
Postgres is TEST_POSTGRES_URL (default: the local server, database `test`); when it does not answer the
test FAILS with what to do, it is never skipped: `make services` installs and starts it.
"""

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, pool
from sqlalchemy.engine import URL, make_url
from sqlmodel import Session

from models import db, schema
from services import clock
from services.catalog import demo

POSTGRES_ADMIN_URL = os.environ.get('TEST_POSTGRES_URL', 'postgresql+psycopg://postgres@127.0.0.1:5432/test')
REDIS_URL = os.environ.get('TEST_REDIS_URL', 'redis://127.0.0.1:6379/0')
BACKENDS = ('sqlite', 'postgres')


def _admin_execute(*statements: str) -> None:
    engine = create_engine(POSTGRES_ADMIN_URL, poolclass=pool.NullPool, isolation_level='AUTOCOMMIT')
    try:
        with engine.connect() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


def postgres_url(database: str) -> str:
    return make_url(POSTGRES_ADMIN_URL).set(database=database).render_as_string(hide_password=False)


def require_postgres() -> None:
    try:
        _admin_execute('SELECT 1')
    except Exception as error:  # any failure to connect: say what is missing, never skip
        pytest.fail(
            f'PostgreSQL is not reachable at {make_url(POSTGRES_ADMIN_URL)!r} ({type(error).__name__}: {error}). '
            'Run `make services` (installs and starts postgresql, redis-server and nginx from Debian packages) '
            'or point TEST_POSTGRES_URL at a server.',
            pytrace=False,
        )


def create_postgres_database(template: str | None = None) -> str:
    """A new empty (or template-copied) database; returns its name."""
    name = f'tb_{uuid.uuid4().hex[:12]}'
    _admin_execute(f'CREATE DATABASE {name}' + (f' TEMPLATE {template}' if template else ''))
    return name


def drop_postgres_database(name: str) -> None:
    _admin_execute(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)')


class Templates:
    """The migrated templates of this test run, made on first use: empty, and with the demo city (for the tests
    that start the app, whose start-up would otherwise write the same thousands of events every time)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sqlite_files: dict[bool, Path] = {}
        self.postgres_names: dict[bool, str] = {}

    def sqlite(self, *, demo_city: bool = False) -> Path:
        if demo_city not in self.sqlite_files:
            path = self.folder / ('template-demo.db' if demo_city else 'template.db')
            if demo_city:
                shutil.copyfile(self.sqlite(), path)
            engine = db.build_engine(f'sqlite:///{path}')
            _prepare(engine, demo_city=demo_city)
            engine.dispose()
            self.sqlite_files[demo_city] = path
        return self.sqlite_files[demo_city]

    def postgres(self, *, demo_city: bool = False) -> str:
        if demo_city not in self.postgres_names:
            require_postgres()
            name = create_postgres_database(template=self.postgres() if demo_city else None)
            engine = db.build_engine(postgres_url(name))
            _prepare(engine, demo_city=demo_city)
            engine.dispose()
            self.postgres_names[demo_city] = name
        return self.postgres_names[demo_city]

    def close(self) -> None:
        for name in self.postgres_names.values():
            drop_postgres_database(name)


def _prepare(engine: Engine, *, demo_city: bool) -> None:
    """Migrated (a copy of the empty template already is), or given the demo city as the app's start-up writes
    it now (stamped, so that start-up finds it current)."""
    if not demo_city:
        schema.create_db_and_tables(engine)
        return
    with Session(engine) as session:
        demo.refresh_if_stale(session=session, now=clock.now())


def fresh_database(
    backend: str, templates: Templates, folder: Path, *, demo_city: bool = False
) -> tuple[str, str | None]:
    """A URL to a migrated database of its own, and the Postgres database to drop afterwards (or None)."""
    if backend == 'sqlite':
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(templates.sqlite(demo_city=demo_city), folder / 'test.db')
        return f'sqlite:///{folder}/test.db', None
    name = create_postgres_database(template=templates.postgres(demo_city=demo_city))
    return postgres_url(name), name


def is_postgres(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == 'postgresql'
