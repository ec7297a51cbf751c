"""Alembic migrations: they build the schema the models declare, and upgrade a database of the last release
made without them (tests/fixtures: a SQLite file and a Postgres dump written by that release's
create_db_and_tables) without losing a row.
"""

import shutil
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine, make_url

from models import db, schema
from models.catalog import City
from models.generation import TimeWindow
from services.catalog import queries
from tests.databases import create_postgres_database, drop_postgres_database, postgres_url

FIXTURES = Path(__file__).resolve().parent.parent / 'fixtures'
ROWS = {'city': 1, 'venue': 1, 'event': 3, 'generation': 1}  # what the fixtures hold


def schema_differences(engine: Engine) -> list:
    """What `alembic revision --autogenerate` would write: empty when the migrations cover every model."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={'include_object': schema.include_object, 'compare_type': True}
        )
        return compare_metadata(context, schema.ALL_MODELS)


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {table: connection.execute(text(f'SELECT count(*) FROM {table}')).scalar() for table in ROWS}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@pytest.mark.databases()
def test_migrations_at_head_match_the_models(database_backend: str) -> None:
    engine = db.get_engine()
    assert current_revision(engine) == schema.head_revision()
    assert schema_differences(engine) == []
    schema.create_db_and_tables(engine)  # a second start finds nothing to do
    assert current_revision(engine) == schema.head_revision()


def assert_upgraded_without_loss(engine: Engine) -> None:
    assert row_counts(engine) == ROWS
    schema.create_db_and_tables(engine)
    assert current_revision(engine) == schema.head_revision()
    assert row_counts(engine) == ROWS
    assert schema_differences(engine) == []
    db.use_engine(engine)
    with db.session_scope() as session:  # the text index covers the rows that were there before
        berlin = session.get(City, 1)
        window = TimeWindow.model_validate(
            {'start': '2026-12-01T00:00:00Z', 'end': '2026-12-31T00:00:00Z', 'timezone': 'Europe/Berlin', 'label': ''}
        )
        found = queries.search_events(session=session, city=berlin, window=window, text='underg')
        assert [e.title for e in found] == ['Underground Techno Night']
        assert queries._has_search_index(session)


def test_a_sqlite_database_of_the_last_release_upgrades_without_losing_a_row(tmp_path: Path) -> None:
    shutil.copyfile(FIXTURES / 'release.sqlite', tmp_path / 'release.db')
    engine = db.build_engine(f'sqlite:///{tmp_path}/release.db')
    assert 'alembic_version' not in inspect(engine).get_table_names()
    assert_upgraded_without_loss(engine)


def test_a_postgres_database_of_the_last_release_upgrades_without_losing_a_row() -> None:
    name = create_postgres_database()
    try:
        url = postgres_url(name)
        plain = make_url(url).set(drivername='postgresql').render_as_string(hide_password=False)
        with psycopg.connect(plain, autocommit=True) as connection:
            connection.execute((FIXTURES / 'release_postgres.sql').read_text())  # no parameters: many statements
        engine = db.build_engine(url)
        assert 'alembic_version' not in inspect(engine).get_table_names()
        assert_upgraded_without_loss(engine)
    finally:
        db.use_engine(None)
        drop_postgres_database(name)
