"""The grounding rule of DESIGN.md section 3, checked in one place for every planner and for the tests.

Every key event must be a catalog event that can still be attended, with its title, times, venue, price
and link exactly as the catalog has them; it starts inside the window; events of one bundle do not
overlap; no event is used twice; a bundle costs at most the budget, and its estimated cost is the sum of
its events' prices. Planners build key events with `key_event_from` so those fields never come from
model text, and check their output with `find_violations` (or `check_bundles` with a session).
"""

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session

from models.catalog import BOOKABLE_STATUSES, EventPublic, Price
from models.generation import Bundle, KeyEvent, TimeWindow
from services import catalog

EventLookup = Callable[[str], EventPublic | None]

# Fields a key event copies from the catalog; any difference means text was made up or went stale.
GROUNDED_FIELDS: tuple[str, ...] = ('title', 'starts_at', 'ends_at', 'venue', 'neighborhood', 'price', 'url')


@dataclass(frozen=True)
class Violation:
    code: str  # empty, unknown_event, not_bookable, mismatch, outside_window, duplicate, overlap, over_budget, cost
    message: str
    bundle: int  # index into the bundles checked
    event_id: str | None = None

    def __str__(self) -> str:
        return f'bundle {self.bundle + 1}: {self.message}'


def find_violations(
    bundles: Sequence[Bundle], *, window: TimeWindow, budget: float | None, lookup: EventLookup
) -> list[Violation]:
    """Every way `bundles` break the grounding rule; an empty list means they may be shown."""
    violations: list[Violation] = []
    used: dict[str, int] = {}
    for index, bundle in enumerate(bundles):
        if not bundle.key_events:
            violations.append(Violation('empty', 'has no events', index))
            continue
        known: list[EventPublic] = []
        for key_event in bundle.key_events:
            found = lookup(key_event.event_id)
            violations.extend(_event_violations(index, key_event, found, window, used))
            if found is not None:
                known.append(found)
            used.setdefault(key_event.event_id, index)
        violations.extend(_bundle_violations(index, bundle, known, budget))
    return violations


def check_bundles(
    *, session: Session, bundles: Sequence[Bundle], window: TimeWindow, budget: float | None
) -> list[Violation]:
    """`find_violations` against the database, with one query for all key events."""
    events = catalog.get_events(session=session, event_ids=(e.event_id for b in bundles for e in b.key_events))
    return find_violations(bundles, window=window, budget=budget, lookup=events.get)


def key_event_from(event: EventPublic, why: str) -> KeyEvent:
    """A key event whose every fact is the catalog's; only `why` is the planner's own words."""
    return KeyEvent(
        event_id=event.event_id,
        title=event.title,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        venue=event.venue,
        neighborhood=event.neighborhood,
        price=event.price,
        category=event.category,
        tags=list(event.tags),
        url=event.url,
        image_url=event.image_url,
        why=why,
    )


def estimate_cost(events: Iterable[EventPublic | KeyEvent]) -> Price | None:
    """Sum of ticket prices; None when no event has a known price or currencies differ."""
    prices = [e.price for e in events if e.price is not None]
    if not prices or len({p.currency for p in prices}) > 1:
        return None
    return Price(min=sum(p.min for p in prices), max=sum(p.max for p in prices), currency=prices[0].currency)


def rehydrate(bundle: Bundle, lookup: EventLookup) -> Bundle:
    """The bundle with every known key event rebuilt from the catalog (keeping `why`) and its cost re-summed.

    Unknown events are kept as they are so `find_violations` still reports them.
    """
    key_events = []
    for key_event in bundle.key_events:
        found = lookup(key_event.event_id)
        key_events.append(key_event if found is None else key_event_from(found, key_event.why))
    key_events.sort(key=lambda e: (e.starts_at, e.event_id))
    return bundle.model_copy(update={'key_events': key_events, 'estimated_cost': estimate_cost(key_events)})


def drop_invalid(bundles: Sequence[Bundle], violations: Iterable[Violation]) -> list[Bundle]:
    """The bundles that have no violation at all."""
    bad = {v.bundle for v in violations}
    return [bundle for index, bundle in enumerate(bundles) if index not in bad]


def _event_violations(
    index: int, key_event: KeyEvent, found: EventPublic | None, window: TimeWindow, used: dict[str, int]
) -> list[Violation]:
    event_id = key_event.event_id
    if found is None:
        return [Violation('unknown_event', f'event {event_id!r} is not in the catalog', index, event_id)]
    problems: list[Violation] = []
    if found.status not in BOOKABLE_STATUSES:
        problems.append(Violation('not_bookable', f'"{found.title}" is {found.status}', index, event_id))
    wrong = [name for name in GROUNDED_FIELDS if getattr(key_event, name) != getattr(found, name)]
    if wrong:
        message = f'"{key_event.title}" differs from the catalog in {", ".join(wrong)}'
        problems.append(Violation('mismatch', message, index, event_id))
    if not window.start <= found.starts_at < window.end:
        message = f'"{found.title}" starts outside {window.label or "the window"}'
        problems.append(Violation('outside_window', message, index, event_id))
    if event_id in used:
        problems.append(Violation('duplicate', f'"{found.title}" is used twice', index, event_id))
    return problems


def _bundle_violations(index: int, bundle: Bundle, known: list[EventPublic], budget: float | None) -> list[Violation]:
    problems: list[Violation] = []
    ordered = sorted(known, key=lambda e: e.starts_at)
    for earlier, later in itertools.pairwise(ordered):
        if later.starts_at < earlier.ends_at:
            problems.append(
                Violation('overlap', f'"{earlier.title}" and "{later.title}" overlap', index, later.event_id)
            )
    cost = estimate_cost(known)
    # The most it may cost is what counts: a person with a budget of 40 must not face a 45 bill.
    if budget is not None and cost is not None and cost.max > budget:
        problems.append(Violation('over_budget', f'costs up to {cost.max:g} {cost.currency}, over {budget:g}', index))
    if len(known) == len(bundle.key_events) and bundle.estimated_cost != cost:
        problems.append(Violation('cost', "estimated cost is not the sum of its events' prices", index))
    return problems
