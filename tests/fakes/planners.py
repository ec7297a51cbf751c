"""A scripted planner: reports the given steps, then returns bundles, raises, or waits to be released."""

import asyncio
from datetime import timedelta

from models.catalog import Price
from models.generation import Bundle, KeyEvent
from services.planners.base import PlanContext, PlanRequest


def sample_bundles(request: PlanRequest, count: int = 3) -> list[Bundle]:
    start = request.window.start
    return [
        Bundle(
            title=f'Plan {n}',
            description='A test plan',
            tags=['test'],
            key_events=[
                KeyEvent(
                    event_id=f'evt-{n}',
                    title=f'Event {n}',
                    starts_at=start + timedelta(hours=n),
                    ends_at=start + timedelta(hours=n + 1),
                    venue='Hall',
                    neighborhood='Mitte',
                    price=Price(min=5, max=5, currency='EUR'),
                    category='music',
                    tags=['house'],
                    url='https://tickets.example.com/1',
                    why='It fits',
                )
            ],
            estimated_cost=Price(min=5, max=5, currency='EUR'),
        )
        for n in range(count)
    ]


class ScriptedPlanner:
    name = 'offline'

    def __init__(
        self,
        *,
        steps: tuple[str, ...] = ('Searching events', 'Writing bundles'),
        error: Exception | None = None,
        hold: bool = False,
        bundles: int = 3,
    ) -> None:
        self.steps, self.error, self.bundles = steps, error, bundles
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
            return sample_bundles(request, self.bundles)
        finally:
            self.running -= 1
