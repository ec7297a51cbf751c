"""A planner for UI tests: reports a few steps, then returns canned bundles (or fails, or waits)."""

import asyncio
from datetime import timedelta

from models.db import session_scope
from models.generation import Bundle
from services import catalog
from services.planners import grounding
from services.planners.base import PlanContext, PlannerError, PlanRequest
from tests import factories


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
        return [await asyncio.to_thread(self.bundle, request, number) for number in range(self.bundle_count)]

    def bundle(self, request: PlanRequest, number: int) -> Bundle:
        """A bundle of one event that this planner first puts in the catalog: grounded, as the runner demands."""
        start = request.window.start + timedelta(hours=1 + number)
        with session_scope() as session:
            city = catalog.get_city(session=session, name=request.city)
            venue = factories.add_venue(
                session, city, name='Kraftwerk Hall', neighborhood='Mitte', tags=['underground']
            )
            event = factories.add_event(
                session, venue, title=self.event_title, starts_at=start, tags=['house'], price=(12, 18), url=self.url
            )
            found = catalog.get_event(session=session, event_id=event.id)
        key_event = grounding.key_event_from(found, self.why)
        return Bundle(
            title=f'Warehouse Weekend {number + 1}',
            description="A night of deep grooves in the city's best warehouse.",
            tags=['techno', 'late'],
            key_events=[key_event],
            estimated_cost=grounding.estimate_cost([key_event]),
        )
