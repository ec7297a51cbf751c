"""The single edits of a refinement (services/planners/offline/refine.py searches them): one event replaced, one
dropped, one drop-in visited at another slot of its run, and the bundle each makes, with its stops' why lines,
slots and wildcard labels.
"""

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

from models.catalog import EventPublic
from models.generation import Bundle, KeyEvent
from services.planners import grounding
from services.planners.offline.refine_measures import MIN_EVENTS, Visits
from services.planners.offline.writing import as_visited, describe_route
from services.planners.placing import Slot, placements_instead
from services.planning.paths import NEXT_DAY_AFTER
from services.planning.slots import Limits, is_drop_in
from services.text import isolate

Place = Callable[[EventPublic, EventPublic], list[Slot | None]]  # (new event, the stop it replaces) -> slots


def swap_in(
    target: Bundle,
    current: list[EventPublic],
    old: EventPublic,
    new: EventPublic,
    valid: Callable[[Bundle], bool],
    *,
    why: str,
    place: Place,
    wildcard: bool = False,
) -> Bundle | None:
    """The bundle with `new` in `old`'s place (a drop-in at a slot that fits), saying so, or None when every
    placement breaks a rule. A `wildcard` is labelled so on its stop and in the note."""
    index = current.index(old)
    events = by_start([*current[:index], new, *current[index + 1 :]])
    wild = frozenset({new.event_id} if wildcard else ())
    for slot in place(new, old):
        changed = bundle_with(target, events, {new.event_id: why}, {new.event_id: slot} if slot else None, wild=wild)
        if valid(changed):
            note = f'Swapped {isolate(old.title)} for {isolate(new.title)}.'
            if wildcard:
                note = f'{note[:-1]}, a wildcard: nothing closer to your taste fits there.'
            return changed.model_copy(update={'description': f'{changed.description} {note}'})
    return None


def one_step_edits(
    current: list[EventPublic],
    alternatives: list[EventPublic],
    slots: Visits,
    *,
    moves: list[Visits],
    place: Place,
    pinned: frozenset[str] = frozenset(),
) -> Iterator[tuple[list[EventPublic], Visits]]:
    """Every bundle one step away: one event replaced by an alternative (a drop-in at the few slots `place`
    offers in the old one's stead), one dropped, or one drop-in visited at another slot of its run; kept stops
    keep their slots, and `pinned` ones stay."""
    for index, old in enumerate(current):
        if old.event_id in pinned:
            continue
        kept = {i: v for i, v in slots.items() if i != old.event_id}
        for new in alternatives:
            if returns_to_venue(new, current[:index] + current[index + 1 :]):
                continue
            events = by_start([*current[:index], new, *current[index + 1 :]])
            for slot in place(new, old):
                yield events, ({**kept, new.event_id: slot} if slot else kept)
        if len(current) > MIN_EVENTS:
            yield current[:index] + current[index + 1 :], kept
    for move in moves:
        yield current, {**slots, **move}


def returns_to_venue(new: EventPublic, others: Sequence[EventPublic]) -> bool:
    """Whether `new` goes back to a venue of the plan on another day: a plan of two evenings at one market hall
    reads as padding (the planning core weighs it as a cost; a single edit simply does not make it). Staying on
    at a venue the same evening is fine."""
    return any(e.venue == new.venue and abs(e.starts_at - new.starts_at) >= NEXT_DAY_AFTER for e in others)


def placing(target: Bundle, limits: Limits) -> Place:
    """Where a new event may go in place of an old one of the plan: its own times, or a drop-in's slots, nearest
    the old one's first."""

    def place(new: EventPublic, old: EventPublic) -> list[Slot | None]:
        return placements_instead(new, target.key_events, old.event_id, limits, default=old.starts_at)

    return place


def drop_in_moves(target: Bundle, current: list[EventPublic], place: Place) -> list[Visits]:
    """Each drop-in stop at each other slot of its run that meets the plan's other stops (or the grid's)."""
    visited = {k.event_id: (k.visit_start, k.visit_end) for k in target.key_events if k.visit_start is not None}
    return [
        {event.event_id: slot}
        for event in current
        if event.event_id in visited
        for slot in place(event, event)
        if slot and slot != visited[event.event_id]
    ]


def by_start(events: list[EventPublic]) -> list[EventPublic]:
    return sorted(events, key=lambda e: e.starts_at)


def kept_visit(key_event: KeyEvent | None) -> tuple[datetime, datetime] | None:
    """A kept drop-in stays the slot it was."""
    if key_event is None or key_event.visit_start is None or key_event.visit_end is None:
        return None
    return key_event.visit_start, key_event.visit_end


def bundle_with(
    target: Bundle,
    events: Sequence[EventPublic],
    whys: dict[str, str],
    visits: dict[str, tuple[datetime, datetime]] | None = None,
    *,
    wild: frozenset[str] = frozenset(),
) -> Bundle:
    """`target` with `events`: kept stops keep their why, slot and wildcard label; new ones take `whys`, and
    those in `wild` are labelled wildcards."""
    visits = visits or {}
    kept = {k.event_id: k for k in target.key_events}
    # A kept stop keeps its slot, unless it is attended whole now (a supper club stored as a drop-in before the
    # rule): the validator would turn the slot down, and with it any change of that plan.
    slots = {
        e.event_id: visits.get(e.event_id) or (kept_visit(kept.get(e.event_id)) if is_drop_in(e) else None)
        for e in events
    }
    key_events: list[KeyEvent] = [
        grounding.key_event_from(
            e,
            whys.get(e.event_id) or (kept[e.event_id].why if e.event_id in kept else ''),
            visit=slots[e.event_id],
            wildcard=e.event_id in wild or (e.event_id in kept and kept[e.event_id].wildcard),
        )
        for e in events
    ]
    key_events.sort(key=lambda k: k.attended_from)
    return Bundle(
        title=target.title,
        description=describe_route(
            sorted((as_visited(e, slots[e.event_id]) for e in events), key=lambda e: e.starts_at),
            named={e.event_id for e in events} - set(kept),
        )
        if len(events) > 1
        else target.description,
        image_url=key_events[0].image_url if key_events else target.image_url,
        tags=list(target.tags),
        key_events=key_events,
        estimated_cost=grounding.estimate_cost(events),
    )


def like(new: EventPublic, old: EventPublic) -> str:
    if new.category == old.category:
        return f'another {new.category} pick at {new.venue}'
    return f'{new.category} at {new.venue}'
