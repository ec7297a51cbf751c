"""What the evaluation checks in every delivered bundle, TravelPlanner-style: hard rules and common sense.

Hard rules: every event grounded (in the catalog, bookable, its fields as the catalog has them), inside the
window, of a category the person chose, the bundle within the budget, the events in the requested city.
Common sense: no two events of a bundle overlap, each is reachable from the previous one in time, none is
over already, no event appears twice in one answer, bundle titles are distinct.
"""

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bench.eval.fit import asked_genres
from bench.eval.requests import EvalRequest, Named
from models.catalog import EventPublic
from models.generation import Bundle, KeyEvent, TimeWindow
from models.geo import estimate_travel
from services.planners.grounding import GROUNDED_FIELDS

SAME_OUTING = timedelta(hours=6)  # a longer gap between two events is another day, not a hop
COMPACT_HOP_MIN = 30


@dataclass
class Catalog:
    """The evaluated catalog, by event id: the event and its city."""

    events: dict[str, tuple[EventPublic, str]]


@dataclass
class BundleResult:
    events: int
    hard_failures: list[str] = field(default_factory=list)
    commonsense_failures: list[str] = field(default_factory=list)
    hops: list[int] = field(default_factory=list)  # minutes, between events of one outing
    repeats: bool = False  # two nights of one series at one venue ("Bar DJs: A", "Bar DJs: B")


def check_bundles(
    request: EvalRequest, bundles: list[Bundle], window: TimeWindow, catalog: Catalog, *, city: str, now: datetime
) -> list[BundleResult]:
    preferences = request.preferences
    results = []
    seen: set[str] = set()
    titles = [b.title.strip().lower() for b in bundles]
    for bundle in bundles:
        result = BundleResult(events=len(bundle.key_events))
        events: list[EventPublic] = []
        for key_event in bundle.key_events:
            found = catalog.events.get(key_event.event_id)
            if found is None:
                result.hard_failures.append('grounded')
                continue
            event, event_city = found
            # A drop-in is attended for its slot: overlap and travel are checked on the slot.
            events.append(
                event.model_copy(update={'starts_at': key_event.attended_from, 'ends_at': key_event.attended_until})
            )
            if event.status not in ('scheduled', 'sold_out') or any(
                _field(key_event, name) != _field(event, name) for name in GROUNDED_FIELDS
            ):
                result.hard_failures.append('grounded')
            if not window.start <= event.starts_at < window.end or not event.starts_at <= key_event.attended_from:
                result.hard_failures.append('in_window')
            if event.category not in preferences.interests:
                result.hard_failures.append('category')
            if event_city != city:
                result.hard_failures.append('city')
            if event.ends_at <= now:
                result.commonsense_failures.append('past_event')
            if event.event_id in seen:
                result.commonsense_failures.append('event_twice')
            seen.add(event.event_id)
        cost = sum(e.price.max for e in events if e.price)
        if preferences.budget is not None and cost > preferences.budget + 1e-9:
            result.hard_failures.append('budget')
        ordered = sorted(events, key=lambda e: e.starts_at)
        for earlier, later in itertools.pairwise(ordered):
            travel = estimate_travel(earlier.lat, earlier.lon, later.lat, later.lon)
            minutes = travel.minutes if travel else 0
            if later.starts_at < earlier.ends_at:
                result.commonsense_failures.append('overlap')
            elif later.starts_at < earlier.ends_at + timedelta(minutes=minutes):
                result.commonsense_failures.append('unreachable')
            if later.starts_at - earlier.ends_at < SAME_OUTING:
                result.hops.append(minutes)
        series = [series_of(e) for e in events]
        result.repeats = len(set(series)) < len(series)
        if titles.count(bundle.title.strip().lower()) > 1:
            result.commonsense_failures.append('duplicate_title')
        results.append(result)
    return results


def series_of(event: EventPublic) -> tuple[str, str]:
    """A recurring night: its venue and the title before any colon ("Bar DJs: Duo Spree" -> "bar djs")."""
    return event.venue, event.title.split(':')[0].strip().lower()


