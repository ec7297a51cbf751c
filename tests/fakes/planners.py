"""The one scripted planner of the tests: reports steps, then returns grounded bundles, fails, or waits.

Its bundles are grounded like a real planner's: it first puts its events in the catalog, then builds each
key event from the catalog record (the runner drops anything else).
"""

import asyncio
import os
from collections.abc import Callable
from datetime import timedelta

from models.catalog import EventPublic
from models.db import session_scope
from models.generation import Bundle
from services.catalog import queries
from services.generations import service
from services.planners import grounding
from services.planners.base import PlanContext, Planner, PlannerError, PlanRequest
from settings import settings
from tests import factories


class ScriptedPlanner:
    name = 'offline'

    def __init__(
        self,
        *,
        steps: tuple[str, ...] = ('Searched 12 events: music, nightlife', 'Picked 3 themes'),
        step_delay_s: float = 0,
        error: Exception | str | None = None,
        hold: bool = False,
        release: asyncio.Event | None = None,
        bundle_count: int = 3,
        event_title: str = 'Deep House Night',
        why: str = 'Deep house from 23:00 in a converted warehouse',
        url: str = 'https://tickets.example.com/1',
        source: str = 'test',
        make_bundles: Callable[['ScriptedPlanner', PlanRequest], list[Bundle]] | None = None,
    ) -> None:
        self.steps, self.step_delay_s, self.error = steps, step_delay_s, error
        # `hold`: wait until the test calls `planner.release.set()`.
        self.release = release or (asyncio.Event() if hold else None)
        self.bundle_count = bundle_count
        self.event_title, self.why, self.url, self.source = event_title, why, url, source
        self.make_bundles = make_bundles or ScriptedPlanner.grounded_bundles
        self.calls: list[PlanRequest] = []
        self.running = 0
        self.peak_running = 0

    async def plan(self, request: PlanRequest, context: PlanContext) -> list[Bundle]:
        self.calls.append(request)
        self.running += 1
        self.peak_running = max(self.peak_running, self.running)
        try:
            for step in self.steps:
                await context.report(step)
                await asyncio.sleep(self.step_delay_s)
            if self.release is not None:
                await self.release.wait()
            if isinstance(self.error, str):
                raise PlannerError(self.error)
            if self.error is not None:
                raise self.error
            return await asyncio.to_thread(self.make_bundles, self, request)
        finally:
            self.running -= 1

    def grounded_bundles(self, request: PlanRequest) -> list[Bundle]:
        return [self.bundle(request, number) for number in range(self.bundle_count)]

    def catalog_bundles(self, request: PlanRequest, *, priced: bool = False) -> list[Bundle]:
        """One-event bundles of events already in the catalog: reads only (for tests that lock the database);
        `priced`: events with a price (the first of a window may all be free at some hours of some days)."""
        limit = 100 if priced else self.bundle_count
        with session_scope() as session:
            city = queries.get_city(session=session, name=request.city)
            events = queries.search_events(session=session, city=city, window=request.window, limit=limit)
        if priced:
            events = [e for e in events if e.price is not None and e.price.max > 0][: self.bundle_count]
        return [self._bundle_of(event, number) for number, event in enumerate(events)]

    def priced_catalog_bundles(self, request: PlanRequest) -> list[Bundle]:
        return self.catalog_bundles(request, priced=True)

    def bundle(self, request: PlanRequest, number: int) -> Bundle:
        """A bundle of one event that this planner first puts in the catalog, one hour apart from the next."""
        start = request.window.start + timedelta(hours=1 + number)
        with session_scope() as session:
            city = queries.get_city(session=session, name=request.city)
            venue = factories.add_venue(
                session, city, name='Kraftwerk Hall', neighborhood='Mitte', tags=['underground']
            )
            event = factories.add_event(
                session,
                venue,
                title=self.event_title,
                starts_at=start,
                tags=['house'],
                price=(12, 18),
                url=self.url,
                source=self.source,
            )
            found = queries.get_event(session=session, event_id=event.id)
        return self._bundle_of(found, number)

    def _bundle_of(self, event: EventPublic, number: int) -> Bundle:
        key_event = grounding.key_event_from(event, self.why)
        return Bundle(
            title=f'Warehouse Weekend {number + 1}',
            description="A night of deep grooves in the city's best warehouse.",
            tags=['techno', 'late'],
            key_events=[key_event],
            estimated_cost=grounding.estimate_cost([key_event]),
        )


class PlannerSwitch:
    """The planner factory a test gives the runner: hands out `current` for any name; `use()` swaps it mid-test."""

    def __init__(self, planner: Planner | None = None) -> None:
        self.current: Planner = planner or ScriptedPlanner()

    def use(self, planner: ScriptedPlanner) -> ScriptedPlanner:
        self.current = planner
        return planner

    def __call__(self, _name: str) -> Planner:
        return self.current


async def restart_runner_with(planner_for: Callable[[str], Planner]) -> None:
    """Replaces the runner app.py started with the real planners by one given `planner_for` (tests only)."""
    await service.stop_runner()
    service.start_runner(
        planner_for=planner_for,
        max_concurrent=settings.max_concurrent_generations,
        lease_seconds=settings.lease_seconds,
    )


def scripted_from_env(_name: str) -> ScriptedPlanner:
    """The planner factory of tests/e2e/scripted_app.py; a module-level function here, so worker processes
    (spawned, they import it by name) get it too. SCRIPTED_STEP_DELAY_S slows steps, SCRIPTED_ERROR fails."""
    return ScriptedPlanner(
        step_delay_s=float(os.environ.get('SCRIPTED_STEP_DELAY_S') or os.environ.get('OFFLINE_STEP_DELAY_S') or '0.5'),
        error=os.environ.get('SCRIPTED_ERROR') or None,
    )
