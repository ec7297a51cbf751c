"""UI tests: a scripted planner instead of the real ones, and a fast poll so pages follow changes quickly."""

import asyncio
from collections.abc import Callable

import pytest
from nicegui.testing import User

from services import database, runner
from services.catalog import queries
from services.planners import registry
from settings import settings
from tests.fakes.planners import ScriptedPlanner

FAST_POLL_S = 0.1


class PlannerSwitch:
    """What `registry.get_planner` hands the runner during a test; `use()` swaps it mid-test."""

    def __init__(self) -> None:
        self.current = ScriptedPlanner()

    def use(self, planner: ScriptedPlanner) -> ScriptedPlanner:
        self.current = planner
        return planner


@pytest.fixture(autouse=True)
def fast_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, 'poll_interval_s', FAST_POLL_S)


@pytest.fixture(autouse=True)
def planners(monkeypatch: pytest.MonkeyPatch) -> PlannerSwitch:
    switch = PlannerSwitch()
    monkeypatch.setattr(registry, 'get_planner', lambda _name: switch.current)
    return switch


@pytest.fixture
async def user(user: User) -> User:
    """NiceGUI runs async start-up hooks as tasks: wait until the runner and the demo catalog are ready."""
    await eventually(lambda: runner._runner is not None)
    for _ in range(100):
        if await database.in_db(queries.list_cities):
            break
        await asyncio.sleep(0.05)
    return user


async def eventually(check: Callable[[], bool], *, timeout: float = 5) -> None:
    """Waits until `check()` is true (the UI updates from timers and background tasks)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError('condition not met in time')
        await asyncio.sleep(0.05)
