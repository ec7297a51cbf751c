"""Runs generations as asyncio tasks on the server, independent of any browser tab.

At most MAX_CONCURRENT_GENERATIONS plan at once (the rest stay `pending`); each run holds a renewed
lease, has a deadline, and always ends its row: completed, failed with a readable reason, or left to be
resumed when the server is shutting down. Start-up and the periodic sweep resume rows whose lease
expired (a crashed or stopped server).
"""

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import not_
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential

from models.generation import Bundle, Generation, Preferences, TimeWindow
from services import clock, metrics
from services.database import in_db
from services.generations import store
from services.planners import grounding
from services.planners.base import Planner, PlannerError, PlanRequest, Refinement

log = logging.getLogger(__name__)

UNEXPECTED_ERROR = 'Something went wrong while planning. Please try again.'


PlannerFactory = Callable[[str], Planner]  # a planner name (`offline`, `openai`) -> the planner to use


class Runner:
    """Runs generations with the planners `planner_for` gives; app.py passes the real ones, tests fakes."""

    def __init__(
        self, *, planner_for: PlannerFactory, max_concurrent: int, lease_seconds: float, polling: bool = False
    ) -> None:
        self.planner_for = planner_for
        # A worker process that polls takes only what fits its free slots, even in the recovery sweep: rows
        # queued here would wait for our slots while another worker has free ones.
        self.polling = polling
        self.owner = f'{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}'
        self.lease_seconds = lease_seconds
        self.max_concurrent = max_concurrent
        self._slots = asyncio.Semaphore(max_concurrent)
        self._tasks: dict[str, asyncio.Task] = {}  # kept referenced: a bare task can be garbage collected
        self._plans: dict[str, asyncio.Task] = {}
        self._closing = False

    @property
    def active(self) -> int:
        return len(self._tasks)

    def submit(self, generation_id: str) -> None:
        """Schedules the generation here unless it already is; claiming decides who really runs it."""
        if self._closing or generation_id in self._tasks:
            return
        task = asyncio.create_task(self._run(generation_id), name=f'generation-{generation_id}')
        self._tasks[generation_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(generation_id, None))

    def stop_local(self, generation_id: str) -> None:
        """Stops our planning of a generation that was cancelled (the row is already written)."""
        plan = self._plans.get(generation_id)
        if plan is not None:
            plan.cancel()

    async def recover(self) -> int:
        """Fails rows that may not be retried, then resumes every other running row without a live lease."""
        await fail_abandoned()
        if self.polling:
            return await self.take_waiting()
        ids = await in_db(store.find_resumable, now=clock.now())
        resumed = [i for i in ids if i not in self._tasks]
        for generation_id in resumed:
            self.submit(generation_id)
        if resumed:
            log.info('resuming %d generations', len(resumed))
        return len(resumed)

    async def take_waiting(self) -> int:
        """A worker's poll: submits rows nobody holds (new or left by a crash), no more than our free slots.

        Taking only what fits leaves the rest to the other workers; the claim decides when two take one row.
        """
        free = self.max_concurrent - self.active
        if self._closing or free <= 0:
            return 0
        ids = await in_db(store.find_resumable, now=clock.now(), limit=free)
        taken = [i for i in ids if i not in self._tasks]
        for generation_id in taken:
            self.submit(generation_id)
        return len(taken)

    async def drop_lost(self) -> int:
        """Stops our plans whose row was cancelled or taken over meanwhile (a worker checks at each poll, so a
        cancel frees its CPU at once instead of at the next progress write or lease renewal)."""
        planning = list(self._plans)
        if not planning:
            return 0
        lost = await in_db(_not_ours, ids=planning, owner=self.owner)
        for generation_id in lost:
            self.stop_local(generation_id)
        return len(lost)

    async def shutdown(self, timeout: float = 5) -> None:
        """Stops every run and releases our leases so the next start resumes them at once."""
        self._closing = True
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)
        released = await in_db(store.release_leases, owner=self.owner)
        log.info('shutdown: %d generations left to resume', released)

    async def _run(self, generation_id: str) -> None:
        async with self._slots:
            try:
                row = await in_db(store.claim, generation_id=generation_id, owner=self.owner, now=clock.now())
                if row is not None:
                    await self._execute(row)
            except OperationalError as error:  # database locked or unwritable: nothing is lost, retry later
                log.warning('generation %s left to the recovery sweep: database unavailable (%s)', generation_id, error)

    async def _execute(self, row: Generation) -> None:
        request = PlanRequest(
            generation_id=row.id,
            preferences=Preferences.model_validate(row.preferences),
            window=TimeWindow.model_validate(row.window),
            city=row.preferences.get('city') or '',
            saved_state=row.planner_state,
            saved_bundles=[Bundle.model_validate(b) for b in row.bundles or []] if row.refinement is None else [],
            refinement=_refinement_of(row),
        )
        plan = asyncio.ensure_future(self._plan(row.planner, request))
        self._plans[row.id] = plan
        keeper = asyncio.create_task(self._keep_lease(row.id, plan))
        remaining = max(0.0, (row.deadline_at - clock.now()).total_seconds())
        try:
            bundles = await asyncio.wait_for(plan, timeout=remaining)
        except TimeoutError:
            minutes = max(1, round((row.deadline_at - row.created_at).total_seconds() / 60))
            await self._fail(row, store.DEADLINE_MESSAGE.format(minutes=minutes))
        except PlannerError as error:
            await self._fail(row, error.user_message)
        except asyncio.CancelledError:
            if _being_cancelled():
                raise  # server shutdown: the row keeps its status and is resumed after the restart
            log.info('generation %s stopped: cancelled or taken over', row.id)
        except Exception:
            log.exception('generation %s: planner crashed', row.id)
            await self._fail(row, UNEXPECTED_ERROR)
        else:
            bundles, problem = await in_db(_final_bundles, generation_id=row.id, bundles=bundles, request=request)
            if not bundles:
                await self._fail(row, problem)
            elif await self._write_end(store.complete, generation_id=row.id, bundles=bundles):
                log.info('generation %s completed', row.id)
                metrics.record_finished('completed', created_at=row.created_at, finished_at=clock.now())
            else:
                log.info('generation %s finished elsewhere or was cancelled; result dropped', row.id)
        finally:
            keeper.cancel()
            self._plans.pop(row.id, None)

    async def _plan(self, planner_name: str, request: PlanRequest) -> list:
        planner = self.planner_for(planner_name)
        return await planner.plan(request, _RowContext(self, request))

    async def _fail(self, row: Generation, message: str) -> None:
        if await self._write_end(store.fail, generation_id=row.id, error=message):
            log.info('generation %s failed: %s', row.id, message)
            metrics.record_finished('failed', created_at=row.created_at, finished_at=clock.now())

    async def _write_end(self, function: Callable[..., bool], **kwargs: Any) -> bool:
        """Writes the end state, retrying a locked database for a while (within our lease)."""
        async for attempt in AsyncRetrying(
            retry=retry_if_exception_type(OperationalError),
            wait=wait_exponential(multiplier=0.2, max=3),
            stop=stop_after_delay(self.lease_seconds / 2),
            reraise=True,
        ):
            with attempt:
                return await in_db(function, owner=self.owner, now=clock.now(), **kwargs)
        return False

    async def _keep_lease(self, generation_id: str, plan: asyncio.Future) -> None:
        """Renews the lease while planning; stops the plan if the row was cancelled or taken over."""
        while not plan.done():
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                renewed = await in_db(store.renew_lease, generation_id=generation_id, owner=self.owner, now=clock.now())
            except OperationalError as error:  # a busy database must not stop the plan; try again soon
                log.warning('lease renewal of %s failed: %s', generation_id, error)
                continue
            if not renewed:
                plan.cancel()
                return


