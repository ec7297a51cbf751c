"""Whether a refused refinement could have been done: an exhaustive search, independent of the planner's own.

For "cheaper", "closer together", "earlier" and "later" it tries every plan at most two stops away from the
refused one (one stop replaced or dropped, or two replaced), and for a swap every plan of the other stops with
one new event or none; a stop is any event of the person's interests in the catalog (music on the genres they
asked for), attended whole or, for a long event, at the planning grid's slots, not shown by another bundle and
keeping the hard wish the plan keeps. Each plan must do what was asked (the harness's own measure), keep what
the person named and pass the app's validator with the other bundles. A refusal with no such plan was the
catalog's answer, not the planner's failing; one with a plan is a refusal to look into.
"""

import itertools
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from bench.eval import fit
from bench.eval.checks import SAME_OUTING, Catalog
from bench.eval.requests import EvalRequest
from models.catalog import EventPublic
from models.generation import Bundle, Generation, TimeWindow
from models.geo import estimate_travel
from services.planners import grounding
from services.planners.offline.refine_edits import bundle_with
from services.planners.offline.refine_measures import MIN_EVENTS, day_seconds
from services.planning.slots import Limits, visits_of

JUDGED = ('swap', 'cheaper', 'closer together', 'earlier', 'later')
MOST_PAIRS = 2_000_000  # a search this long is cut short and counted as undecided


class Stop(NamedTuple):
    event: EventPublic
    start: datetime
    end: datetime


def could_have(
    kind: str, request: EvalRequest, parent: Generation, catalog: Catalog, *, city: str
) -> list[str] | bool | None:
    """A plan doing what was asked (its stops, for reading) when one exists, False when none does, None when the
    kind has no measure (a free-text wish) or the search was too long to finish."""
    if kind not in JUDGED:
        return None
    window = TimeWindow.model_validate(parent.window)
    zone = ZoneInfo(window.timezone)
    target = Bundle.model_validate(parent.bundles[0])
    others = [Bundle.model_validate(b) for b in parent.bundles[1:]]
    events = {i: e for i, (e, c) in catalog.events.items() if c == city}
    current = [Stop(events[k.event_id], k.attended_from, k.attended_until) for k in target.key_events]
    options = _options(request, parent, target, others, events, window, zone)
    measure = _measure(kind)
    before = measure(current)
    named = _named_in(request, current, skip=current[0].event.event_id if kind == 'swap' else '')
    returns = _returns(current, zone)

    def sensible(plan: list[Stop]) -> bool:
        """In budget, no title twice, and no new way back to a venue on another day (two evenings at one market
        hall read as padding: the harness counts it against first plans too)."""
        budget = request.preferences.budget
        if budget is not None and sum(s.event.price.max for s in plan if s.event.price) > budget:
            return False
        titles = [fit.works(s.event.title) for s in plan]
        return not any(a & b for a, b in itertools.combinations(titles, 2)) and _returns(plan, zone) <= returns

    def valid(plan: list[Stop]) -> bool:
        bundle = bundle_with(target, [s.event for s in plan], {}, {s.event.event_id: (s.start, s.end) for s in plan})
        violations = grounding.find_violations(
            [*others, bundle],
            window=window,
            budget=request.preferences.budget,
            lookup=lambda i: events.get(i),
            min_events=MIN_EVENTS,
        )
        return not any(v.bundle == len(others) for v in violations)

    plans = _swaps(current, options) if kind == 'swap' else _edits(current, options)
    for tried, plan in enumerate(plans):
        if tried > MOST_PAIRS:
            return None
        if (kind == 'swap' or measure(plan) < before) and named(plan) and sensible(plan) and valid(plan):
            return [f'{s.start:%m-%dT%H:%M}-{s.end:%H:%M} {s.event.title[:40]} @ {s.event.venue}' for s in plan]
    return False


def _options(request, parent, target, others, events, window, zone) -> list[Stop]:
    """Every way to be at an event the change may bring in."""
    preferences = request.preferences
    genres = fit.asked_genres(preferences, request.named)
    shown = set().union(*(fit.works(k.title) for b in [*others, target] for k in b.key_events))
    used = {k.event_id for b in others for k in b.key_events} | {k.event_id for k in target.key_events}
    rules = _wish_rules(request, parent, target, events, zone)
    limits = Limits(window.timezone)
    found = []
    for event in events.values():
        if event.event_id in used or event.category not in preferences.interests:
            continue
        if not fit.on_taste(event, genres, request.named) or fit.works(event.title) & shown:
            continue
        if event.starts_at < window.start - timedelta(days=1) or event.starts_at > window.end:
            continue
        for visit in visits_of(0, event, limits):
            stop = Stop(event, visit.start, visit.end)
            if window.start <= stop.start and stop.end <= window.end and all(r(_attended(stop), zone) for r in rules):
                found.append(stop)
    return found