def _field(item: object, name: str) -> object:
    value = getattr(item, name, None)
    return value.model_dump() if hasattr(value, 'model_dump') else value


def honoured(request: EvalRequest, bundles: list[Bundle]) -> bool | None:
    """Whether what the free text named is in at least one bundle; None when it named nothing."""
    named = request.named
    if named is None:
        return None
    return any(names(named, event) for b in bundles for event in b.key_events)


def names(named: Named, event: EventPublic | KeyEvent) -> bool:
    """Whether the event is what the free text named: an event of that title (the text names a title, and a
    series may run it on several days or stages), an event at that venue, an event of that genre."""
    return (
        (named.kind == 'event' and event.title == named.value)
        or (named.kind == 'venue' and event.venue == named.value)
        or (named.kind == 'genre' and named.value in event.tags)
    )


def taste_fit(request: EvalRequest, bundles: list[Bundle]) -> tuple[int, int]:
    """(music events matching the profile, music events) over the answer, for requests with a profile."""
    if not request.preferences.music_profile:
        return 0, 0
    genres = asked_genres(request.preferences, request.named)
    music = [e for b in bundles for e in b.key_events if e.category in ('music', 'nightlife')]
    return sum(1 for e in music if set(e.tags) & set(genres)), len(music)


def pairable(
    events: list[EventPublic], budget: float | None, must: Named | None = None, *, category: str | None = None
) -> bool:
    """Whether two of the events fit one plan: neither overlaps the other with the way there, within budget;
    with `must`, one of the two is what the free text named (else no plan can hold it: a plan has two events).
    """
    if category is not None:
        wanted = [e for e in events if e.category == category][:40]
        return any(_fits(a, other, budget) or _fits(other, a, budget) for a in wanted for other in events)
    if must is None:
        ordered = sorted(events, key=lambda e: e.ends_at)
        return any(_fits(first, other, budget) for first in ordered[:20] for other in events)
    wanted = [e for e in events if names(must, e)][:40]
    return any(_fits(a, other, budget) or _fits(other, a, budget) for a in wanted for other in events)


def _fits(first: EventPublic, other: EventPublic, budget: float | None) -> bool:
    """Whether `other` can follow `first` in one plan: after it with the way there, the two within budget."""
    travel = estimate_travel(first.lat, first.lon, other.lat, other.lon)
    gap = timedelta(minutes=travel.minutes if travel else 30)
    cost = (first.price.max if first.price else 0) + (other.price.max if other.price else 0)
    return other.starts_at >= first.ends_at + gap and (budget is None or cost <= budget)


JOINT_PAIRS = 200  # pairs tried per interest by `coverable`; enough on the demo city, and the search stays small


def coverable(events: list[EventPublic], budget: float | None, interests: list[str]) -> int:
    """How many of `interests` plans of one answer can cover at once: plans share no event, so two interests
    whose events all pair only with one and the same event cannot both be covered. An exact search over
    disjoint pairs (a plan has two events at least); run only for answers that miss an interest."""
    pairs: dict[str, list[tuple[EventPublic, EventPublic]]] = {}
    for interest in interests:
        wanted = [e for e in events if e.category == interest][:40]
        found = ((a, b) for a in wanted for b in events if a is not b and (_fits(a, b, budget) or _fits(b, a, budget)))
        pairs[interest] = list(itertools.islice(found, JOINT_PAIRS))
    best = 0

    def search(index: int, covered: frozenset[str], used: frozenset[str]) -> None:
        nonlocal best
        best = max(best, len(covered))
        if index == len(interests) or len(covered) + len(interests) - index <= best:
            return
        interest = interests[index]
        if interest in covered:
            search(index + 1, covered, used)
            return
        for a, b in pairs[interest]:
            if a.event_id not in used and b.event_id not in used:
                search(index + 1, covered | {a.category, b.category} & set(interests), used | {a.event_id, b.event_id})
        search(index + 1, covered, used)

    search(0, frozenset(), frozenset())
    return best