async def fail_abandoned() -> int:
    """Fails, with their reason, running rows that may not be retried (any process may do it: one UPDATE)."""
    failed = await in_db(store.fail_abandoned, now=clock.now())
    if failed:
        log.warning('failed %d abandoned generations', failed)
        metrics.generations_finished.labels(status='failed').inc(failed)
    return failed


def _not_ours(*, session: Session, ids: list[str], owner: str) -> list[str]:
    ours = (col(Generation.status) == 'processing') & (col(Generation.lease_owner) == owner)
    query = select(Generation.id).where(col(Generation.id).in_(ids), not_(ours))
    return list(session.exec(query).all())


NOTHING_MADE = 'No plan could be made from the events available. Try other interests or dates.'


def _final_bundles(
    *, session: Session, generation_id: str, bundles: list[Bundle], request: PlanRequest
) -> tuple[list[Bundle], str]:
    """The bundles to complete with (the ones stored while planning first), or none and why.

    The last guard before anything is shown: a bundle breaking the grounding rule is never stored. Bundles
    already stored were checked when they came; only new ones are checked here, after them.
    """
    if request.refinement is not None:
        return _refined(session, bundles, request, request.refinement)
    row = session.get(Generation, generation_id, populate_existing=True)
    stored = [Bundle.model_validate(b) for b in (row.bundles if row is not None else None) or []]
    stored_keys = {_key(b) for b in stored}
    new = [b for b in bundles if _key(b) not in stored_keys]
    valid = [*stored, *_valid_after(session, stored, new, request)]
    return valid, '' if valid else NOTHING_MADE


