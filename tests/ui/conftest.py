"""UI tests: a scripted planner instead of the real ones, and a fast poll so pages follow changes quickly."""

import asyncio
from collections.abc import Callable

import pytest
from nicegui.testing import User

from services import database
from services.catalog import queries
from services.generations import service
from settings import settings
from tests.fakes.planners import PlannerSwitch, restart_runner_with

FAST_POLL_S = 0.1


@pytest.fixture(autouse=True)
def fast_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, 'poll_interval_s', FAST_POLL_S)


@pytest.fixture(autouse=True)
def planners() -> PlannerSwitch:
    """The planners the runner is given (see `user`); `planners.use()` swaps the one it hands out."""
    return PlannerSwitch()


@pytest.fixture
async def user(user: User, planners: PlannerSwitch) -> User:
    """NiceGUI runs async start-up hooks as tasks: wait until the runner and the demo catalog are ready,
    then run generations with the test's planners instead of the real ones app.py passed."""
    await eventually(service.is_running)
    await restart_runner_with(planners)
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
