"""Writes catalog events: the one upsert every source (the demo refresh, the .ics import) goes through."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlmodel import Session, col, select

from models.catalog import Event


@dataclass(frozen=True)
class EventRecord:
    """One event as its source produced it: a stable id, its key within the source, and its column values."""

    event_id: str
    source_id: str
    values: dict[str, Any]


@dataclass
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def upsert_events(*, session: Session, source: str, records: Iterable[EventRecord], now: datetime) -> UpsertCounts:
    """Creates or updates the events of `source` from `records`, so a re-run touches only what changed.

    The events already stored are read in one query, keyed by (source, source_id) like the table's unique
    constraint. Never commits: the caller's transaction holds every write.
    """
    records = list(records)
    keys = sorted({r.source_id for r in records})
    stored = session.exec(select(Event).where(Event.source == source, col(Event.source_id).in_(keys))).all()
    existing = {event.source_id: event for event in stored}
    counts = UpsertCounts()
    for record in records:
        outcome = _upsert(session, existing.get(record.source_id), record, source=source, now=now)
        setattr(counts, outcome, getattr(counts, outcome) + 1)
    return counts


def _upsert(
    session: Session, existing: Event | None, record: EventRecord, *, source: str, now: datetime
) -> Literal['created', 'updated', 'unchanged']:
    if existing is None:
        session.add(
            Event(id=record.event_id, source=source, source_id=record.source_id, updated_at=now, **record.values)
        )
        return 'created'
    if all(getattr(existing, name) == value for name, value in record.values.items()):
        return 'unchanged'
    for name, value in record.values.items():
        setattr(existing, name, value)
    existing.updated_at = now
    return 'updated'
