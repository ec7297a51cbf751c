"""Shared building blocks of the models: the UTC column type and the camelCase JSON base."""

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel
from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


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


class CamelModel(BaseModel):
    """API and planner shapes: snake_case in Python, camelCase in JSON (either accepted on input)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True)


def empty_list() -> list:
    """A default factory for list columns. Not `list` itself: for a builtin, pydantic parses its text signature
    (tokenize and compile) each time a table row is made, about 0.5 ms per new generation or event."""
    return []
