"""The database engine and the one way to open a session.

SQLite gets WAL mode and a busy timeout so the runner, the API and the pages can write at once; every
query stays portable so `DATABASE_URL` can name Postgres instead (`postgresql+psycopg://user:pass@host/db`,
psycopg 3), where several instances may share one database.

Pool sizes: every database call runs on a worker thread of services.database (32 read threads and one
write thread per process), so a pool smaller than that makes threads wait for a connection.
- SQLite: 32 + 8 overflow, connections are cheap files.
- Postgres: 16 kept + 24 overflow, at most 40 connections per instance. Postgres's default
  max_connections is 100: two instances (80) fit, with room for psql, backups and migrations; for more
  instances raise max_connections or put PgBouncer (transaction mode) in front.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from settings import settings

SQLITE_BUSY_TIMEOUT_MS = 5000
POSTGRES_POOL_SIZE = 16
POSTGRES_MAX_OVERFLOW = 24  # up to 40 per instance: see the module docstring before raising either


def build_engine(url: str, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != 'sqlite':
        # pre-ping: a connection cut by a Postgres restart or failover is replaced, not handed to a request.
        return create_engine(url, pool_pre_ping=True, pool_size=POSTGRES_POOL_SIZE, max_overflow=POSTGRES_MAX_OVERFLOW)
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
