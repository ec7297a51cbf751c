"""The best plans through one pool of visits: visits ordered in time form a directed acyclic graph (an arc when
the next visit starts after the previous one ends plus the way there), so the best plan of at most MAX_STOPS
stops is a dynamic programme over it. Each visit keeps partial plans (labels) per length, apart for those that
already hold one of a theme's must-visits: every one no other dominates for a small pool (exact), the LABELS
best for a larger one (a bound that rarely costs the best plan, measured); a label knows its cost (the budget),
its first start (a plan spans one weekend or a week of evenings) and its titles (one title once).

The value of a plan is the sum of its visits' values (each item's value less what its slot costs, `Visit.cost`),
less TRAVEL_COST per minute on the way and IDLE_COST per hour of waiting beyond IDLE_FREE; a gap over MAX_IDLE
splits the plan in two parts (costly, and the plan's text says so), and a gap over NEXT_DAY_AFTER is another day
(another outing, OUTING_COST).
"""

import collections
import functools
import math
import operator
from bisect import insort
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from models.catalog import EventPublic
from models.geo import estimate_travel
from services.planning.slots import MEAL_TAGS, Visit

MAX_STOPS = 4
MIN_STOPS = 2
LABELS = 2  # partial plans kept per visit and length
# A pool of this few candidates is planned exactly (every undominated partial plan, `_Keep`); a larger one keeps
# the LABELS best, which missed the best plan 7 times in 10,000 random small catalogs (docs/QUALITY.md, "How
# exact the core is": exact on larger pools cost the seed request 25 -> 58 ms).
EXACT_ITEMS = 12
TRAVEL_COST = 0.04  # per minute
IDLE_FREE = timedelta(minutes=90)
IDLE_COST = 0.25  # per hour beyond IDLE_FREE
MAX_IDLE = timedelta(hours=3)
RETURN_COST = 1.0  # going back to a venue of the plan on another day
TWO_PARTS = 2.5  # what splitting a plan in two parts costs: only when nothing closer fits
# Another outing (a stop on another day): an evening given to the plan. Free, a week's plan was a list of evenings
# with one stop each; a short hop on one evening costs less, a long ride more (docs/QUALITY.md, "One outing").
OUTING_COST = 0.75
NEXT_DAY_AFTER = timedelta(hours=10)  # a longer gap is another day, not a wait
SAME_PLACE_GAP = timedelta(0)
NEARBY_GAP = timedelta(minutes=15)  # between two venues of unknown position in one neighbourhood
UNKNOWN_GAP = timedelta(minutes=30)  # across town, positions unknown
# Two sit-down meals closer than this are one too many (a kitchen-table dinner at 17:30, a supper club at 19:30);
# brunch and dinner, or a dinner and the next day's, are fine. Street-food markets are grazed, not sat down to.
MEALS_APART = timedelta(hours=4)
# A double feature, not a marathon: a third film the same day reads as a festival pass (read in answers: three
# "film, Next 7 days" plans, each a Friday of three screenings from 15:00).
FILMS_A_DAY = 2
NEXT_DAY_AFTER_S, MAX_IDLE_S, IDLE_FREE_S = (d.total_seconds() for d in (NEXT_DAY_AFTER, MAX_IDLE, IDLE_FREE))
MEALS_APART_S = MEALS_APART.total_seconds()


def title_works(title: str) -> frozenset[str]:
    """The works a listing shows, what makes two listings the same thing to see: 'Cinema: Cleo from 5 to 7' and
    'Late show: Cleo from 5 to 7' are one film; a '(Sunday matinee)' is the same play; 'Double Bill: Suspiria +
    Possession' shows the film of 'Late screening: "Suspiria" (1977)'."""
    title = title.split('(')[0]
    title = title.split(':', 1)[1] if ':' in title else title
    works = (work.strip(' "\'\u201c\u201d\u2018\u2019').lower() for work in title.split(' + '))
    return frozenset(work for work in works if work)


# (from item, to item): how long the way takes in seconds, and its minutes (what travel costs)
Ways = dict[tuple[int, int], tuple[float, float]]


@dataclass(frozen=True)
class Item:
    """A candidate as the core sees it: the event, its value, and the keys that must not repeat."""

    event: EventPublic
    value: float
    works: frozenset[str]  # a film or a series counts once per answer
    series_key: tuple[str, str]


@dataclass(frozen=True)
class Path:
    visits: tuple[Visit, ...]
    value: float
    cost: float

    @property
    def items(self) -> tuple[int, ...]:
        return tuple(v.item for v in self.visits)


