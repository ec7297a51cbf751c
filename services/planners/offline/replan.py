"""A refinement as a re-optimisation (docs/ARCHITECTURE.md, planning core): when no single edit of a plan does
what was asked, the planning core plans that one bundle anew, the other bundles fixed, with the objective
tilted towards the instruction (a price penalty for "cheaper", a higher cost per minute of travel for "closer
together", a bonus for starting earlier or later in the day). The best plans it offers that improve the
instruction's measure and pass the validator win."""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import NamedTuple

from models.catalog import EventPublic
from models.generation import Bundle
from services.planners.base import PlanRequest, Refinement
from services.planners.offline.itinerary import max_span, series_of, works_of
from services.planning.core import Theme, any_item, plan_answer
from services.planning.hard import keep_hard_wishes
from services.planning.paths import Item, Rules, title_works
from services.planning.slots import Visit
from services.planning.wish import Wish, read_preferences

PRICE_WEIGHT = 0.3  # value lost per unit of price, for "cheaper"
CLOSER_TRAVEL_COST = 0.4  # value lost per minute of travel, for "closer together" (ten times the usual)
TIME_WEIGHT = 3.0  # value won for the earliest (or latest) start of the day
DAY_SECONDS = 86_400

Visits = dict[str, tuple[datetime, datetime]]


class Asked(NamedTuple):
    """What a changed plan keeps of what the person asked for by name: these events, and a stop at each of these
    venues (a venue the plan visits more than once: any one of its stops will do)."""

    events: frozenset[str] = frozenset()
    venues: frozenset[str] = frozenset()

    def held(self, item: Item) -> bool:
        return item.event.event_id in self.events or item.event.venue in self.venues

    def kept_by(self, events: Sequence[EventPublic]) -> bool:
        return self.events <= {e.event_id for e in events} and self.venues <= {e.venue for e in events}


NOTHING_ASKED = Asked()


def replan(
    kind: str,
    *,
    request: PlanRequest,
    refinement: Refinement,
    pool: Sequence[EventPublic],
    fit: dict[str, float],
    measure: Callable[[Sequence[EventPublic], Visits], tuple[float, float]],
    current: Sequence[EventPublic],
    current_visits: Visits,
    make_bundle: Callable[[Sequence[EventPublic], Visits], Bundle],
    valid: Callable[[Bundle], bool],
    day_seconds: Callable[[datetime], float],
    asked: Asked = NOTHING_ASKED,
    slot_cost: Callable[[Visit], float] | None = None,
    wish: Wish | None = None,
) -> tuple[tuple[float, float], list[EventPublic], Visits] | None:
    """(the measure, the events, their drop-in slots) of the best re-planned bundle that keeps what was `asked`
    for by name, or None."""
    taken = frozenset().union(*(title_works(k.title) for b in refinement.others for k in b.key_events))
    events = [e for e in pool if works_of(e).isdisjoint(taken)]
    wish = wish or read_preferences(request.preferences, areas=[], events=[])  # the change's reading, as it keeps it
    window = request.window
    kept = keep_hard_wishes(events, wish, event_of=lambda e: e, timezone=window.timezone, label=window.label)

    def value(event: EventPublic) -> float:
        base = fit.get(event.event_id, 0.5)
        if kind == 'cheaper':
            return base - PRICE_WEIGHT * (event.price.max if event.price else 0)
        if kind in ('earlier', 'later'):
            share = day_seconds(event.starts_at) / DAY_SECONDS
            return base + TIME_WEIGHT * ((1 - share) if kind == 'earlier' else share)
        return base

    items = [Item(e, value(e), works_of(e), series_of(e)) for e in kept.candidates]
    travel_cost = CLOSER_TRAVEL_COST if kind == 'closer together' else Rules(None, max_span(window)).travel_cost
    rules = Rules(request.preferences.budget, max_span(window, wish), travel_cost=travel_cost)
    must = asked.held if asked.events or asked.venues else None
    planned = plan_answer(
        items, [Theme('best', any_item, must=must)], limits=kept.limits, rules=rules,
        interests=request.preferences.interests, target=3, slot_cost=slot_cost,
    )  # fmt: skip
    before = measure(current, current_visits)
    for plan in planned:
        chosen = [items[v.item].event for v in plan.visits]
        slots = {items[v.item].event.event_id: (v.start, v.end) for v in plan.visits if v.drop_in}
        score = measure(chosen, slots)
        if asked.kept_by(chosen) and score[0] < before[0] - 1e-9 and valid(make_bundle(chosen, slots)):
            return score, chosen, slots
    return None