def _wish_rules(request, parent, target, events, zone) -> list:
    """The parts of the hard wish the plan keeps (one it already breaks was declined in a note, and stays so)."""
    wish = fit.wish_of(request.preferences.other_preferences)
    if wish is None:
        return []
    notes = (parent.wish or {}).get('notes') or []
    attended = [fit.as_attended(events[k.event_id], k) for k in target.key_events]
    return [rule for rule in wish.kept_parts(notes, attended, zone) if all(rule(e, zone) for e in attended)]


def _attended(stop: Stop) -> EventPublic:
    return stop.event.model_copy(update={'starts_at': stop.start, 'ends_at': stop.end})


def _swaps(current: list[Stop], options: list[Stop]) -> Iterator[list[Stop]]:
    staying = current[1:]
    if len(staying) >= MIN_EVENTS:
        yield staying
    for stop in options:
        if all(_apart(stop, s) for s in staying):
            yield _by_start([*staying, stop])


def _edits(current: list[Stop], options: list[Stop]) -> Iterator[list[Stop]]:
    """Plans one or two stops away: one dropped (while a plan stays), one replaced, two replaced."""
    for index in range(len(current)):
        kept = current[:index] + current[index + 1 :]
        if len(kept) >= MIN_EVENTS:
            yield kept
        for stop in _fitting(options, kept):
            yield _by_start([*kept, stop])
    for i, j in itertools.combinations(range(len(current)), 2):
        kept = [s for n, s in enumerate(current) if n not in (i, j)]
        fitting = _fitting(options, kept)
        for a, b in itertools.combinations(fitting, 2):
            if (
                a.event.event_id != b.event.event_id
                and _apart(a, b)
                and not fit.works(a.event.title) & fit.works(b.event.title)
            ):
                yield _by_start([*kept, a, b])


def _fitting(options: list[Stop], kept: Sequence[Stop]) -> list[Stop]:
    return [o for o in options if all(_apart(o, s) for s in kept)]


def _apart(a: Stop, b: Stop) -> bool:
    """Neither overlaps the other, with the way between them (the validator's rule may be stricter, never looser)."""
    first, second = (a, b) if a.start <= b.start else (b, a)
    way = _travel(first.event.lat, first.event.lon, second.event.lat, second.event.lon)
    return first.end + timedelta(minutes=way) <= second.start


@cache
def _travel(lat_a, lon_a, lat_b, lon_b) -> int:
    hop = estimate_travel(lat_a, lon_a, lat_b, lon_b)
    return hop.minutes if hop is not None else 24 * 60


def _by_start(plan: list[Stop]) -> list[Stop]:
    return sorted(plan, key=lambda s: s.start)


def _measure(kind: str):
    """The harness's own judgement of each kind (refinements.py), on stops as attended: lower is better."""
    if kind == 'cheaper':
        return lambda plan: (
            sum(s.event.price.max for s in plan if s.event.price),
            sum(s.event.price.min for s in plan if s.event.price),
        )
    if kind == 'closer together':
        return lambda plan: sum(
            _travel(a.event.lat, a.event.lon, b.event.lat, b.event.lon)
            for a, b in itertools.pairwise(plan)
            if b.start - a.end < SAME_OUTING
        )
    sign = 1 if kind == 'earlier' else -1
    return lambda plan: sign * sum(day_seconds(s.start) for s in plan) / len(plan)


def _named_in(request: EvalRequest, current: list[Stop], *, skip: str):
    """A plan holding the event or venue the person named keeps it (unless it is the stop swapped out)."""
    named = request.named
    if named is None or named.kind == 'genre':
        return lambda plan: True
    field = 'title' if named.kind == 'event' else 'venue'

    def holds(plan: Sequence[Stop], skip: str = '') -> bool:
        return any(getattr(s.event, field) == named.value for s in plan if s.event.event_id != skip)

    return holds if holds(current, skip) else (lambda plan: True)


def _returns(plan: Sequence[Stop], zone: ZoneInfo) -> set[str]:
    """The venues a plan visits on more than one day (a night runs to 06:00), as the harness counts them."""
    days: dict[str, set] = {}
    for stop in plan:
        days.setdefault(stop.event.venue, set()).add((stop.start.astimezone(zone) - timedelta(hours=6)).date())
    return {venue for venue, on in days.items() if len(on) > 1}
