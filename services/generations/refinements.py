"""Refinements in the database: a new generation that remakes one bundle of a completed one.

The parent's bundles are copied onto the new row, so the refinement still runs (and shows the other
bundles as they were) after the parent itself expired. The row's `bundles` start as the kept ones (every
bundle but the one being remade, each already valid), so GET shows them while the refinement runs; the
runner puts the remade bundle in its place when it completes. The refinement runs with the parent's
planner: the same kind of plan, whatever the server's current setting.
"""

from datetime import datetime
from typing import Any

from sqlmodel import Session

from models.generation import Generation, KeyEvent, RefinementCreate
from services.catalog import queries
from services.database import writes
from services.generations import rate_limit, store
from services.generations.errors import GenerationNotFound, InvalidPreferences, ParentNotCompleted
from services.planners.offline.alternatives import alternatives_for


@writes
def create_refinement(
    *,
    session: Session,
    parent_id: str,
    change: RefinementCreate,
    client_id: str,
    now: datetime,
    idempotency_key: str | None = None,
    client_ip: str | None = None,
) -> Generation:
    """A new pending generation that remakes one bundle of a completed one (docs/ARCHITECTURE.md, refinement)."""
    parent = store.get_generation(session=session, generation_id=parent_id, now=now)
    if parent is None:
        raise GenerationNotFound()
    if parent.status != 'completed':
        raise ParentNotCompleted(parent.status)
    bundles = parent.bundles or []
    if change.bundle_index >= len(bundles):
        raise InvalidPreferences('bundleIndex', f'this plan has {len(bundles)} bundles (indexes 0-{len(bundles) - 1})')
    event_ids = [e['eventId'] for e in bundles[change.bundle_index].get('keyEvents', [])]
    if change.replace_event_id is not None and change.replace_event_id not in event_ids:
        raise InvalidPreferences('replaceEventId', f'{change.replace_event_id!r} is not an event of that bundle')
    chosen = change.replacement_event_id
    if chosen is not None and not queries.get_events(session=session, event_ids=[chosen]):
        raise InvalidPreferences('replacementEventId', f'{chosen!r} is not an event of the catalog')
    refinement = {**change.model_dump(mode='json', by_alias=True, exclude_none=True), 'parentBundles': bundles}
    if idempotency_key:
        existing = store.find_by_key(session, client_id, idempotency_key, now)
        if existing is not None:
            return _replay(existing, parent.id, refinement)
    rate_limit.check(session, client_id=client_id, client_ip=client_ip, now=now)
    row = store.new_row(parent.preferences, parent.window, parent.planner, client_id, idempotency_key, now)
    row.parent_id, row.refinement, row.client_ip = parent.id, refinement, client_ip
    row.bundles = [b for i, b in enumerate(bundles) if i != change.bundle_index]
    return store.insert_row(session, row, lambda existing: _replay(existing, parent.id, refinement))


def alternatives(
    *, session: Session, generation_id: str, bundle_index: int, event_id: str, now: datetime
) -> list[KeyEvent]:
    """The best replacements for one event of a completed plan's bundle (404, 409 and 422 as refinements)."""
    row = store.get_generation(session=session, generation_id=generation_id, now=now)
    if row is None:
        raise GenerationNotFound()
    if row.status != 'completed':
        raise ParentNotCompleted(row.status)
    bundles = row.bundles or []
    if bundle_index >= len(bundles):
        raise InvalidPreferences('index', f'this plan has {len(bundles)} bundles (indexes 0-{len(bundles) - 1})')
    if event_id not in [e['eventId'] for e in bundles[bundle_index].get('keyEvents', [])]:
        raise InvalidPreferences('eventId', f'{event_id!r} is not an event of that bundle')
    return alternatives_for(session=session, generation=row, bundle_index=bundle_index, event_id=event_id)


def _replay(existing: Generation, parent_id: str, refinement: dict[str, Any]) -> Generation:
    if existing.parent_id != parent_id or existing.refinement != refinement:
        raise InvalidPreferences('Idempotency-Key', 'this key was already used for another request')
    return existing
