"""The runner against a real SQLite file: every end state, the concurrency cap, deadline, cancel, shutdown."""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlmodel import Session

from models import db
from models.generation import Generation, Preferences
from services import clock
from services.generations import runner as runner_module
from services.generations import service
from services.planners.base import PlannerError
from settings import settings
from tests.factories import add_city, add_event, add_venue
from tests.fakes.planners import PlannerSwitch, ScriptedPlanner

pytestmark = pytest.mark.databases()  # the lifecycle on SQLite and on Postgres

PREFS = Preferences(interests=['music', 'nightlife'], timeframe='Next 7 days')


@pytest.fixture(autouse=True)
def berlin(session: Session) -> None:
    venue = add_venue(session, add_city(session), tags=['underground'])
    for day in range(1, 4):
        add_event(session, venue, title=f'Night {day}', starts_at=clock.now() + timedelta(days=day))


@pytest.fixture
def planners() -> PlannerSwitch:
    """What the runner is given as its planners; a test picks the one it hands out with `planners.use()`."""
    return PlannerSwitch()


@pytest.fixture
async def runner(planners: PlannerSwitch) -> AsyncIterator[runner_module.Runner]:
    started = service.start_runner(
        planner_for=planners, max_concurrent=settings.max_concurrent_generations, lease_seconds=3
    )
    yield started
    await service.stop_runner()


async def start(client: str = 'ip:1') -> str:
    row = await service.start_generation(preferences=PREFS, client_id=client)
    return row.id


def read(generation_id: str) -> Generation:
    with db.session_scope() as session:
        return session.get(Generation, generation_id)


async def wait_for_status(generation_id: str, *statuses: str, timeout: float = 5) -> Generation:
    async with asyncio.timeout(timeout):
        while (row := read(generation_id)).status not in statuses:
            await asyncio.sleep(0.02)
    return row


async def test_a_generation_completes_with_bundles_and_progress(runner, planners) -> None:
    planners.use(ScriptedPlanner(steps=('Searched 12 events', 'Wrote 3 bundles')))
    row = await wait_for_status(await start(), 'completed')
    assert len(row.bundles) == 3
    assert [p['message'] for p in row.progress] == ['Searched 12 events', 'Wrote 3 bundles']
    assert row.lease_owner is None and row.attempts == 1


async def test_a_planner_error_fails_with_its_user_message(runner, planners) -> None:
    planners.use(ScriptedPlanner(error=PlannerError('No events match these dates.')))
    row = await wait_for_status(await start(), 'failed')
    assert row.error == 'No events match these dates.'


async def test_a_crash_fails_without_leaking_the_detail(runner, planners) -> None:
    planners.use(ScriptedPlanner(error=RuntimeError('secret sk-123 at line 42')))
    row = await wait_for_status(await start(), 'failed')
    assert row.error == runner_module.UNEXPECTED_ERROR
    assert 'sk-123' not in row.error


async def test_ungrounded_bundles_are_never_stored(runner, planners) -> None:
    def made_up(planner: ScriptedPlanner, request) -> list:
        bundles = planner.grounded_bundles(request)
        invented = bundles[0].key_events[0].model_copy(update={'title': 'A party the model dreamt up'})
        return [bundles[0].model_copy(update={'key_events': [invented]}), *bundles[1:]]

    planners.use(ScriptedPlanner(make_bundles=made_up))
    row = await wait_for_status(await start(), 'completed')
    assert [b['title'] for b in row.bundles] == ['Warehouse Weekend 2', 'Warehouse Weekend 3']


async def test_no_bundles_is_a_readable_failure(runner, planners) -> None:
    planners.use(ScriptedPlanner(bundle_count=0))
    row = await wait_for_status(await start(), 'failed')
    assert 'No plan could be made' in row.error


async def test_cancel_stops_the_plan_and_is_final(runner, planners) -> None:
    planner = planners.use(ScriptedPlanner(hold=True))
    generation_id = await start()
    await wait_for_status(generation_id, 'processing')
    await service.cancel_generation(generation_id, service.owner_token(generation_id))
    planner.release.set()
    await asyncio.sleep(0.2)
    assert read(generation_id).status == 'cancelled'
    assert runner.active == 0


async def test_at_most_max_concurrent_plan_at_once(planners) -> None:
    planner = planners.use(ScriptedPlanner(hold=True))
    started = service.start_runner(planner_for=planners, max_concurrent=2, lease_seconds=3)
    try:
        ids = [await start() for _ in range(5)]
        await asyncio.sleep(0.3)
        assert sorted(read(i).status for i in ids) == ['pending'] * 3 + ['processing'] * 2
        planner.release.set()
        for generation_id in ids:
            await wait_for_status(generation_id, 'completed')
        assert planner.peak_running == 2
    finally:
        await started.shutdown()


async def test_the_deadline_fails_a_slow_plan(runner, planners, monkeypatch) -> None:
    monkeypatch.setattr(settings, 'generation_timeout_s', 0.5)
    planners.use(ScriptedPlanner(hold=True))
    row = await wait_for_status(await start(), 'failed')
    assert 'took longer than' in row.error


async def test_shutdown_leaves_running_rows_to_resume(planners) -> None:
    planner = planners.use(ScriptedPlanner(hold=True))
    first = service.start_runner(planner_for=planners, max_concurrent=4, lease_seconds=3)
    generation_id = await start()
    await wait_for_status(generation_id, 'processing')
    await service.stop_runner()
    row = read(generation_id)
    assert row.status == 'processing' and row.lease_owner is None

    planner.release.set()
    second = service.start_runner(planner_for=planners, max_concurrent=4, lease_seconds=3)
    try:
        assert await second.recover() == 1
        row = await wait_for_status(generation_id, 'completed')
        assert row.attempts == 1  # a clean stop gave its attempt back
        assert first.owner != second.owner
    finally:
        await service.stop_runner()


async def test_a_lost_lease_stops_the_plan_without_writing(runner, planners) -> None:
    planner = planners.use(ScriptedPlanner(hold=True, steps=()))
    generation_id = await start()
    await wait_for_status(generation_id, 'processing')
    with db.session_scope() as session:  # another instance took the row over
        row = session.get(Generation, generation_id)
        row.lease_owner = 'someone-else'
        session.add(row)
    await asyncio.sleep(1.5)  # more than one renewal period (lease_seconds / 3)
    assert len(planner.calls) == 1  # not started again here
    assert runner.active == 0
    assert read(generation_id).lease_owner == 'someone-else'
