"""`LLMPlanner`: a reasoning model searches the events catalog with function tools and composes the bundles.

Its name in data and settings stays `openai` (PLANNER=openai, a generation's `planner`), since the
Responses API of the `openai` SDK is what it speaks (docs/ARCHITECTURE.md, planners).
"""

from sqlmodel import Session

from models.generation import Bundle
from services.catalog import queries
from services.database import in_db
from services.planners.base import PlanContext, PlanRequest
from services.planners.llm.client import LLMClient, get_client
from services.planners.llm.conversation import Conversation
from services.planners.llm.loop import ToolLoop
from services.planners.llm.scope import load_scope
from services.planners.offline.refine import refine
from services.planning.wish import read_preferences


def _neighborhoods(*, session: Session, city_name: str) -> list[str]:
    city = queries.get_city(session=session, name=city_name)
    return [] if city is None else queries.list_neighborhoods(session=session, city=city)


class LLMPlanner:
    name = 'openai'

    def __init__(self, client: LLMClient | None = None) -> None:
        # None: the client start-up created (or one made on first use, outside the app).
        self._client = client

    async def plan(self, request: PlanRequest, context: PlanContext) -> list[Bundle]:
        if request.refinement is not None and request.refinement.replacement_event_id:
            # The person picked the replacement among the checked alternatives: nothing is left to ask a model.
            return await refine(request, request.refinement, context)
        scope = await load_scope(request)
        conversation = Conversation.resume(request.saved_state)
        if conversation is None:
            conversation = Conversation.start(request, scope)
            # The vocabulary's reading first, so the page shows it at once; the model's `read_wish` replaces it.
            areas = await in_db(_neighborhoods, city_name=scope.city)
            await context.save_wish(read_preferences(request.preferences, areas=areas, events=[]).public())
            await context.report('Asking the AI planner for ideas')
        else:
            await context.report(f'Resuming the AI planner from step {conversation.turns + 1}')
        return await ToolLoop(self._client or get_client(), scope, context, conversation).run()