def _refined(
    session: Session, bundles: list[Bundle], request: PlanRequest, refinement: Refinement
) -> tuple[list[Bundle], str]:
    """The parent's bundles with the one the planner remade in its place; the others stay as they were."""
    if not bundles:
        return [], NOTHING_MADE
    others = refinement.others
    if not _valid_after(session, others, bundles[:1], request):
        return [], 'The changed plan broke a rule (an event used twice, a clash or the budget). Please try again.'
    result = list(refinement.bundles)
    result[refinement.bundle_index] = bundles[0]
    return result, ''


def _valid_after(session: Session, kept: list[Bundle], new: list[Bundle], request: PlanRequest) -> list[Bundle]:
    """The bundles of `new` that break no rule, with no event of `kept` (or of each other) used again."""
    budget = request.preferences.budget
    checked = [*kept, *new]
    violations = grounding.check_bundles(session=session, bundles=checked, window=request.window, budget=budget)
    ours = [v for v in violations if v.bundle >= len(kept)]
    if ours:
        log.warning('generation %s: dropped ungrounded bundles: %s', request.generation_id, ours[:5])
    return [b for i, b in enumerate(checked) if i >= len(kept) and all(v.bundle != i for v in ours)]


def _check_new(
    *, session: Session, generation_id: str, owner: str, bundle: Bundle, request: PlanRequest, now: datetime
):
    """Checks one bundle against the rule and the stored ones; stores it when valid. (violations, still ours)."""
    row = session.get(Generation, generation_id, populate_existing=True)
    if row is None or row.lease_owner != owner:
        return [], False
    if request.refinement is not None:  # checked against the kept bundles; put in place when the run ends
        return _new_violations(session, request.refinement.others, bundle, request), True
    stored = [Bundle.model_validate(b) for b in row.bundles or []]
    budget = request.preferences.budget
    violations = grounding.check_bundles(
        session=session, bundles=[*stored, bundle], window=request.window, budget=budget
    )
    problems = [v.message for v in violations if v.bundle == len(stored)]
    if problems:
        return problems, True
    return [], store.add_bundle(session=session, generation_id=generation_id, owner=owner, bundle=bundle, now=now)


def _new_violations(session: Session, kept: list[Bundle], bundle: Bundle, request: PlanRequest) -> list:
    checked = [*kept, bundle]
    budget = request.preferences.budget
    violations = grounding.check_bundles(session=session, bundles=checked, window=request.window, budget=budget)
    return [v.message for v in violations if v.bundle == len(kept)]


def _key(bundle: Bundle) -> tuple[str, ...]:
    return tuple(e.event_id for e in bundle.key_events)


def _refinement_of(row: Generation) -> Refinement | None:
    data = row.refinement
    if not data:
        return None
    return Refinement(
        bundles=[Bundle.model_validate(b) for b in data.get('parentBundles', [])],
        bundle_index=int(data['bundleIndex']),
        instruction=data.get('instruction') or '',
        replace_event_id=data.get('replaceEventId'),
        replacement_event_id=data.get('replacementEventId'),
    )


def _being_cancelled() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


class _RowContext:
    """The PlanContext of one run: writes land on the row only while we own it."""

    def __init__(self, runner: Runner, request: PlanRequest) -> None:
        self._runner, self._id, self._request = runner, request.generation_id, request

    async def add_bundle(self, bundle: Bundle) -> list[str]:
        problems, owned = await in_db(
            _check_new,
            generation_id=self._id,
            owner=self._runner.owner,
            bundle=bundle,
            request=self._request,
            now=clock.now(),
        )
        if not owned:
            self._runner.stop_local(self._id)
        return problems

    async def report(self, message: str) -> None:
        await self._write(store.append_progress, message=message)

    async def save_state(self, state: dict[str, Any]) -> None:
        await self._write(store.save_planner_state, state=state)

    async def save_wish(self, wish: dict[str, Any]) -> None:
        await self._write(store.save_wish, wish=wish)

    async def add_usage(self, usage: dict[str, int]) -> None:
        metrics.record_usage(usage)
        await self._write(store.add_usage, usage=usage)

    async def _write(self, function: Callable[..., bool], **kwargs: Any) -> None:
        try:
            owned = await in_db(function, generation_id=self._id, owner=self._runner.owner, now=clock.now(), **kwargs)
        except OperationalError as error:  # progress is best effort: a busy database must not fail the plan
            log.warning('generation %s: progress not saved (%s)', self._id, error)
            return
        if not owned:
            self._runner.stop_local(self._id)
