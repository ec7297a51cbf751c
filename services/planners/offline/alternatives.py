"""The best replacements for one stop of a plan (`GET .../bundles/{index}/alternatives?eventId=`): catalog
events of the plan's window that could take that stop's place, each checked with the one validator against the
whole answer (no event or title twice, no clash, reachable, within budget, keeping the hard wishes), ranked by
the offline planner's score of the person's wish, best first."""

from typing import Any

from sqlmodel import Session

from models.catalog import EventPublic
from models.generation import Bundle, Generation, KeyEvent, Preferences, TimeWindow
from services.catalog import queries
from services.planners import grounding
from services.planners.base import PlannerError
from services.planners.offline.itinerary import works_of
from services.planners.offline.planner import load_candidates
from services.planners.offline.scoring import score_events
from services.planners.offline.taste import read_taste, with_wish
from services.planners.offline.why import why
from services.planners.placing import placements_instead
from services.planning.hard import keep_hard_wishes
from services.planning.paths import title_works
from services.planning.wish import read_preferences
from services.timeframes import days_off

MAX_ALTERNATIVES = 3
MIN_EVENTS = 2


def alternatives_for(*, session: Session, generation: Generation, bundle_index: int, event_id: str) -> list[KeyEvent]:
    """Up to MAX_ALTERNATIVES key events that may replace `event_id` in bundle `bundle_index`, best first."""
    preferences = Preferences.model_validate(generation.preferences)
    window = TimeWindow.model_validate(generation.window)
    bundles = [Bundle.model_validate(b) for b in generation.bundles or []]
    taste = read_taste(preferences)
    try:
        city, events, areas = load_candidates(
            session=session, city_name=preferences.city or '', window=window, taste=taste
        )
    except PlannerError:  # no catalog for the plan's city any more: nothing to offer
        return []
    wish = read_preferences(preferences, areas=areas, events=events)
    taste = with_wish(taste, wish)
    used_ids = {k.event_id for b in bundles for k in b.key_events}
    used_titles = frozenset().union(
        *(title_works(k.title) for b in bundles for k in b.key_events if k.event_id != event_id)
    )
    scored = [
        s
        for s in score_events(events, taste, wish, days_off=days_off(country=city.country, window=window))
        if s.event.event_id not in used_ids and works_of(s.event).isdisjoint(used_titles)
    ]
    kept = keep_hard_wishes(scored, wish, event_of=lambda s: s.event, timezone=window.timezone, label=window.label)
    lookup = _lookup(session, bundles, [s.event for s in kept.candidates])
    stops = bundles[bundle_index].key_events
    found: list[KeyEvent] = []
    for candidate in kept.candidates:
        reason = why(candidate, taste, 1, date=wish.date, kids=wish.kids)
        for slot in placements_instead(candidate.event, stops, event_id, kept.limits, default=window.start):
            key_event = grounding.key_event_from(candidate.event, reason, visit=slot)
            if _fits(bundles, bundle_index, event_id, key_event, window, preferences.budget, lookup):
                found.append(key_event)
                break
        if len(found) == MAX_ALTERNATIVES:
            break
    return found


def _lookup(session: Session, bundles: list[Bundle], extra: list[EventPublic]) -> Any:
    known = queries.get_events(session=session, event_ids=[k.event_id for b in bundles for k in b.key_events])
    known.update({e.event_id: e for e in extra})
    return known.get


def _fits(
    bundles: list[Bundle],
    index: int,
    event_id: str,
    key_event: KeyEvent,
    window: TimeWindow,
    budget: float | None,
    lookup: Any,
) -> bool:
    stops = [key_event if k.event_id == event_id else k for k in bundles[index].key_events]
    stops.sort(key=lambda k: k.attended_from)
    changed = grounding.with_events(bundles[index], stops)
    answer = [changed if i == index else b for i, b in enumerate(bundles)]
    problems = grounding.find_violations(answer, window=window, budget=budget, lookup=lookup, min_events=MIN_EVENTS)
    return not problems
