"""Writes catalog events: the one upsert every source (the demo refresh, .ics, JSON-LD, Ticketmaster) goes through.

An event belongs to the source that stored it first. When another source lists the same event (same
city, the same start instant, venue names and titles alike by rapidfuzz's token-set similarity, so "Bimbo's
365 Club SF" is "Bimbo's 365 Club" and "Nils Frahm w/ Anne Müller" is "Nils Frahm"), it is kept once: the
second source gets an `EventLink`. A linked source marked to fill (`fill = true` in SOURCES_FILE) fills what
the first left empty (ticket link, image, price with its currency, description); none ever fills a demo
event. A cancellation from any linked source cancels the event (demo events excepted), so two sources never
overwrite each other back and forth. The same id twice in one import is one event (the first listing,
gaps filled from the next). Links are checked here, once for every source: only absolute http(s) URLs
without whitespace or control characters are stored; the others are dropped and reported.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from rapidfuzz import fuzz
from sqlalchemy import insert
from sqlmodel import Session, col, select

from models.catalog import Event, EventLink, Venue
from services.catalog.clean import clean_url
from services.catalog.search_text import normalize_words

TITLE_SIMILARITY = 0.8
VENUE_SIMILARITY = 0.85
# Columns a linking source may fill when the owning source left them empty.
GAP_COLUMNS: tuple[str, ...] = ('ticket_url', 'image_url', 'price_min', 'price_max', 'description')
URL_COLUMNS: tuple[str, ...] = ('ticket_url', 'image_url')
NEVER_FILLED_SOURCES = ('demo',)


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
    merged: int = 0  # listings of an id already listed in the same import, merged into it
    dropped_urls: list[str] = field(default_factory=list)  # 'title: URL' of each link not stored


def upsert_events(
    *, session: Session, source: str, records: Iterable[EventRecord], now: datetime, fill: bool = False
) -> UpsertCounts:
    """Creates or updates the events of `source` from `records`, so a re-run touches only what changed.

    The events already stored are read in one query, keyed by (source, source_id) like the table's unique
    constraint; listings linked to another source's event in a second. `fill`: this source may fill the
    gaps of another source's event it links to. Never commits: the caller's transaction holds every write.
    """
    counts = UpsertCounts()
    records = _merged(_checked_urls(list(records), counts), counts)
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
    created: list[dict[str, Any]] = []
    for record in records:
        if record.source_id in links:
            outcome = _follow(session.get(Event, links[record.source_id].event_id), record, now, fill)
        elif record.source_id in twins:
            twin = twins[record.source_id]
            url = str(record.values.get('ticket_url') or '')
            session.add(EventLink(event_id=twin.id, source=source, source_id=record.source_id, url=url, updated_at=now))
            _follow(twin, record, now, fill)
            outcome = 'linked'
        elif record.source_id not in existing:
            created.append({'id': record.event_id, 'source': source, 'source_id': record.source_id, **record.values})
            outcome = 'created'
        else:
            outcome = _update(existing[record.source_id], record, now=now)
        setattr(counts, outcome, getattr(counts, outcome) + 1)
    _insert_all(session, created, now)
    return counts


def _insert_all(session: Session, rows: list[dict[str, Any]], now: datetime) -> None:
    """New events in one statement: building an ORM object per event costs more than the insert itself (the demo
    city's thousands at every cold start). A column a row leaves out gets the model's default."""
    if not rows:
        return
    fields = Event.model_fields
    missing = {name for row in rows for name in fields if name not in row and not fields[name].is_required()}
    defaults = {name: fields[name].get_default(call_default_factory=True) for name in missing}
    session.execute(insert(Event), [{**defaults, **row, 'updated_at': now} for row in rows])


def _update(existing: Event, record: EventRecord, *, now: datetime) -> Literal['updated', 'unchanged']:
    if all(getattr(existing, name) == value for name, value in record.values.items()):
        return 'unchanged'
    for name, value in record.values.items():
        setattr(existing, name, value)
    existing.updated_at = now
    return 'updated'


def _checked_urls(records: list[EventRecord], counts: UpsertCounts) -> list[EventRecord]:
    """Every link through `clean_url`; a link that is not a safe http(s) URL is dropped and named."""
    checked = []
    for record in records:
        values = dict(record.values)
        for name in URL_COLUMNS:
            raw = str(values.get(name) or '')
            values[name] = clean_url(raw) if name in values else ''
            if raw and not values[name]:
                counts.dropped_urls.append(f'{values.get("title", record.source_id)}: {name} {raw[:80]!r}')
            if name not in record.values and not values[name]:
                values.pop(name)
        checked.append(EventRecord(event_id=record.event_id, source_id=record.source_id, values=values))
    return checked


def _merged(records: list[EventRecord], counts: UpsertCounts) -> list[EventRecord]:
    """One record per source_id: the first listing, its gaps filled from the later ones, cancelled if any is."""
    by_key: dict[str, EventRecord] = {}
    for record in records:
        first = by_key.get(record.source_id)
        if first is None:
            by_key[record.source_id] = record
            continue
        counts.merged += 1
        for name, value in record.values.items():
            if first.values.get(name) in (None, '', []) and value not in (None, '', []):
                first.values[name] = value
        if record.values.get('status') == 'cancelled':
            first.values['status'] = 'cancelled'
    return list(by_key.values())


def _follow(event: Event | None, record: EventRecord, now: datetime, fill: bool) -> Literal['updated', 'unchanged']:
    """What a linked listing may change on the event it links to: its cancellation, and gaps if trusted."""
    if event is None or event.source in NEVER_FILLED_SOURCES:
        return 'unchanged'
    changed = False
    if record.values.get('status') == 'cancelled' and event.status != 'cancelled':
        event.status = 'cancelled'
        changed = True
    if fill:
        changed = _fill(event, record) or changed
    if changed:
        event.updated_at = now
    return 'updated' if changed else 'unchanged'


def _fill(event: Event, record: EventRecord) -> bool:
    changed = False
    for name in GAP_COLUMNS:
        value = record.values.get(name)
        if value not in (None, '') and getattr(event, name) in (None, ''):
            setattr(event, name, value)
            changed = True
            if name == 'price_min' and record.values.get('currency'):
                event.currency = record.values['currency']  # a price is only as good as its currency
    return changed


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
    venue_names = {v.id: v.name for v in session.exec(select(Venue).where(col(Venue.id).in_(venue_ids)))}
    twins: dict[str, Event] = {}
    for record in dated:
        values = record.values
        for event, venue in candidates:
            if (
                event.city_id == values['city_id']
                and event.starts_at == values['starts_at']  # aware datetimes: the same instant, any offset
                and similarity(venue.name, venue_names.get(values['venue_id'], '')) >= VENUE_SIMILARITY
                and similarity(event.title, values['title']) >= TITLE_SIMILARITY
            ):
                twins[record.source_id] = event
                break
    return twins


def similarity(a: str, b: str) -> float:
    """rapidfuzz's token-set ratio of the normalized texts, 0..1: 1 when one's words are all in the other."""
    first, second = normalize_words(a), normalize_words(b)
    if not first or not second:
        return 0.0
    return fuzz.token_set_ratio(first, second) / 100


def title_similarity(a: str, b: str) -> float:
    """How alike two titles are (`similarity`), for tests and tools."""
    return similarity(a, b)
