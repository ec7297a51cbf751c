"""The LLM planner's tools onto the planning core (docs/ARCHITECTURE.md, planning core): `read_wish`, where the
model states its reading of the request in the typed shape of the wish (structured output through a strict
function schema), and `plan_bundles`, which asks the core for plans the model may accept, reorder or swap
before submitting each through the one validator. The model writes the titles, stories and why lines.
"""

from typing import Any

from pydantic import BaseModel, Field

from models.generation import WishKind
from services.planners.base import PlanContext, PlanRequest
from services.planners.llm.wording import count
from services.planners.offline.core_plans import core_plans

MAX_ITEMS = 20


# No docstrings on these models: a docstring would become a description in the schema the model reads.
class WishItemArgs(BaseModel):
    kind: WishKind
    value: str = Field(max_length=120, description="The wish in the app's words: 'only Spandau', 'daytime only'.")
    hard: bool = Field(description='True when every event must keep it (only a place, a curfew, kids, avoid).')
    text: str = Field(max_length=200, description="The person's own words it was read from, or 'form'.")


class ReadWishArgs(BaseModel):
    understood: list[WishItemArgs] = Field(max_length=MAX_ITEMS)
    not_understood: list[str] = Field(
        max_length=MAX_ITEMS, description='Parts of the free text you could not use, in their own words.'
    )


class PlanBundlesArgs(BaseModel):
    focus: str | None = Field(
        default=None,
        max_length=200,
        description='Words to favour in these plans (a genre, a kind of venue, a neighbourhood), or null.',
    )
    avoid_event_ids: list[str] = Field(
        default=[], max_length=40, description='Events the plans must not use (ones you already submitted).'
    )


TOOL_ARGS: dict[str, tuple[str, type[BaseModel]]] = {
    'read_wish': (
        'States your reading of the request, once, before planning: each wish with its kind and whether it is '
        'hard, and the parts of the free text you could not use. The person sees it.',
        ReadWishArgs,
    ),
    'plan_bundles': (
        "Asks the planning core for the best plans of the person's window: grounded, timed (long events as "
        'drop-in visits with visit_start/visit_end), within the budget and the hard wishes. Accept, reorder or '
        'swap what it offers, then submit each plan with your own title, story and why lines.',
        PlanBundlesArgs,
    ),
}


async def read_wish(arguments: dict[str, Any], context: PlanContext) -> dict[str, Any]:
    args = ReadWishArgs.model_validate(arguments)
    wish = {
        'understood': [item.model_dump() for item in args.understood],
        'notUnderstood': list(args.not_understood),
    }
    await context.save_wish(wish)
    await context.report(f'Read your request: {count(len(args.understood), "wish item")}')
    return {'ok': True}


async def plan_bundles(arguments: dict[str, Any], request: PlanRequest, context: PlanContext) -> dict[str, Any]:
    args = PlanBundlesArgs.model_validate(arguments)
    plans, notes = await core_plans(request, focus=args.focus, avoid=set(args.avoid_event_ids))
    await context.report(f'The planning core offered {count(len(plans), "plan")}')
    return {'plans': plans, 'notes': notes}
