"""The database engine and the one way to open a session.

SQLite gets WAL mode and a busy timeout so the runner, the API and the pages can write at once; every
query stays portable so `DATABASE_URL` can name Postgres instead.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import DateTime, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.schema import CreateColumn
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel, create_engine

from settings import settings

SQLITE_BUSY_TIMEOUT_MS = 5000
F = TypeVar('F', bound=Callable[..., Any])


class UTCDateTime(TypeDecorator):
    """Stores UTC without a zone (SQLite keeps none) and always hands back aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError('naive datetime given to a UTC column')
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def build_engine(url: str, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != 'sqlite':
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ':memory:':
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # A connection for every database thread (services.runner), so none waits for one.
    engine = create_engine(
        url,
        connect_args={'check_same_thread': False, 'timeout': busy_timeout_ms / 1000},
        pool_size=32,
        max_overflow=8,
    )

    def set_pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute('PRAGMA journal_mode=WAL')
        cursor.execute(f'PRAGMA busy_timeout={busy_timeout_ms}')
        cursor.execute('PRAGMA synchronous=NORMAL')
        cursor.execute('PRAGMA foreign_keys=ON')
        cursor.close()

    event.listen(engine, 'connect', set_pragmas)
    return engine


_engine: Engine | None = None


def get_engine() -> Engine:
    global _engine
    if _engine is None:
        _engine = build_engine(settings.database_url)
    return _engine


def use_engine(engine: Engine | None) -> None:
    """Swaps the engine (tests point it at a temp file; `None` re-reads DATABASE_URL next time)."""
    global _engine
    if _engine is not None and _engine is not engine:
        _engine.dispose()
    _engine = engine


def create_db_and_tables() -> None:
    import models.catalog
    import models.generation  # registers its tables

    engine = get_engine()
    SQLModel.metadata.create_all(engine)
    _add_missing_columns(engine)
    # create_all skips the indexes of tables that already exist: add the ones a newer version defines.
    for table in SQLModel.metadata.sorted_tables:
        for index in table.indexes:
            index.create(engine, checkfirst=True)
    models.catalog.create_search_index(engine)


def _add_missing_columns(engine: Engine) -> None:
    """create_all skips tables that already exist: add the columns a newer version gave them.

    A column added later must have a server default or allow NULL, so the rows already there stay valid.
    """
    inspector = inspect(engine)
    preparer = engine.dialect.identifier_preparer
    for table in SQLModel.metadata.sorted_tables:
        present = {column['name'] for column in inspector.get_columns(table.name)}
        for column in (c for c in table.columns if c.name not in present):
            definition = CreateColumn(column).compile(dialect=engine.dialect)
            with engine.begin() as connection:
                connection.execute(text(f'ALTER TABLE {preparer.format_table(table)} ADD COLUMN {definition}'))


def ping(*, session: Session) -> None:
    """Raises when the database does not answer (the health check)."""
    session.exec(text('SELECT 1'))


@contextmanager
def session_scope() -> Iterator[Session]:
    """A short session: commit on success, roll back on error. Never hold one across an await."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise
