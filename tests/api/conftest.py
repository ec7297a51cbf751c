"""API tests through the real app (NiceGUI's User fixture) run generations with the test's planners."""

import asyncio

import pytest
from nicegui.testing import User

from services.generations import service
from tests.fakes.planners import PlannerSwitch, restart_runner_with


@pytest.fixture
def planners() -> PlannerSwitch:
    """The planners the runner is given (see `user`); `planners.use()` swaps the one it hands out."""
    return PlannerSwitch()


@pytest.fixture
async def user(user: User, planners: PlannerSwitch) -> User:
    """The app as started, but its runner hands out `planners.current` instead of the real planners."""
    async with asyncio.timeout(5):  # NiceGUI runs async start-up hooks as tasks
        while not service.is_running():
            await asyncio.sleep(0.05)
    await restart_runner_with(planners)
    return user