class _Label(NamedTuple):
    """A partial plan ending at one visit (a tuple: millions are made, and a tuple is the cheapest object)."""

    value: float
    cost: float
    first: float  # when its first visit starts (a POSIX timestamp: the hot loop compares floats), at most `settled`
    visits: tuple[Visit, ...]
    taken: int  # its items, works and series (none may come twice) and venues (again at a cost), as bits (_Keys)
    has_must: bool


@dataclass(frozen=True)
class Rules:
    budget: float | None
    max_span: timedelta
    max_stops: int = MAX_STOPS
    travel_cost: float = TRAVEL_COST  # per minute on the way; a refinement "closer together" raises it


_new_label = tuple.__new__  # a _Label without the NamedTuple's Python-level constructor (the hottest line)

# Partial plans of one length, kept apart by whether they visit a must-visit yet: [without, with].
_Classes = tuple[list[_Label], list[_Label]]
# Every finished partial plan of one class and length, best first, as (-value, order, visit index, label).
_Ranked = list[tuple[float, int, int, _Label]]


def best_paths(
    items: Sequence[Item],
    visits: Sequence[Visit],
    rules: Rules,
    *,
    must: frozenset[int] = frozenset(),
    ways: Ways | None = None,
) -> list[Path]:
    """The best plan of each length MIN_STOPS..max_stops through `visits` (of `items`), best first; with
    `must`, every plan visits at least one of those items. `ways` caches the way between two items (how long in
    seconds, and its minutes) across the calls of one answer."""
    ordered = sorted(visits, key=lambda v: (v.start, v.end, v.item))
    times = _Times([v.start.timestamp() for v in ordered], [v.end.timestamp() for v in ordered])
    prices = {v.item: price_of(items[v.item].event) for v in ordered}
    labels: list[list[_Classes]] = [[([], []) for _ in range(rules.max_stops + 1)] for _ in ordered]
    ranked: list[tuple[_Ranked, _Ranked]] = [([], []) for _ in range(rules.max_stops)]
    ways = {} if ways is None else ways
    keys = _Keys(items, ordered)
    best: dict[int, _Label] = {}
    keep = _Keep(keys, rules.budget is not None) if len(keys.of) <= EXACT_ITEMS else _keep
    # A plan starting at or after this has every later visit within its span: how much later no longer matters,
    # so its `first` is kept as this (the span check reads the same, and such plans compare as equals).
    settled = times.starts[-1] - rules.max_span.total_seconds() if ordered else 0.0
    for index, visit in enumerate(ordered):
        item = items[visit.item]
        is_must = visit.item in must
        first = min(times.starts[index], settled)
        own = _Label(item.value - visit.cost, prices[visit.item], first, (visit,), keys.of[visit.item], is_must)
        if rules.budget is None or own.cost <= rules.budget:
            keep(labels[index][1][is_must], own)
        _extend_into(index, ordered, times, items, keys, prices, labels, ranked, rules, must, ways, keep)
        for length in range(1, rules.max_stops):
            for flag in (0, 1):
                for label in labels[index][length][flag]:
                    insort(ranked[length][flag], (-label.value, len(ranked[length][flag]), index, label))
        for length in range(MIN_STOPS, rules.max_stops + 1):
            for label in labels[index][length][bool(must)]:  # a theme with must-visits: only plans that hold one
                if length not in best or label.value > best[length].value:
                    best[length] = label
    paths = [Path(label.visits, label.value, label.cost) for label in best.values()]
    return sorted(paths, key=lambda p: -p.value)


class _Times(NamedTuple):
    """Each ordered visit's start and end as POSIX timestamps."""

    starts: list[float]
    ends: list[float]


