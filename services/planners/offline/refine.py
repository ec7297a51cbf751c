"""Refining one bundle offline: swap one event, make it cheaper, closer together, earlier or later, or
follow a free-text wish as far as the taste reader understands it (docs/ARCHITECTURE.md, refinement).

Every change is a search over small edits of the bundle (replace one event with a catalog alternative
that nobody else's bundle uses, or drop one when the bundle stays big enough); each edit is checked with
the grounding validator against the kept bundles, and the best valid one by the instruction's measure wins.
When no edit improves that measure, the bundle is re-planned on the core (replan.py); when that does not either,
the best edit with an event further from the person's taste comes in labelled a wildcard; only then does the
planner fail, with a reason a person can act on.
"""

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date

from sqlmodel import Session

from models.catalog import EventPublic
from models.generation import Bundle
from services.catalog import queries
from services.database import in_db, in_thread
from services.planners import grounding
from services.planners.base import PlanContext, PlannerError, PlanRequest, Refinement
from services.planners.offline.itinerary import works_of
from services.planners.offline.refine_edits import (
    bundle_with,
    drop_in_moves,
    kept_visit,
    like,
    one_step_edits,
    placing,
    returns_to_venue,
    swap_in,
)
from services.planners.offline.refine_measures import (
    MIN_EVENTS,
    Visits,
    cannot,
    day_seconds,
    instruction_fit,
    kind_of,
    measure_for,
    summary,
    taste_measure,
    turned_down,
    with_instruction,
    without,
)
from services.planners.offline.replan import Asked, replan
from services.planners.offline.scoring import Scored, score_events, slot_cost
from services.planners.offline.taste import favour_of, read_taste
from services.planners.offline.why import change_wildcard_why, swap_wildcard_why
from services.planners.offline.writing import as_visited
from services.planners.placing import Slot
from services.planning.hard import broken_by, keep_hard_wishes, without_wishes
from services.planning.paths import FILMS_A_DAY, films_ending, title_works
from services.planning.wish import Wish, read_preferences
from services.text import isolate
from services.timeframes import days_off
from settings import settings

TASTE_SLACK = 1.5  # how far below the plan's weakest stop a change may go in taste (an off-genre night is 3+)
PLACES_TRIED = 3  # slots of a drop-in weighed as a replacement in one edit (the nearest the old stop)


async def refine(request: PlanRequest, refinement: Refinement, context: PlanContext) -> list[Bundle]:
    """The one remade bundle (the runner puts it in place of the old one)."""
    target = refinement.target
    await context.report(f'Changing "{target.title}": {_what(refinement)}')
    await asyncio.sleep(settings.offline_step_delay_s)  # as between a first plan's steps (0 unless slowed down)
    pool, areas, off = await in_db(_candidates, request=request)
    bundle = await in_thread(_refine, request, refinement, pool, areas=areas, days_off=off)  # edits, re-plan: CPU
    await context.report(f'Changed: {bundle.description.rsplit(" ", 1)[0][-80:]}...')
    return [bundle]


def _what(refinement: Refinement) -> str:
    return 'swap one event' if refinement.replace_event_id and not refinement.instruction else refinement.instruction


def _candidates(*, session: Session, request: PlanRequest) -> tuple[list[EventPublic], list[str], frozenset[date]]:
    """The events a change may use (with the plan's own and a picked replacement), the city's areas (a wish
    may name one: "only Spandau") and the window's public holidays."""
    city = queries.get_city(session=session, name=request.city or None)
    if city is None:
        raise PlannerError(f'There is no events catalog for {request.city or "any city"} yet.')
    taste = read_taste(request.preferences)
    areas = queries.list_neighborhoods(session=session, city=city)
    found = queries.list_candidates(
        session=session, city=city, window=request.window, categories=taste.interests, favour=favour_of(taste, areas)
    )
    events = {e.event_id: e for e in found}
    refinement = request.refinement
    ids = [k.event_id for k in refinement.target.key_events] if refinement else []
    if refinement and refinement.replacement_event_id:
        ids.append(refinement.replacement_event_id)  # the person's pick, whatever its category
    events.update(queries.get_events(session=session, event_ids=ids))
    return list(events.values()), areas, days_off(country=city.country, window=request.window)


