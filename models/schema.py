"""Brings any database to the newest schema with Alembic (the revisions under migrations/versions).

Run at every start (the app, the catalog CLI): a new database gets every revision, a current one costs one
look at `alembic_version`, and a database made before migrations existed (tables but no version) is first
stamped as the baseline it equals, then upgraded. Concurrent instances starting together on Postgres take
an advisory lock, so one migrates while the others wait and then find nothing to do.

The one module that imports every model, so `models.db` (the engine) never has to.
"""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

import models.generation  # noqa: F401  (registers its tables; it imports models.catalog)
from models.db import get_engine

ALL_MODELS = SQLModel.metadata
MIGRATIONS = Path(__file__).resolve().parent.parent / 'migrations'
BASELINE = '0001'  # the schema of the last release without migrations
# An arbitrary fixed key: every instance of the app takes the same lock while it migrates.
MIGRATION_LOCK_KEY = 7_311_221
# Made by migrations for one kind of database only, outside the models: SQLite's FTS5 table (with its
# shadow tables) and Postgres's text index. The schema comparison must not ask to drop them.
DATABASE_SPECIFIC_TABLES = ('event_search',)
DATABASE_SPECIFIC_INDEXES = ('ix_event_search_text_tsv',)

_script: ScriptDirectory | None = None


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option('script_location', str(MIGRATIONS))
    config.attributes['connection'] = connection
    return config


def head_revision() -> str:
    global _script
    if _script is None:
        _script = ScriptDirectory.from_config(alembic_config())
    return _script.get_current_head()


def create_db_and_tables(engine: Engine | None = None) -> None:
    """Applies every migration the database lacks (the name stays from before migrations: callers need not care)."""
    engine = engine or get_engine()
    with engine.begin() as connection:
        if engine.dialect.name == 'postgresql':
            connection.exec_driver_sql(f'SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})')
        current = MigrationContext.configure(connection).get_current_revision()
        if current == head_revision():
            return
        config = alembic_config(connection)
        if current is None and inspect(connection).has_table('generation'):
            command.stamp(config, BASELINE)  # made by create_all before migrations: it equals the baseline
        command.upgrade(config, 'head')


def include_object(obj, name: str | None, type_: str, reflected: bool, compare_to) -> bool:
    """What Alembic's autogenerate compares: everything but the database-specific text indexes."""
    if type_ == 'table' and name and name.startswith(DATABASE_SPECIFIC_TABLES):
        return False
    return not (type_ == 'index' and name in DATABASE_SPECIFIC_INDEXES)
