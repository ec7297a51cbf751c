"""The generation service the API and the pages call: start, cancel, read and list generations.

Runs on the event loop: database work goes through `services.database.in_db`. Refusals are raised as
`services.generations.errors` exceptions, which the pages show and api/errors.py maps to HTTP.
"""

import logging

from sqlalchemy.exc import OperationalError

from models.generation import RUNNING_STATUSES, Generation, KeyEvent, Preferences, RefinementCreate
from services import clock, metrics
from services.database import in_db
from services.generations import keeping, ownership, refinements, store
from services.generations.errors import ServiceBusy
from services.generations.runner import PlannerFactory, Runner
from settings import settings

log = logging.getLogger(__name__)

_runner: Runner | None = None


def get_runner() -> Runner:
    if _runner is None:
        raise RuntimeError('the runner is not started')
    return _runner


def is_running() -> bool:
    return _runner is not None


def start_runner(
    *, planner_for: PlannerFactory, max_concurrent: int, lease_seconds: float, polling: bool = False
) -> Runner:
    global _runner
    _runner = Runner(
        planner_for=planner_for, max_concurrent=max_concurrent, lease_seconds=lease_seconds, polling=polling
    )
    return _runner


async def stop_runner() -> None:
    global _runner
    if _runner is not None:
        await _runner.shutdown()
        _runner = None


async def start_generation(
    *, preferences: Preferences, client_id: str, client_ip: str | None = None, idempotency_key: str | None = None
) -> Generation:
    """Creates the generation (answering at once) and schedules it; raises GenerationError subclasses.

    The rate limit counts both `client_id` (a browser, or an API client) and `client_ip` (the address).
    """
    try:
        row = await in_db(
            store.create_generation,
            preferences=preferences,
            client_id=client_id,
            client_ip=client_ip,
            planner=settings.resolved_planner(),
            idempotency_key=idempotency_key,
            now=clock.now(),
        )
    except OperationalError as error:  # locked or read-only database: nothing was written, a retry works
        log.warning('generation not created, database unavailable: %s', error)
        raise ServiceBusy() from None
    _hand_over(row)
    return row


async def refine_generation(
    *,
    parent_id: str,
    change: RefinementCreate,
    client_id: str,
    client_ip: str | None = None,
    idempotency_key: str | None = None,
) -> Generation:
    """Starts a new generation remaking one bundle of a completed one (with the parent's planner); answers at once."""
    try:
        row = await in_db(
            refinements.create_refinement,
            parent_id=parent_id,
            change=change,
            client_id=client_id,
            client_ip=client_ip,
            idempotency_key=idempotency_key,
            now=clock.now(),
        )
    except OperationalError as error:
        log.warning('refinement not created, database unavailable: %s', error)
        raise ServiceBusy() from None
    _hand_over(row)
    return row


async def bundle_alternatives(*, generation_id: str, bundle_index: int, event_id: str) -> list[KeyEvent]:
    """The best replacements for one event of a completed plan's bundle, best first."""
    return await in_db(
        refinements.alternatives,
        generation_id=generation_id,
        bundle_index=bundle_index,
        event_id=event_id,
        now=clock.now(),
    )


def _hand_over(row: Generation) -> None:
    """Plans the new row here when this process plans; otherwise the worker processes' poll finds it."""
    if _runner is not None and row.status in RUNNING_STATUSES:
        _runner.submit(row.id)


def owner_token(generation_id: str) -> str:
    """The token that lets its holder cancel the generation (given only to whoever started it)."""
    return ownership.token_for(generation_id)


async def cancel_generation(generation_id: str, owner_token: str | None) -> Generation | None:
    """The cancelled (or already finished) generation; None when unknown, malformed or expired.

    Raises NotOwner when `owner_token` is not the one the generation was started with.
    """
    now = clock.now()
    try:
        row, was_running = await in_db(
            store.cancel_generation, generation_id=generation_id, owner_token=owner_token, now=now
        )
    except OperationalError as error:
        log.warning('generation %s not cancelled, database unavailable: %s', generation_id, error)
        raise ServiceBusy() from None
    if row is None:
        return None
    if was_running:
        metrics.record_finished('cancelled', created_at=row.created_at, finished_at=now)
    if _runner is not None:
        _runner.stop_local(row.id)  # the stored id: the caller's may differ in case
    return row


async def keep_generation(generation_id: str, owner_token: str | None, *, kept: bool) -> Generation | None:
    """Keeps (or un-keeps) a plan for its owner; None when unknown or expired. Raises NotOwner without the token."""
    try:
        return await in_db(
            keeping.set_kept, generation_id=generation_id, owner_token=owner_token, kept=kept, now=clock.now()
        )
    except OperationalError as error:
        log.warning('generation %s not kept, database unavailable: %s', generation_id, error)
        raise ServiceBusy() from None


async def get_generation(generation_id: str) -> Generation | None:
    """The generation, or None when the id is malformed, unknown, or its result has expired."""
    return await in_db(store.get_generation, generation_id=generation_id, now=clock.now())


async def list_generations(ids: list[str]) -> list[Generation]:
    """The given generations (a browser's own), newest first, without expired ones."""
    return await in_db(store.list_generations, ids=ids, now=clock.now())
