"""Creates the tables and brings an existing database up to date (columns, indexes, the text index).

The one module that imports every model, so `models.db` (the engine) never has to.
"""

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.schema import CreateColumn
from sqlmodel import SQLModel

import models.generation  # noqa: F401  (registers its table)
from models.catalog import create_search_index
from models.db import get_engine


def create_db_and_tables() -> None:
    engine = get_engine()
    SQLModel.metadata.create_all(engine)
    _add_missing_columns(engine)
    # create_all skips the indexes of tables that already exist: add the ones a newer version defines.
    for table in SQLModel.metadata.sorted_tables:
        for index in table.indexes:
            index.create(engine, checkfirst=True)
    create_search_index(engine)


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
