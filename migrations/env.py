"""Alembic's entry point: runs the revisions under migrations/versions on the connection models.schema hands it.

`alembic` on the command line works too (it reads DATABASE_URL through settings): `alembic upgrade head`,
`alembic revision --autogenerate -m "..."` after a model change (then review the file it writes).
"""

from alembic import context
from sqlalchemy import engine_from_config, pool
from sqlmodel.sql.sqltypes import AutoString

from models.base import UTCDateTime
from models.schema import ALL_MODELS, include_object

config = context.config
target_metadata = ALL_MODELS


def render_item(type_: str, obj, _context) -> str | bool:
    """Revisions name plain SQLAlchemy types, so they never break when a model's Python type moves."""
    if type_ == 'type' and isinstance(obj, AutoString):
        return 'sa.String()'
    if type_ == 'type' and isinstance(obj, UTCDateTime):
        return 'sa.DateTime()'
    return False


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_item=render_item,
        render_as_batch=True,  # SQLite alters a table by copying it; batch mode does that for us
        compare_type=True,
        compare_server_default=False,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get('connection')
if connection is not None:
    run_migrations(connection)
else:
    from settings import settings

    engine = engine_from_config(
        {'sqlalchemy.url': settings.database_url}, prefix='sqlalchemy.', poolclass=pool.NullPool
    )
    with engine.connect() as new_connection:
        run_migrations(new_connection)
