"""What one generation may see: its city, currency, time window and budget, and the grounding rule over them."""

from collections.abc import Sequence
from dataclasses import dataclass

from models.catalog import EventPublic
from models.generation import Bundle, TimeWindow
from services.catalog import queries
from services.database import in_db
from services.planners import grounding
from services.planners.base import PlannerError, PlanRequest

MIN_EVENTS_PER_BUNDLE = 2


@dataclass(frozen=True)
class Scope:
    city: str
    currency: str
    window: TimeWindow
    budget: float | None
    request: PlanRequest | None = None  # the generation's request (the planning core plans from it)

    def violations(self, bundles: Sequence[Bundle], events: dict[str, EventPublic]) -> list[grounding.Violation]:
        """The shared grounding rule, with this generation's window, budget and bundle size."""
        return grounding.find_violations(
            bundles, window=self.window, budget=self.budget, lookup=events.get, min_events=MIN_EVENTS_PER_BUNDLE
        )


async def load_scope(request: PlanRequest) -> Scope:
    city = await in_db(queries.get_city, name=request.city or None)
    if city is None:
        raise PlannerError(f'The city {request.city!r} is not in the events catalog.')
    return Scope(
        city=city.name,
        currency=city.currency,
        window=request.window,
        budget=request.preferences.budget,
        request=request,
    )