def _refine(
    request: PlanRequest,
    refinement: Refinement,
    pool: list[EventPublic],
    *,
    areas: Sequence[str] = (),
    days_off: frozenset[date] = frozenset(),
) -> Bundle:
    lookup = {e.event_id: e for e in pool}
    target = refinement.target
    current = [lookup[k.event_id] for k in target.key_events if k.event_id in lookup]
    taken = {k.event_id for b in refinement.others for k in b.key_events} | {e.event_id for e in current}
    taste = read_taste(request.preferences)
    scored = score_events(pool, taste)
    fit = {s.event.event_id: s.score for s in scored}
    on_genre = {s.event.event_id for s in scored if s.genre_hits}
    # One title once per answer: no event of a title the plan or the other bundles already show (a swap never
    # brings back the same film or night on another date).
    shown = frozenset().union(
        *(works_of(e) for e in current), *(title_works(k.title) for b in refinement.others for k in b.key_events)
    )
    # The hard wishes hold for a change as for the first plans ("with kids, daytime only" stays so after "something
    # quieter"); a wish the plan already breaks (the first plans had to leave it out, and a note said so) is not
    # imposed again, or no change could be made.
    window = request.window
    wish = _as_the_plan_keeps(read_preferences(request.preferences, areas=list(areas), events=pool), target, lookup)
    kept = keep_hard_wishes(pool, wish, event_of=lambda e: e, timezone=window.timezone, label=window.label)
    allowed, limits = {e.event_id for e in kept.candidates}, kept.limits
    refused = turned_down(refinement.instruction, pool, areas)  # "no Improhaus": out, and nothing of it comes in
    allowed -= refused
    open_events = sorted(
        (e for e in pool if e.event_id in allowed and e.event_id not in taken and works_of(e).isdisjoint(shown)),
        key=lambda e: -fit.get(e.event_id, 0),
    )
    kind = kind_of(refinement.instruction)
    # A swap or a change of price, place, time or character is no change of taste: no music off the person's
    # genres comes in (an earlier classical recital is no answer to "earlier", nor a piano recital to "something
    # quieter", for someone who asked for house), nothing further from what they like than the plan's weakest
    # stop already is, nothing their taste rules out; only music the instruction itself names ("add some jazz")
    # may come in beside it.
    floor = min((fit.get(e.event_id, 0.0) for e in current), default=0.0) - TASTE_SLACK
    named = set()  # the genres the instruction itself names, beyond the person's own
    if refinement.instruction and not kind:
        named = set(read_taste(with_instruction(request, refinement.instruction)).named_genres)
        named -= set(taste.named_genres)

    def off_genre(event: EventPublic) -> bool:
        return bool(taste.genres) and event.category in ('music', 'nightlife') and event.event_id not in on_genre

    def suits(event: EventPublic) -> bool:
        if event.event_id not in fit:
            return False
        if named & set(event.tags):
            return True
        return not off_genre(event) and fit[event.event_id] >= floor

    def suits_loosely(event: EventPublic) -> bool:  # below the taste floor, but nothing the taste rules out
        return event.event_id in fit and not off_genre(event)

    alternatives = [e for e in open_events if suits(e)]

    def valid(events: list[EventPublic], visits: Visits) -> bool:
        return valid_bundle(bundle_with(target, events, {}, visits))

    films_allowed = max(FILMS_A_DAY, _films_in_a_day(target))  # a plan stored with more keeps what it has

    def valid_bundle(candidate: Bundle) -> bool:
        if _films_in_a_day(candidate) > films_allowed:
            return False  # a double feature, not a marathon: as the first plans (paths.FILMS_A_DAY)
        violations = grounding.find_violations(
            [*refinement.others, candidate],
            window=request.window,
            budget=request.preferences.budget,
            lookup=lookup.get,
            min_events=MIN_EVENTS,
        )
        return not any(v.bundle == len(refinement.others) for v in violations)

    place_all = placing(target, limits)
    if refinement.replace_event_id:
        old = lookup.get(refinement.replace_event_id)
        if old is None:
            raise PlannerError('That event is no longer in the catalog; try making a new plan.')

        def similar(events: Sequence[EventPublic]) -> float:
            new = events[0] if events else old
            same = (new.category == old.category) * 2 + len(set(new.tags) & set(old.tags)) * 0.5
            return -(same + fit.get(new.event_id, 0))

        chosen = refinement.replacement_event_id
        if chosen:  # the person's pick among the alternatives: that one, or a reason
            new = lookup.get(chosen)
            if new is None or new not in open_events:  # picked from the list: their choice, whatever its taste
                raise PlannerError(f'That event can no longer take the place of {old.title}; pick another one.')
            why = f'You chose it in place of {isolate(old.title)}.'
            swapped = swap_in(target, current, old, new, valid_bundle, why=why, place=place_all)
            if swapped is None:
                raise PlannerError(f'{new.title} no longer fits in place of {old.title}; pick another one.')
            return swapped
        staying = [e for e in current if e != old]

        def first_swap(candidates: list[EventPublic], why: Callable[[EventPublic], str], wild: bool) -> Bundle | None:
            for new in sorted(candidates, key=lambda e: similar([e])):
                if not returns_to_venue(new, staying):
                    line = why(new)
                    swap = swap_in(target, current, old, new, valid_bundle, why=line, place=place_all, wildcard=wild)
                    if swap is not None:
                        return swap
            return None

        swapped = first_swap(alternatives, lambda new: f'Instead of {isolate(old.title)}: {like(new, old)}', False)
        if swapped is not None:
            return swapped
        # Nothing on taste fits the stop's place: the nearest event of the person's interests that their taste
        # does not rule out, labelled a wildcard (they asked for that stop to go; "try another one" is a dead end).
        scored_by_id = {s.event.event_id: s for s in scored}
        on_taste = {e.event_id for e in alternatives}
        wildcards = [e for e in open_events if e.event_id in fit and e.event_id not in on_taste]
        swapped = first_swap(
            wildcards, lambda new: swap_wildcard_why(scored_by_id[new.event_id], taste, isolate(old.title)), True
        )
        if swapped is not None:
            return swapped
        if len(current) > MIN_EVENTS:  # a plan that stays a plan without it: the stop goes, said so
            shorter = bundle_with(target, [e for e in current if e != old], {})
            if valid_bundle(shorter):
                note = f'Took out {isolate(old.title)}: nothing else fits in its place.'
                return shorter.model_copy(update={'description': f'{shorter.description} {note}'})
        raise PlannerError(
            f'No other event to your taste fits in place of {old.title} without breaking the plan or your wishes; '
            'try another one.'
        )
    wish_fit = fit if kind else instruction_fit(request, refinement.instruction, pool)
    measure = without(refused, measure_for(kind, taste_fit=fit) if kind else taste_measure(wish_fit))
    slots = {k.event_id: visit for k in target.key_events if (visit := kept_visit(k))}
    before = measure(current, slots)
    best: tuple | None = None
    moves = drop_in_moves(target, current, place_all)

    def nearest(new: EventPublic, old: EventPublic) -> list[Slot | None]:
        return place_all(new, old)[:PLACES_TRIED]  # each edit weighs a drop-in's nearest few slots

    asked = _asked_by_name(current, scored, refused)

    def best_edit(candidates: list[EventPublic], moves: list[Visits]) -> tuple | None:
        found = None
        for events, visits in one_step_edits(
            current, candidates, slots, moves=moves, place=nearest, pinned=asked.events
        ):
            score = measure(events, visits)
            if refused.intersection(e.event_id for e in events):
                continue  # a stop turned down stays in it: a re-plan may take them all out
            if score[0] < before[0] - 1e-9 and (found is None or score < found[0]) and valid(events, visits):
                found = (score, events, visits)
        return found

    best = best_edit(alternatives, moves)
    if best is None:
        best = replan(
            kind or 'wish', request=request, refinement=refinement, fit=wish_fit,
            pool=[e for e in [*current, *alternatives] if e.event_id not in refused],
            measure=measure,
            current=current, current_visits=slots,
            make_bundle=lambda events, slots: bundle_with(target, events, {}, slots),
            valid=valid_bundle, day_seconds=day_seconds, asked=asked, slot_cost=slot_cost(wish, days_off), wish=wish,
        )  # fmt: skip
    wild: frozenset[str] = frozenset()
    if best is None:
        # Nothing as close to the person's taste as the plan does it: the best change with an event of their
        # interests and genres further from what they asked for, labelled a wildcard ("cannot" is a dead end, and
        # Undo is one tap). Never music off their genres: a classical matinee is no "earlier" for a house fan.
        on_taste = {e.event_id for e in alternatives}
        best = best_edit([e for e in open_events if suits_loosely(e) and e.event_id not in on_taste], [])
        if best is not None:
            wild = frozenset({e.event_id for e in best[1]} - {e.event_id for e in current})
    if best is None:
        by_name = [isolate(e.title) for e in current if e.event_id in asked.events]
        kept = f' It keeps {" and ".join(by_name)}, which you asked for by name.' if by_name else ''
        raise PlannerError(cannot(kind, refinement.instruction, target) + kept)
    _, events, visits = best
    new_ids = {e.event_id for e in events} - {e.event_id for e in current}
    scored_by_id = {s.event.event_id: s for s in scored}
    purpose = f'to make the plan {kind}' if kind else f'to follow "{isolate(refinement.instruction or "")}"'
    whys = {
        i: change_wildcard_why(scored_by_id[i], taste, purpose)
        if i in wild
        else f'Chosen to make the plan {kind or "follow your wish"}.'
        for i in new_ids
    }
    changed = bundle_with(target, events, whys, visits, wild=wild)
    note = summary(kind, refinement.instruction, (current, slots), (events, visits), target)
    if wild:
        note = f'{note[:-1]}, with a wildcard: nothing closer to your taste does it.'

    return changed.model_copy(update={'description': f'{changed.description} {note}'.strip()})