def _extend_into(
    index: int,
    ordered: Sequence[Visit],
    times: _Times,
    items: Sequence[Item],
    keys: '_Keys',
    prices: dict[int, float],
    labels: list[list[_Classes]],
    ranked: list[tuple[_Ranked, _Ranked]],
    rules: Rules,
    must: frozenset[int],
    ways: Ways,
    keep: '_KeepFunction',
) -> None:
    """Every partial plan ending at an earlier visit that can be followed by visit `index`, best first, while
    one can still be kept: an extension is worth at most its partial plan plus this visit (a link costs >= 0),
    and what a visit keeps only gets better, so the scan stops at the first that cannot beat the worst kept."""
    visit = ordered[index]
    item = items[visit.item]
    worth = item.value - visit.cost  # what this visit adds (at most the item's value: the scan's bound holds)
    mine, venue, meal = keys.of[visit.item], keys.venue[visit.item], visit.item in keys.meals
    film = visit.item in keys.films
    price, is_must, budget = prices[visit.item], visit.item in must, rules.budget
    start, ends, span = times.starts[index], times.ends, rules.max_span.total_seconds()
    links: dict[int, float | None] = {}
    cap = LABELS if keep is _keep else math.inf  # an exact keep has no worst kept to beat
    for length in range(1, rules.max_stops):
        for flag in (0, 1) if must else (0,):
            target = labels[index][length + 1][flag or is_must]
            floor = target[-1].value if len(target) >= cap else -math.inf  # what a new label must beat
            for negative_value, _, previous_index, label in ranked[length][flag]:
                if worth - negative_value <= floor:
                    break
                if ends[previous_index] > start or start - label.first > span:
                    continue
                previous = ordered[previous_index]
                if previous.item == visit.item:
                    continue
                clash = label.taken & mine
                if clash and clash != venue:
                    continue  # nothing twice
                # Back at a venue of the plan on another day: allowed, at a cost (staying on the same evening is
                # free); a plan of four nights at one cellar reads as padding.
                revisit = RETURN_COST if clash and not _stays_on(items, previous, visit) else 0.0
                cost = label.cost + price
                if budget is not None and cost > budget + 1e-9:
                    continue
                link = links.get(previous_index, _UNKNOWN)
                if link is _UNKNOWN:
                    # On the clock, as a person reads it (the aware datetimes of one city subtract so): a night out
                    # and the next morning are another day across a clock change too.
                    gap = (visit.start - previous.end).total_seconds()
                    link = links[previous_index] = (
                        None
                        if meal and previous.item in keys.meals and gap < MEALS_APART_S
                        else _link_value(_way_of(items, previous.item, visit.item, ways), gap, rules)
                    )
                if link is None or (film and keys.films_that_day(label.visits, visit) >= FILMS_A_DAY):
                    continue
                value = label.value + worth - link - revisit
                if value <= floor:
                    continue  # no better than the worst kept: skip building it
                fields = (value, cost, label.first, (*label.visits, visit), label.taken | mine, bool(flag or is_must))
                keep(target, _new_label(_Label, fields))
                if len(target) >= cap:
                    floor = target[-1].value


_UNKNOWN = object()  # a link not worked out yet (None is a link that cannot be made)


class _Keys:
    """What a plan holding each candidate may not hold again (the candidate, its series, its works), and its
    venue, which it may visit again at a cost: one bit each, so a partial plan's keys are one int (an AND and an
    OR where sets of a dozen keys took an intersection and a union per extension)."""

    def __init__(self, items: Sequence[Item], visits: Sequence[Visit]) -> None:
        bits: dict[object, int] = {}
        self.of: dict[int, int] = {}
        self.venue: dict[int, int] = {}
        self.meals: set[int] = set()  # sit-down meals: not two within MEALS_APART
        self.films: set[int] = set()  # not a third one the same day (FILMS_A_DAY)
        holders: dict[int, int] = {}  # how many candidates hold each key
        slots = collections.Counter(v.item for v in visits)
        self.shared = 0  # the keys a later visit can meet again: a drop-in's other slots, a key two candidates hold
        for index in slots:
            item = items[index]
            if is_meal(item.event):
                self.meals.add(index)
            if item.event.category == 'film':
                self.films.add(index)
            keys = (('v', item.event.venue), index, ('s', item.series_key), *(('t', work) for work in item.works))
            masks = [1 << bits.setdefault(key, len(bits)) for key in keys]
            self.venue[index], self.of[index] = masks[0], functools.reduce(operator.or_, masks)
            for mask in set(masks):
                holders[mask] = holders.get(mask, 0) + 1
            if slots[index] > 1:
                self.shared |= masks[1]
        self.shared |= functools.reduce(operator.or_, (mask for mask, count in holders.items() if count > 1), 0)

    def films_that_day(self, visits: Sequence[Visit], then: Visit | None = None) -> int:
        """How many films end a partial plan one after the other on one day, on the day of `then` when given."""
        return films_ending([(v.item in self.films, v.start, v.end) for v in visits], then and then.start)


def films_ending(stops: Sequence[tuple[bool, datetime, datetime]], next_start: datetime | None = None) -> int:
    """How many films (is it one, from, until) end `stops` on one day, the day of `next_start` when given."""
    count, later = 0, next_start
    for is_film, start, end in reversed(stops):
        if not is_film or (later is not None and later - end >= NEXT_DAY_AFTER):
            break
        count, later = count + 1, start
    return count


def is_meal(event: EventPublic) -> bool:
    return event.category == 'food' and not MEAL_TAGS.isdisjoint(event.tags)


