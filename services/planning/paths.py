"""The best plans through one pool of visits, exactly: visits ordered in time form a directed acyclic graph (an
arc when the next visit starts after the previous one ends plus the way there), so the best plan of at most
MAX_STOPS stops is a dynamic programme over it. Each visit keeps a few best partial plans (labels) per
length; a label knows its cost (the budget), its first start (a plan spans one weekend or a week of
evenings) and its titles (one title once).

The value of a plan is the sum of its visits' values, less TRAVEL_COST per minute on the way and IDLE_COST per
hour of waiting beyond IDLE_FREE; a gap over MAX_IDLE splits the plan in two parts (costly, and the plan's
text says so), and a gap over NEXT_DAY_AFTER is another day.
"""

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from models.catalog import EventPublic
from models.geo import estimate_travel
from services.planning.slots import Visit

MAX_STOPS = 4
MIN_STOPS = 2
LABELS = 3  # partial plans kept per visit and length
TRAVEL_COST = 0.04  # per minute
IDLE_FREE = timedelta(minutes=90)
IDLE_COST = 0.25  # per hour beyond IDLE_FREE
MAX_IDLE = timedelta(hours=3)
TWO_PARTS = 2.5  # what splitting a plan in two parts costs: only when nothing closer fits
NEXT_DAY_AFTER = timedelta(hours=10)  # a longer gap is another day, not a wait
SAME_PLACE_GAP = timedelta(0)
NEARBY_GAP = timedelta(minutes=15)  # between two venues of unknown position in one neighbourhood
UNKNOWN_GAP = timedelta(minutes=30)  # across town, positions unknown


@dataclass(frozen=True)
class Item:
    """A candidate as the core sees it: the event, its value, and the keys that must not repeat."""

    event: EventPublic
    value: float
    title_key: str  # a film or a series counts once per answer
    series_key: tuple[str, str]


@dataclass(frozen=True)
class Path:
    visits: tuple[Visit, ...]
    value: float
    cost: float

    @property
    def items(self) -> tuple[int, ...]:
        return tuple(v.item for v in self.visits)


@dataclass(frozen=True)
class _Label:
    value: float
    cost: float
    first: datetime
    visits: tuple[Visit, ...]
    titles: frozenset[str]
    has_must: bool


@dataclass(frozen=True)
class Rules:
    budget: float | None
    max_span: timedelta
    max_stops: int = MAX_STOPS


def best_paths(
    items: Sequence[Item], visits: Sequence[Visit], rules: Rules, *, must: frozenset[int] = frozenset()
) -> list[Path]:
    """The best plan of each length MIN_STOPS..max_stops through `visits` (of `items`), best first; with
    `must`, every plan visits at least one of those items."""
    ordered = sorted(visits, key=lambda v: (v.start, v.end, v.item))
    starts = [v.start for v in ordered]
    labels: list[list[list[_Label]]] = [[[] for _ in range(rules.max_stops + 1)] for _ in ordered]
    best: dict[int, _Label] = {}
    for index, visit in enumerate(ordered):
        item = items[visit.item]
        own = _Label(
            item.value, _price(item.event), visit.start, (visit,), frozenset((item.title_key,)), visit.item in must
        )
        if rules.budget is None or own.cost <= rules.budget:
            _keep(labels[index][1], own)
        _extend_into(index, ordered, starts, items, labels, rules, must)
        for length in range(MIN_STOPS, rules.max_stops + 1):
            for label in labels[index][length]:
                if (not must or label.has_must) and (length not in best or label.value > best[length].value):
                    best[length] = label
    paths = [Path(label.visits, label.value, label.cost) for label in best.values()]
    return sorted(paths, key=lambda p: -p.value)


def _extend_into(
    index: int,
    ordered: Sequence[Visit],
    starts: Sequence[datetime],
    items: Sequence[Item],
    labels: list[list[list[_Label]]],
    rules: Rules,
    must: frozenset[int],
) -> None:
    """Every partial plan ending at an earlier visit that can be followed by visit `index`."""
    visit = ordered[index]
    item = items[visit.item]
    earliest = visit.start - rules.max_span
    for previous_index in range(bisect_left(starts, earliest), index):
        previous = ordered[previous_index]
        gap = visit.start - previous.end
        if gap < timedelta(0) or previous.item == visit.item:
            continue
        link = _link_cost(items[previous.item].event, item.event, gap, rules)
        if link is None:
            continue
        for length in range(1, rules.max_stops):
            for label in labels[previous_index][length]:
                extended = _extended(label, visit, item, link, rules, must, items)
                if extended is not None:
                    _keep(labels[index][length + 1], extended)


def _extended(
    label: _Label,
    visit: Visit,
    item: Item,
    link: float,
    rules: Rules,
    must: frozenset[int],
    items: Sequence[Item],
) -> _Label | None:
    if item.title_key in label.titles or visit.start - label.first > rules.max_span:
        return None
    if any(v.item == visit.item or items[v.item].series_key == item.series_key for v in label.visits):
        return None
    cost = label.cost + _price(item.event)
    if rules.budget is not None and cost > rules.budget + 1e-9:
        return None
    return _Label(
        label.value + item.value - link,
        cost,
        label.first,
        (*label.visits, visit),
        label.titles | {item.title_key},
        label.has_must or visit.item in must,
    )


def _link_cost(before: EventPublic, after: EventPublic, gap: timedelta, rules: Rules) -> float | None:
    """What going from one stop to the next costs in value, or None when it cannot be done."""
    travel = estimate_travel(before.lat, before.lon, after.lat, after.lon)
    if travel is not None:
        way, minutes = timedelta(minutes=travel.minutes), travel.minutes
    else:
        same_area = before.neighborhood and before.neighborhood == after.neighborhood
        way = SAME_PLACE_GAP if before.venue == after.venue else NEARBY_GAP if same_area else UNKNOWN_GAP
        minutes = way.total_seconds() / 60
    if gap < way:
        return None
    wait = gap - way
    if gap >= NEXT_DAY_AFTER:
        return 0.0  # another day: how far apart a plan's days may be is the span's rule
    if gap > MAX_IDLE:
        return TWO_PARTS  # over 3 hours between two stops: a plan in two parts, which says so
    idle_hours = max(wait - IDLE_FREE, timedelta(0)).total_seconds() / 3600
    return TRAVEL_COST * minutes + IDLE_COST * idle_hours


def _keep(labels: list[_Label], label: _Label) -> None:
    """Keeps the LABELS best partial plans; a plan that holds a must-visit is kept beside better ones."""
    labels.append(label)
    labels.sort(key=lambda item: (-item.value, item.cost))
    if len(labels) > LABELS:
        musts = [item for item in labels if item.has_must][:1]
        del labels[LABELS:]
        if musts and musts[0] not in labels:
            labels[-1] = musts[0]


def _price(event: EventPublic) -> float:
    return event.price.max if event.price else 0.0
