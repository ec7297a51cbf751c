"""Writes catalog events: the one upsert every source (the demo refresh, .ics, JSON-LD, Ticketmaster) goes through.

An event belongs to the source that stored it first. When another source lists the same event (same
city, a venue of the same normalized name, the same start, titles with token similarity >= 0.8), it is
kept once: the second source gets an `EventLink` and only fills what the first left empty (ticket link,
image, price, description), so two sources never overwrite each other back and forth.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlmodel import Session, col, select

from models.catalog import Event, EventLink, Venue
from services.catalog.search_text import normalize_words

TITLE_SIMILARITY = 0.8
# Columns a linking source may fill when the owning source left them empty.
GAP_COLUMNS: tuple[str, ...] = ('ticket_url', 'image_url', 'price_min', 'price_max', 'description')


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
    linked: int = 0  # first seen from this source, already stored by another: linked, not duplicated


def upsert_events(*, session: Session, source: str, records: Iterable[EventRecord], now: datetime) -> UpsertCounts:
    """Creates or updates the events of `source` from `records`, so a re-run touches only what changed.

    The events already stored are read in one query, keyed by (source, source_id) like the table's unique
    constraint; listings linked to another source's event in a second. Never commits: the caller's
    transaction holds every write.
    """
    records = list(records)
    keys = sorted({r.source_id for r in records})
    stored = session.exec(select(Event).where(Event.source == source, col(Event.source_id).in_(keys))).all()
    existing = {event.source_id: event for event in stored}
    links = {
        link.source_id: link
        for link in session.exec(
            select(EventLink).where(EventLink.source == source, col(EventLink.source_id).in_(keys))
        )
    }
    fresh = [r for r in records if r.source_id not in existing and r.source_id not in links]
    twins = _twins(session, source, fresh)
    counts = UpsertCounts()
    for record in records:
        if record.source_id in links:
            outcome = _fill(session.get(Event, links[record.source_id].event_id), record, now)
        elif record.source_id in twins:
            twin = twins[record.source_id]
            url = str(record.values.get('ticket_url') or '')
            session.add(EventLink(event_id=twin.id, source=source, source_id=record.source_id, url=url, updated_at=now))
            _fill(twin, record, now)
            outcome = 'linked'
        else:
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


def _fill(event: Event | None, record: EventRecord, now: datetime) -> Literal['updated', 'unchanged']:
    changed = False
    for name in GAP_COLUMNS:
        value = record.values.get(name)
        if event is not None and value not in (None, '') and getattr(event, name) in (None, ''):
            setattr(event, name, value)
            changed = True
    if changed and event is not None:
        event.updated_at = now
    return 'updated' if changed else 'unchanged'


def _twins(session: Session, source: str, records: list[EventRecord]) -> dict[str, Event]:
    """Another source's stored event for each new record that is the same event, keyed by source_id."""
    dated = [r for r in records if {'city_id', 'venue_id', 'starts_at', 'title'} <= r.values.keys()]
    if not dated:
        return {}
    starts = [r.values['starts_at'] for r in dated]
    candidates = session.exec(
        select(Event, Venue)
        .join(Venue, col(Venue.id) == col(Event.venue_id))
        .where(
            Event.source != source,
            col(Event.city_id).in_({r.values['city_id'] for r in dated}),
            col(Event.starts_at) >= min(starts),
            col(Event.starts_at) <= max(starts),
        )
    ).all()
    if not candidates:
        return {}
    venue_ids = {r.values['venue_id'] for r in dated}
    venue_names = {
        v.id: normalize_words(v.name) for v in session.exec(select(Venue).where(col(Venue.id).in_(venue_ids)))
    }
    twins: dict[str, Event] = {}
    for record in dated:
        values = record.values
        for event, venue in candidates:
            if (
                event.city_id == values['city_id']
                and event.starts_at == values['starts_at']
                and normalize_words(venue.name) == venue_names.get(values['venue_id'])
                and title_similarity(event.title, values['title']) >= TITLE_SIMILARITY
            ):
                twins[record.source_id] = event
                break
    return twins


def title_similarity(a: str, b: str) -> float:
    """Dice coefficient of the titles' normalized word sets: 1 for the same words in any order or case."""
    first, second = set(normalize_words(a).split()), set(normalize_words(b).split())
    if not first or not second:
        return 0.0
    return 2 * len(first & second) / (len(first) + len(second))