def _stays_on(items: Sequence[Item], previous: Visit, visit: Visit) -> bool:
    """The next stop at the same venue the same evening ("stay on at Kino Bambi"), not a return on another day."""
    same = items[previous.item].event.venue == items[visit.item].event.venue
    return same and visit.start - previous.end < NEXT_DAY_AFTER


def can_pair(items: Sequence[Item], first: Visit, then: Visit, rules: Rules, ways: Ways) -> bool:
    """Whether a plan can go from one visit to the other: two things to see, in time with the way between,
    within the span and the budget."""
    a, b = items[first.item], items[then.item]
    if a.works & b.works or a.series_key == b.series_key or then.start - first.start > rules.max_span:
        return False
    if rules.budget is not None and price_of(a.event) + price_of(b.event) > rules.budget + 1e-9:
        return False
    if is_meal(a.event) and is_meal(b.event) and then.start - first.end < MEALS_APART:
        return False
    return _link_cost(items, first, then, rules, ways) is not None


def _link_cost(
    items: Sequence[Item],
    before: Visit,
    after: Visit,
    rules: Rules,
    ways: Ways,
) -> float | None:
    """What going from one stop to the next costs in value, or None when it cannot be done."""
    gap = (after.start - before.end).total_seconds()
    return _link_value(_way_of(items, before.item, after.item, ways), gap, rules)


def _link_value(way: tuple[float, float], gap: float, rules: Rules) -> float | None:
    """What a link costs, from the way (seconds, minutes) and the gap between the stops in seconds (floats: the
    hot loop of the path search calls this for each pair it tries)."""
    seconds, minutes = way
    if gap < seconds:
        return None
    if gap >= NEXT_DAY_AFTER_S:
        return OUTING_COST  # another day (how far apart a plan's days may be is the span's rule)
    if gap > MAX_IDLE_S:
        return TWO_PARTS  # over 3 hours between two stops: a plan in two parts, which says so
    idle_hours = max(gap - seconds - IDLE_FREE_S, 0.0) / 3600
    return rules.travel_cost * minutes + IDLE_COST * idle_hours


def _way_of(items: Sequence[Item], before: int, after: int, ways: Ways) -> tuple[float, float]:
    """The way from one candidate to the other, found once per answer."""
    pair = (before, after)
    way = ways.get(pair)
    if way is None:
        way = ways[pair] = _way(items[before].event, items[after].event)
    return way


def _way(before: EventPublic, after: EventPublic) -> tuple[float, float]:
    """How long the way from one event to the next takes in seconds, and its minutes (what travel costs)."""
    travel = estimate_travel(before.lat, before.lon, after.lat, after.lon)
    if travel is not None:
        return travel.minutes * 60.0, travel.minutes
    same_area = before.neighborhood and before.neighborhood == after.neighborhood
    way = SAME_PLACE_GAP if before.venue == after.venue else NEARBY_GAP if same_area else UNKNOWN_GAP
    return way.total_seconds(), way.total_seconds() / 60


def _keep(labels: list[_Label], label: _Label) -> None:
    """Keeps the LABELS best partial plans of a class, best first."""
    value, cost = label[0], label[1]  # by index: called for every partial plan kept, attributes cost more
    position = len(labels)
    while position:
        other = labels[position - 1]
        if other[0] > value or (other[0] == value and other[1] <= cost):
            break  # better, or as good and no dearer: stays ahead
        position -= 1
    labels.insert(position, label)
    if len(labels) > LABELS:
        labels.pop()


_KeepFunction = Callable[[list[_Label], _Label], None]


class _Keep:
    """The exact keep: every partial plan of a class no other dominates, best first. One dominates another when
    worth as much, no dearer (under a budget), starting no earlier (the span), holding no key a later visit could
    meet that the other lacks (`shared`) and ending on no longer run of films: it can become all the other can."""

    def __init__(self, keys: _Keys, priced: bool) -> None:
        self.keys, self.shared, self.priced = keys, keys.shared, priced

    def __call__(self, labels: list[_Label], label: _Label) -> None:
        if any(self._dominates(other, label) for other in labels):
            return
        labels[:] = [other for other in labels if not self._dominates(label, other)]
        position = len(labels)
        while position and labels[position - 1].value < label.value:
            position -= 1
        labels.insert(position, label)

    def _dominates(self, one: _Label, other: _Label) -> bool:
        held, others = one.taken & self.shared, other.taken & self.shared
        return (
            one.value >= other.value
            and (not self.priced or one.cost <= other.cost)
            and one.first >= other.first
            and held | others == others
            and self.keys.films_that_day(one.visits) <= self.keys.films_that_day(other.visits)
        )


def price_of(event: EventPublic) -> float:
    """What one person pays at most (the budget rule's reading of a price range)."""
    return event.price.max if event.price else 0.0
