"""A scripted planner: reports the given steps, then returns grounded bundles, raises, or waits to be released."""

import asyncio

from models.db import session_scope
from models.generation import Bundle
from services import catalog
from services.planners import grounding
from services.planners.base import PlanContext, PlanRequest


def sample_bundles(request: PlanRequest, count: int = 3) -> list[Bundle]:
    """`count` one-event bundles made of real catalog events of the request's window."""
    with session_scope() as session:
        city = catalog.get_city(session=session, name=request.city)
        events = catalog.search_events(session=session, city=city, window=request.window, limit=count)
    assert len(events) >= count, 'the test catalog needs more events in this window'
    bundles = []
    for n, event in enumerate(events):
        key_event = grounding.key_event_from(event, why='It fits')
        bundles.append(
            Bundle(
                title=f'Plan {n}',
                description='A test plan',
                tags=['test'],
                key_events=[key_event],
                estimated_cost=grounding.estimate_cost([key_event]),
            )
        )
    return bundles


class ScriptedPlanner:
    name = 'offline'

    def __init__(
        self,
        *,
        steps: tuple[str, ...] = ('Searching events', 'Writing bundles'),
        error: Exception | None = None,
        hold: bool = False,
        bundles: int = 3,
        make_bundles=None,
    ) -> None:
        self.steps, self.error, self.bundles = steps, error, bundles
        self.make_bundles = make_bundles or sample_bundles
        self.release = asyncio.Event()
        if not hold:
            self.release.set()
        self.started: list[str] = []
        self.running = 0
        self.peak_running = 0

    async def plan(self, request: PlanRequest, context: PlanContext) -> list[Bundle]:
        self.started.append(request.generation_id)
        self.running += 1
        self.peak_running = max(self.peak_running, self.running)
        try:
            for step in self.steps:
                await context.report(step)
            await self.release.wait()
            if self.error is not None:
                raise self.error
            return await asyncio.to_thread(self.make_bundles, request, self.bundles) if self.bundles else []
        finally:
            self.running -= 1