def _films_in_a_day(bundle: Bundle) -> int:
    """The longest run of films on one day: what FILMS_A_DAY bounds in the path search, for a change's edits."""
    stops = [(k.category == 'film', k.attended_from, k.attended_until) for k in bundle.key_events]
    return max((films_ending(stops[: n + 1]) for n in range(len(stops))), default=0)


def _as_the_plan_keeps(wish: Wish, target: Bundle, lookup: dict[str, EventPublic]) -> Wish:
    """The reading without the hard wishes the plan already breaks (each stop as attended: a drop-in's slot)."""
    attended = [
        as_visited(lookup[k.event_id], (k.attended_from, k.attended_until))
        for k in target.key_events
        if k.event_id in lookup
    ]
    broken = broken_by(wish, attended)
    return without_wishes(wish, broken) if broken else wish


def _asked_by_name(current: Sequence[EventPublic], scored: Sequence[Scored], refused: frozenset[str]) -> Asked:
    """The stops the person asked for by name ("Please include ...", "I have always wanted to go to ..."): a
    change of price, place or time keeps them. Of several stops at a named venue one is enough: a single edit
    of one keeps another, a re-plan keeps one. What the change itself turns down is no longer asked for."""
    named = {
        s.event.event_id: s.named for s in scored if s.named in ('event', 'venue') and s.event.event_id not in refused
    }
    events = {e.event_id for e in current if named.get(e.event_id) == 'event'}
    at_venue = [e for e in current if named.get(e.event_id) == 'venue']
    venues = Counter(e.venue for e in at_venue)
    events |= {e.event_id for e in at_venue if venues[e.venue] == 1}
    return Asked(frozenset(events), frozenset(v for v, count in venues.items() if count > 1))
