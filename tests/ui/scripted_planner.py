"""A planner for UI tests: reports a few steps, then returns canned bundles (or fails, or waits)."""

import asyncio
from datetime import timedelta

from models.catalog import Price
from models.generation import Bundle, KeyEvent
from services.planners.base import PlanContext, PlannerError, PlanRequest


class ScriptedPlanner:
    name = 'offline'

    def __init__(
        self,
        *,
        steps: tuple[str, ...] = ('Searched 12 events: music, nightlife', 'Picked 3 themes'),
        step_delay_s: float = 0,
        error: str | None = None,
        bundle_count: int = 3,
        release: asyncio.Event | None = None,
        event_title: str = 'Deep House Night',
        why: str = 'Deep house from 23:00 in a converted warehouse',
        url: str = 'https://tickets.example.com/1',
    ) -> None:
        self.steps = steps
        self.step_delay_s = step_delay_s
        self.error = error
        self.bundle_count = bundle_count
        self.release = release
        self.event_title = event_title
        self.why = why
        self.url = url
        self.calls: list[PlanRequest] = []

    async def plan(self, request: PlanRequest, context: PlanContext) -> list[Bundle]:
        self.calls.append(request)
        for step in self.steps:
            await context.report(step)
            await asyncio.sleep(self.step_delay_s)
        if self.release is not None:
            await self.release.wait()
        if self.error:
            raise PlannerError(self.error)
        return [self.bundle(request, number) for number in range(self.bundle_count)]

    def bundle(self, request: PlanRequest, number: int) -> Bundle:
        start = request.window.start + timedelta(hours=1 + number)
        event = KeyEvent(
            event_id=f'scripted-{number}',
            title=self.event_title,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            venue='Kraftwerk Hall',
            neighborhood='Mitte',
            price=Price(min=12, max=18, currency='EUR'),
            category='music',
            tags=['house', 'underground'],
            url=self.url,
            why=self.why,
        )
        return Bundle(
            title=f'Warehouse Weekend {number + 1}',
            description="A night of deep grooves in the city's best warehouse.",
            tags=['techno', 'late'],
            key_events=[event],
            estimated_cost=Price(min=12, max=18, currency='EUR'),
        )
