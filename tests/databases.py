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
from sqlalchemy import create_engine, pool
from sqlalchemy.engine import URL, make_url

from models import db, schema

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
    """The migrated templates of this test run, made on first use."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sqlite_file: Path | None = None
        self.postgres_name: str | None = None

    def sqlite(self) -> Path:
        if self.sqlite_file is None:
            path = self.folder / 'template.db'
            engine = db.build_engine(f'sqlite:///{path}')
            schema.create_db_and_tables(engine)
            engine.dispose()
            self.sqlite_file = path
        return self.sqlite_file

    def postgres(self) -> str:
        if self.postgres_name is None:
            require_postgres()
            name = create_postgres_database()
            engine = db.build_engine(postgres_url(name))
            schema.create_db_and_tables(engine)
            engine.dispose()
            self.postgres_name = name
        return self.postgres_name

    def close(self) -> None:
        if self.postgres_name:
            drop_postgres_database(self.postgres_name)


def fresh_database(backend: str, templates: Templates, folder: Path) -> tuple[str, str | None]:
    """A URL to a migrated database of its own, and the Postgres database to drop afterwards (or None)."""
    if backend == 'sqlite':
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(templates.sqlite(), folder / 'test.db')
        return f'sqlite:///{folder}/test.db', None
    name = create_postgres_database(template=templates.postgres())
    return postgres_url(name), name


def is_postgres(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == 'postgresql'
