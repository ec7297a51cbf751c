"""The grounding rule (docs/ARCHITECTURE.md, grounding), checked in one place for every planner and for the tests.

Every key event must be a catalog event that can still be attended, with its title, times, venue, price
and link exactly as the catalog has them; it starts inside the window; events of one bundle do not
overlap; no event is used twice; a bundle has enough valid events, costs at most the budget, and its
estimated cost is the sum of its events' prices. Planners build key events with `key_event_from` so those
fields never come from model text, and check their output with `find_violations` (or `check_bundles` with a
session). Messages name event titles and ids, so a model asked to repair its plan knows what to replace.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from models.catalog import BOOKABLE_STATUSES, EventPublic, Price
from models.generation import Bundle, KeyEvent, TimeWindow
from models.geo import estimate_travel
from services.catalog import queries
from services.planning.slots import is_drop_in

EventLookup = Callable[[str], EventPublic | None]

# Fields a key event copies from the catalog; any difference means text was made up or went stale.
GROUNDED_FIELDS: tuple[str, ...] = ('title', 'starts_at', 'ends_at', 'venue', 'neighborhood', 'price', 'url')


@dataclass(frozen=True)
class Violation:
    # empty, too_few, unknown_event, not_bookable, mismatch, outside_window, duplicate, overlap, unreachable,
    # over_budget, cost
    code: str
    message: str
    bundle: int  # index into the bundles checked
    event_id: str | None = None  # set when dropping this one event from its bundle would fix the violation

    def __str__(self) -> str:
        return f'bundle {self.bundle + 1}: {self.message}'


def find_violations(
    bundles: Sequence[Bundle],
    *,
    window: TimeWindow,
    budget: float | None,
    lookup: EventLookup,
    min_events: int = 1,
) -> list[Violation]:
    """Every way `bundles` break the grounding rule; an empty list means they may be shown.

    A bundle needs at least `min_events` events that break no rule of their own and overlap no other.
    """
    violations: list[Violation] = []
    used: dict[str, int] = {}
    for index, bundle in enumerate(bundles):
        if not bundle.key_events:
            violations.append(Violation('empty', 'has no events', index))
            continue
        known: list[EventPublic] = []
        usable: list[EventPublic] = []
        for key_event in bundle.key_events:
            found = lookup(key_event.event_id)
            problems = _event_violations(index, key_event, found, window, used)
            if found is not None:
                visit = _visit_violation(index, key_event, found)
                problems += [visit] if visit else []
                found = _as_attended(found, key_event)
            violations.extend(problems)
            if found is not None:
                known.append(found)
                if not problems:
                    usable.append(found)
            used.setdefault(key_event.event_id, index)
        violations.extend(_bundle_violations(index, bundle, known, usable, budget, min_events))
    return violations


def check_bundles(
    *, session: Session, bundles: Sequence[Bundle], window: TimeWindow, budget: float | None
) -> list[Violation]:
    """`find_violations` against the database, with one query for all key events."""
    events = queries.get_events(session=session, event_ids=(e.event_id for b in bundles for e in b.key_events))
    return find_violations(bundles, window=window, budget=budget, lookup=events.get)


def key_event_from(
    event: EventPublic, why: str, *, visit: tuple[datetime, datetime] | None = None, wildcard: bool = False
) -> KeyEvent:
    """A key event whose every fact is the catalog's; only `why` is the planner's own words. `visit` is a
    drop-in's slot inside the event's run."""
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
        address=event.address,
        lat=event.lat,
        lon=event.lon,
        source=event.source,
        visit_start=visit[0] if visit else None,
        visit_end=visit[1] if visit else None,
        wildcard=wildcard,
    )


def estimate_cost(events: Iterable[EventPublic | KeyEvent]) -> Price | None:
    """Sum of ticket prices; None when no event has a known price or currencies differ."""
    prices = [e.price for e in events if e.price is not None]
    if not prices or len({p.currency for p in prices}) > 1:
        return None
    return Price(min=sum(p.min for p in prices), max=sum(p.max for p in prices), currency=prices[0].currency)


def with_events(bundle: Bundle, key_events: list[KeyEvent]) -> Bundle:
    """The bundle with other key events, re-costed; built anew so the travel between stops is recomputed."""
    fields = {name: getattr(bundle, name) for name in Bundle.model_fields}
    return Bundle(**{**fields, 'key_events': key_events, 'estimated_cost': estimate_cost(key_events)})


def drop_invalid(bundles: Sequence[Bundle], violations: Iterable[Violation]) -> list[Bundle]:
    """The bundles that have no violation at all."""
    bad = {v.bundle for v in violations}
    return [bundle for index, bundle in enumerate(bundles) if index not in bad]


def drop_invalid_events(
    bundles: Sequence[Bundle], violations: Iterable[Violation], *, min_events: int = 1
) -> list[Bundle]:
    """The bundles without the events a violation names, re-costed; those left with too few events go.

    Saves what can be saved of a plan instead of dropping whole bundles. Of an event used more than once
    the first kept use stays. Bundle-wide problems (over budget, a wrong cost) are not fixed here: check
    the result again and `drop_invalid` it.
    """
    # Duplicates are settled by order below: a later copy may be fine once the first one was dropped.
    named = {(v.bundle, v.event_id) for v in violations if v.event_id is not None and v.code != 'duplicate'}
    seen: set[str] = set()
    kept: list[Bundle] = []
    for index, bundle in enumerate(bundles):
        key_events = []
        for key_event in bundle.key_events:
            if (index, key_event.event_id) in named or key_event.event_id in seen:
                continue
            key_events.append(key_event)
            seen.add(key_event.event_id)
        if len(key_events) >= min_events:
            kept.append(with_events(bundle, key_events))
    return kept


def _event_violations(
    index: int, key_event: KeyEvent, found: EventPublic | None, window: TimeWindow, used: dict[str, int]
) -> list[Violation]:
    event_id = key_event.event_id
    if found is None:
        return [Violation('unknown_event', f'event {event_id!r} is not in the catalog', index, event_id)]
    name = f'"{found.title}" ({event_id})'
    problems: list[Violation] = []
    if found.status not in BOOKABLE_STATUSES:
        problems.append(Violation('not_bookable', f'{name} is {found.status}', index, event_id))
    wrong = [field for field in GROUNDED_FIELDS if getattr(key_event, field) != getattr(found, field)]
    if wrong:
        message = f'"{key_event.title}" ({event_id}) differs from the catalog in {", ".join(wrong)}'
        problems.append(Violation('mismatch', message, index, event_id))
    if not window.start <= found.starts_at < window.end:
        message = f'{name} starts {_moment(found.starts_at)}, outside the time window {window.label}'.rstrip()
        problems.append(Violation('outside_window', message, index, event_id))
    if event_id in used:
        first = used[event_id]
        message = (
            f'{name} is used twice in this bundle' if first == index else f'{name} is already in bundle {first + 1}'
        )
        problems.append(Violation('duplicate', message, index, event_id))
    return problems


MIN_VISIT = timedelta(minutes=30)


def _visit_violation(index: int, key_event: KeyEvent, found: EventPublic) -> Violation | None:
    """A drop-in's slot lies inside the event's run and is long enough to be worth the way there."""
    if key_event.visit_start is None and key_event.visit_end is None:
        return None
    start, end = key_event.visit_start, key_event.visit_end
    name = f'"{found.title}" ({found.event_id})'
    if start is None or end is None or not found.starts_at <= start < end <= found.ends_at:
        return Violation(
            'visit',
            f'{name}: the visit must lie inside the event ({_moment(found.starts_at)} on)',
            index,
            found.event_id,
        )
    if not is_drop_in(found):
        return Violation('visit', f'{name}: is attended whole, from its start', index, found.event_id)
    if end - start < MIN_VISIT:
        return Violation('visit', f'{name}: a visit of under {MIN_VISIT.seconds // 60} minutes', index, found.event_id)
    return None


def _as_attended(found: EventPublic, key_event: KeyEvent) -> EventPublic:
    """The event with the times the plan is there (a drop-in's slot), for the clash and travel checks."""
    if key_event.visit_start is None or key_event.visit_end is None:
        return found
    return found.model_copy(update={'starts_at': key_event.visit_start, 'ends_at': key_event.visit_end})


def _bundle_violations(
    index: int,
    bundle: Bundle,
    known: list[EventPublic],
    usable: list[EventPublic],
    budget: float | None,
    min_events: int,
) -> list[Violation]:
    """Clashes, too few events and the price; `usable` are the known events with no violation of their own."""
    problems = _clashes(index, usable)
    overlapping = {v.event_id for v in problems}
    remaining = [e for e in usable if e.event_id not in overlapping]
    if len(remaining) < min_events:
        plural = '' if min_events == 1 else 's'
        problems.append(Violation('too_few', f'needs at least {min_events} valid event{plural}', index))
    # Priced on what can stay, so a repair knows what its fixed bundle would cost; any other event is a
    # violation already. The most it may cost is what counts: a budget of 40 must not face a 45 bill.
    cost = estimate_cost(remaining)
    if budget is not None and cost is not None and cost.max > budget:
        message = f'costs up to {cost.max:g} {cost.currency}, over the budget of {budget:g}'
        problems.append(Violation('over_budget', message, index))
    if len(known) == len(bundle.key_events) and bundle.estimated_cost != estimate_cost(known):
        problems.append(Violation('cost', "estimated cost is not the sum of its events' prices", index))
    return problems


def _clashes(index: int, events: list[EventPublic]) -> list[Violation]:
    """Each event starting before the last kept one ends, or before one can get there from it (where both
    venues have a position); dropping all of them leaves a plan that can be followed on foot and by transit.
    """
    problems: list[Violation] = []
    previous: EventPublic | None = None
    for event in sorted(events, key=lambda e: e.starts_at):
        problem = None if previous is None else _clash(index, previous, event)
        if problem is not None:
            problems.append(problem)
        else:
            previous = event
    return problems


def _clash(index: int, previous: EventPublic, event: EventPublic) -> Violation | None:
    name, before = f'"{event.title}" ({event.event_id})', f'"{previous.title}" ({previous.event_id})'
    if event.starts_at < previous.ends_at:
        return Violation('overlap', f'{name} overlaps {before}', index, event.event_id)
    travel = estimate_travel(previous.lat, previous.lon, event.lat, event.lon)
    if travel is not None and event.starts_at < previous.ends_at + timedelta(minutes=travel.minutes):
        gap = round((event.starts_at - previous.ends_at).total_seconds() / 60)
        how = 'on foot' if travel.mode == 'walk' else 'by public transport'
        message = (
            f'{name} starts {gap} min after {before} ends, but getting there takes {travel.minutes} min {how} '
            f'({travel.meters / 1000:.1f} km)'
        )
        return Violation('unreachable', message, index, event.event_id)
    return None


def _moment(moment: datetime) -> str:
    return f'{moment:%a} {moment.day} {moment:%b %H:%M}'
