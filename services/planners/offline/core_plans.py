"""The offline pipeline (wish, scores, planning core) as plain data, for the LLM planner's `plan_bundles` tool:
the plans the core would make for a request, each event by id with its times and, for a drop-in, its slot."""

from typing import Any

from models.generation import Bundle
from services.database import in_db, in_thread
from services.planners.base import PlanRequest
from services.planners.offline.itinerary import build_plan
from services.planners.offline.planner import load_candidates, read_and_score
from services.planners.offline.taste import read_taste


async def core_plans(
    request: PlanRequest, *, focus: str | None, avoid: set[str]
) -> tuple[list[dict[str, Any]], list[str]]:
    """(plans as JSON, notes on the wishes the plans could not keep)."""
    preferences = request.preferences
    if focus:
        extra = f'{preferences.other_preferences or ""}, {focus}'.strip(', ')
        preferences = preferences.model_copy(update={'other_preferences': extra[:1000]})
    taste = read_taste(preferences)
    city, events, areas = await in_db(load_candidates, city_name=request.city, window=request.window, taste=taste)
    wish, taste, off, scored = await in_thread(read_and_score, preferences, taste, city, events, areas, request.window)
    scored = [s for s in scored if s.event.event_id not in avoid]
    plan = await in_thread(build_plan, scored, taste, request.window, city_name=city.name, wish=wish, days_off=off)
    return [_plan_json(bundle) for bundle in plan.bundles], [*plan.notes, *([plan.shortfall] if plan.shortfall else [])]


def _plan_json(bundle: Bundle) -> dict[str, Any]:
    return {
        'theme': bundle.title,
        'events': [
            {
                'event_id': e.event_id,
                'title': e.title,
                'starts_at': e.starts_at.isoformat(),
                'ends_at': e.ends_at.isoformat(),
                'visit_start': e.visit_start.isoformat() if e.visit_start else None,
                'visit_end': e.visit_end.isoformat() if e.visit_end else None,
                'venue': e.venue,
                'neighborhood': e.neighborhood,
                'why_it_fits': e.why,
            }
            for e in bundle.key_events
        ],
    }
