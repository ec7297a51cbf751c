"""Choosing themes and events: which themes make the strongest plans, and for each, 2-4 events that fit
together (no clash with the way there included, one weekend at most, within the budget); and why there
are fewer plans than wanted when that happens.
"""

import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from models.catalog import EventPublic
from models.generation import Bundle, TimeWindow
from models.geo import estimate_travel
from services.planners.offline.advice import interest_words, late_advice, shortfall
from services.planners.offline.scoring import NAMED_BONUS, Scored
from services.planners.offline.taste import Taste
from services.planners.offline.writing import write_bundle

TARGET_BUNDLES = 3
MIN_EVENTS, MAX_EVENTS = 2, 4  # per bundle; the contract allows 2-5, four reads best on a card
# Time to get from the end of one event to the start of the next: across town, within one
# neighbourhood (a short walk), or staying in the same venue.
TRAVEL_GAP = timedelta(minutes=30)
NEARBY_GAP = timedelta(minutes=15)
SAME_VENUE_GAP = timedelta(0)
IDLE_OK = timedelta(minutes=90)  # a longer wait between two steps of one outing makes a plan weaker
IDLE_COST_PER_HOUR = 0.25
MAX_SPAN = timedelta(hours=60)  # one bundle is a weekend at most, even inside "Next 30 days"
MULTI_DAY_SPAN = timedelta(days=7)  # a longer timeframe: up to a week of evenings in one bundle
HOP_COST_PER_MIN = 0.04  # score lost per minute of travel from the anchor: compact plans first
ANCHOR_TRIES = 6  # other first picks tried when the best event leaves too little room
NAMED_ANCHORS = 40  # events named in the free text tried in turn as the anchor of the named bundle
PAIR_POOL = 400  # the best candidates searched pair by pair when no anchor found a partner
QUALITY_FLOOR = 0.4  # a bundle only takes events scoring at least this share of its theme's best
# ... unless no plan can be made that way: then a lower floor, and at last none (a weak plan beats no plan).
FLOOR_STEPS = (QUALITY_FLOOR, QUALITY_FLOOR / 2, 0.0)


@dataclass(frozen=True)
class Theme:
    key: str  # 'tag:underground', 'genre:techno', 'category:art', 'area:Kreuzberg', 'best'
    accepts: Callable[[Scored], bool]
    bonus: float = 1.0  # themes the person named outright win ties


@dataclass
class Plan:
    """What the pure planning step gives back: bundles, and why there are fewer than wanted."""

    bundles: list[Bundle]
    themes: list[str]
    shortfall: str = ''


def build_plan(scored: Sequence[Scored], taste: Taste, window: TimeWindow, *, city_name: str) -> Plan:
    """Up to TARGET_BUNDLES bundles from distinct themes; the strongest theme first."""
    if len(scored) < MIN_EVENTS:
        found = 'Only one event matches' if scored else 'No events match'
        advice = late_advice(window) or 'Try other interests or dates.'
        return Plan([], [], f'{found} {interest_words(taste)} in {city_name} for {window.label}. {advice}')
    themes = _themes(scored, taste)
    rejected: Counter[str] = Counter()
    span = max_span(window)
    size = _bundle_size(scored)
    chosen = _choose(themes, scored, taste, size, rejected, span)
    for smaller in range(size - 1, MIN_EVENTS - 1, -1):
        if len(chosen) >= TARGET_BUNDLES:
            break
        # Few events fit together (one evening, shows all at 19:30): smaller bundles leave events for more of
        # them, and three plans of two beat one of four.
        other = _choose(themes, scored, taste, smaller, Counter(), span)
        if len(other) > len(chosen):
            chosen = other
    bundles: list[Bundle] = []
    titles: list[str] = []
    for theme, picks in chosen:
        bundle = write_bundle(theme.key, picks, taste, window, taken_titles=titles)
        titles.append(bundle.title)
        bundles.append(bundle)
    missing = ''
    if len(bundles) < TARGET_BUNDLES:
        missing = shortfall(len(bundles), len(scored), taste, window, city_name, rejected)
    return Plan(bundles, titles, missing)


def _choose(
    themes: Sequence[Theme],
    scored: Sequence[Scored],
    taste: Taste,
    size: int,
    rejected: Counter[str],
    span: timedelta,
) -> list[tuple[Theme, list[Scored]]]:
    """Up to TARGET_BUNDLES themes with their picks, the strongest first; no event in two of them."""
    chosen: list[tuple[Theme, list[Scored]]] = []
    used: set[str] = set()
    remaining = list(themes)
    while remaining and len(chosen) < TARGET_BUNDLES:
        best = _best_theme(remaining, scored, used, taste, size, rejected, span)
        if best is None:
            break
        theme, picks = best
        if theme.key != 'best':  # the mixed theme may fill several bundles when the others cannot
            remaining.remove(theme)
        used.update(p.event.event_id for p in picks)
        chosen.append((theme, picks))
    return chosen


def _themes(scored: Sequence[Scored], taste: Taste) -> list[Theme]:
    """What a bundle may be about; titles are written later, from the events each theme ends up with."""
    # Something named outright anchors the first bundle, built around it.
    themes = [Theme('named', lambda s: True, bonus=10.0)] if any(s.named for s in scored) else []
    themes += [Theme(f'tag:{tag}', lambda s, tag=tag: tag in s.tag_hits, bonus=1.15) for tag in taste.wanted_tags]
    genre_counts = Counter(g for s in scored for g in s.genre_hits)
    for genre, _count in sorted(genre_counts.items(), key=lambda item: (-item[1], item[0]))[:6]:
        bonus = 1.1 if genre in taste.named_genres else 1.0
        themes.append(
            Theme(f'genre:{genre}', lambda s, genre=genre: genre in s.event.tags or genre in s.genre_hits, bonus)
        )
    if taste.free or taste.cheap:
        themes.append(Theme('price:free', lambda s: bool(s.event.price) and s.event.price.max == 0))
    for category in taste.interests:
        themes.append(Theme(f'category:{category}', lambda s, category=category: s.event.category == category))
    top_areas = Counter(s.event.neighborhood for s in scored[:30] if s.event.neighborhood)
    for area, _count in sorted(top_areas.items(), key=lambda item: (-item[1], item[0]))[:2]:
        themes.append(Theme(f'area:{area}', lambda s, area=area: s.event.neighborhood == area, bonus=0.9))
    themes.append(Theme('best', lambda s: True, bonus=0.85))
    return themes


def _best_theme(
    themes: Sequence[Theme],
    scored: Sequence[Scored],
    used: set[str],
    taste: Taste,
    size: int,
    rejected: Counter[str],
    span: timedelta,
) -> tuple[Theme, list[Scored]] | None:
    best: tuple[float, Theme, list[Scored]] | None = None
    for theme in themes:
        pool = [s for s in scored if s.event.event_id not in used and theme.accepts(s)]
        # The named theme is built around a named event: each of them in turn is the anchor (one may clash
        # with everything or cost too much to pair, another of the same name on another day may not).
        anchors = [i for i, s in enumerate(pool) if s.named][:NAMED_ANCHORS] if theme.key == 'named' else None
        picks = _itinerary(pool, taste, size, rejected, span, anchors=anchors)
        if len(picks) < MIN_EVENTS:
            continue
        value = sum(p.score for p in picks) * theme.bonus
        # Strictly greater: on equal value the theme listed first (named by the person) wins.
        if best is None or value > best[0] + 1e-9:
            best = (value, theme, picks)
    return None if best is None else (best[1], best[2])


def _bundle_size(scored: Sequence[Scored]) -> int:
    """Events per bundle, so the strong matches are shared out instead of the first bundle taking them all."""
    strong = [s for s in scored if s.genre_hits or s.tag_hits] or list(scored)
    return max(MIN_EVENTS, min(MAX_EVENTS, len(strong) // TARGET_BUNDLES))


def max_span(window: TimeWindow) -> timedelta:
    """How far apart one bundle's events may start: a weekend, or up to a week of evenings when the
    timeframe is longer (two shows on two evenings of one week make a plan too)."""
    return max(MAX_SPAN, min(window.end - window.start, MULTI_DAY_SPAN))


def _itinerary(
    pool: Sequence[Scored],
    taste: Taste,
    size: int,
    rejected: Counter[str],
    span: timedelta = MAX_SPAN,
    *,
    anchors: Sequence[int] | None = None,
) -> list[Scored]:
    """The strongest set of compatible events: anchored on the best one, or on a later one when the best
    leaves too little room (events spread one per day cannot all sit within one weekend of it); when no
    anchor finds a partner, the best pair of all; and when even that fails, with a lower quality floor.
    `anchors` (indexes into the pool) limits the anchors, and the pair, to those events.

    Every candidate left out is counted in `rejected` under its reason (see advice.REJECTIONS)."""
    if len(pool) < MIN_EVENTS or anchors == []:
        return []
    # The floor follows the best event on its own merits: a named event's bonus must not make the rest weak.
    top = max(s.score - NAMED_BONUS.get(s.named, 0.0) for s in pool[:12])
    tries = list(anchors) if anchors is not None else list(range(min(len(pool), ANCHOR_TRIES)))
    for share in FLOOR_STEPS:
        floor = share * top if top > 0 and share > 0 else float('-inf')
        best: list[Scored] = []
        for anchor in tries:
            picks = _greedy(pool, taste, size, [pool[anchor]], rejected, span, floor)
            if len(picks) > len(best) or (len(picks) == len(best) and _value(picks) > _value(best)):
                best = picks
            if len(best) == size:
                break
        if len(best) < MIN_EVENTS:
            # Every anchor tried clashes with its neighbours (one evening of shows all starting at 19:30) or
            # pairs only over the budget: look at every pair instead, then fill around the best one.
            must = {pool[i].event.event_id for i in anchors} if anchors is not None else None
            pair = _best_pair(pool, taste.budget, span, floor, must)
            best = _greedy(pool, taste, size, pair, rejected, span, floor) if pair else []
        if len(best) >= MIN_EVENTS:
            return sorted(best, key=lambda s: (s.event.starts_at, s.event.event_id))
    return []


def _greedy(
    pool: Sequence[Scored],
    taste: Taste,
    size: int,
    start: Sequence[Scored],
    rejected: Counter[str],
    span: timedelta = MAX_SPAN,
    floor: float = float('-inf'),
) -> list[Scored]:
    """Anchored on one strong event (or a pair already known to fit), then best-first around it: events
    that fit between the ones already chosen, the budget and the span; a near one beats a slightly better one
    across town (compact plans).

    An event much weaker than the theme's best (under `floor`) is left out rather than used as filler. A plan
    takes each recurring night once (not "Bar DJs" at one bar on three evenings) unless that leaves it short.
    """
    varied = _fill(pool, taste, size, start, Counter(), span, floor, series_once=True)
    if len(varied) == size:
        return varied
    plain = _fill(pool, taste, size, start, rejected, span, floor, series_once=False)
    return varied if len(varied) >= len(plain) else plain


def _fill(
    pool: Sequence[Scored],
    taste: Taste,
    size: int,
    start: Sequence[Scored],
    rejected: Counter[str],
    span: timedelta,
    floor: float,
    *,
    series_once: bool,
) -> list[Scored]:
    chosen: list[Scored] = []
    series: set[tuple[str, str]] = set()
    cost = 0.0
    first = start[0]
    taken = {s.event.event_id for s in start}
    rest = sorted(
        (s for s in pool if s.event.event_id not in taken), key=lambda s: -(s.score - _hop_cost(first.event, s.event))
    )
    for candidate in [*start, *rest]:
        if series_once and chosen and series_of(candidate.event) in series:
            continue
        price = _price(candidate.event)
        reason = _rejection(candidate, chosen, cost + price, floor, taste.budget, span)
        if reason:
            rejected[reason] += 1
            continue
        chosen.append(candidate)
        series.add(series_of(candidate.event))
        cost += price
        if len(chosen) == size:
            break
    return chosen


def _best_pair(
    pool: Sequence[Scored], budget: float | None, span: timedelta, floor: float, must: set[str] | None
) -> list[Scored]:
    """The two compatible events worth most together (no clash with the way there, within the span and the
    budget, neither under the floor; one of `must` when given), or [] when no two fit."""
    ordered = sorted((s for s in pool[:PAIR_POOL] if s.score >= floor), key=lambda s: s.event.starts_at)
    best: list[Scored] = []
    best_value = float('-inf')
    for i, first in enumerate(ordered):
        for second in ordered[i + 1 :]:
            if second.event.starts_at - first.event.starts_at > span:
                break  # in start order: every later one is further still
            if second.event.starts_at < first.event.ends_at:
                continue  # overlaps outright: no need to estimate the way there
            if must is not None and first.event.event_id not in must and second.event.event_id not in must:
                continue
            if budget is not None and _price(first.event) + _price(second.event) > budget:
                continue
            if _clash(first.event, second.event):
                continue
            value = _value([first, second])
            if value > best_value + 1e-9:
                best, best_value = [first, second], value
    # The stronger one first: it is the anchor the rest of the bundle is built around.
    return sorted(best, key=lambda s: -s.score)


def series_of(event: EventPublic) -> tuple[str, str]:
    """A recurring night: its venue and the title before any colon ("Bar DJs: Duo Spree" -> "bar djs")."""
    return event.venue, event.title.split(':')[0].strip().lower()


def _price(event: EventPublic) -> float:
    return event.price.max if event.price else 0.0


def _hop_cost(anchor: EventPublic, other: EventPublic) -> float:
    """What a hop from the anchor costs in score, when the two are one outing (same evening)."""
    if abs(other.starts_at - anchor.starts_at) > timedelta(hours=10):
        return 0.0
    travel = estimate_travel(anchor.lat, anchor.lon, other.lat, other.lon)
    return 0.0 if travel is None else HOP_COST_PER_MIN * travel.minutes


def _rejection(
    candidate: Scored,
    chosen: Sequence[Scored],
    cost: float,
    floor: float,
    budget: float | None,
    span: timedelta = MAX_SPAN,
) -> str | None:
    """Why the candidate cannot join the picks (one of advice.REJECTIONS), or None when it can."""
    if candidate.score < floor:
        return 'weak'
    # Time first: a higher budget would not help an event that cannot be reached anyway.
    if any(_clash(candidate.event, c.event) for c in chosen):
        return 'overlap'
    if chosen and _span([*(c.event for c in chosen), candidate.event]) > span:
        return 'span'
    if budget is not None and cost > budget:
        return 'budget'
    return None


def _value(picks: Sequence[Scored]) -> float:
    """The picks' scores, less a little for every hour spent waiting between two steps of one outing."""
    ordered = sorted(picks, key=lambda p: p.event.starts_at)
    idle = timedelta(0)
    for earlier, later in itertools.pairwise(ordered):
        wait = later.event.starts_at - earlier.event.ends_at - travel_gap(earlier.event, later.event)
        if IDLE_OK < wait < timedelta(hours=10):  # longer: another day, not a wait
            idle += wait - IDLE_OK
    hops = [_hop_cost(a.event, b.event) for a, b in itertools.pairwise(ordered)]
    travel = sum(hops) + max(hops, default=0.0)  # total travel and the longest hop
    return sum(p.score for p in picks) - IDLE_COST_PER_HOUR * idle.total_seconds() / 3600 - travel


def travel_gap(a: EventPublic, b: EventPublic) -> timedelta:
    """How long to allow between two events: the travel estimate where both venues have a position (the one
    the validator checks); otherwise nothing inside one venue, a short walk inside one neighbourhood.
    """
    travel = estimate_travel(a.lat, a.lon, b.lat, b.lon)
    if travel is not None:
        return timedelta(minutes=travel.minutes)
    if a.venue == b.venue and a.neighborhood == b.neighborhood:
        return SAME_VENUE_GAP
    if a.neighborhood and a.neighborhood == b.neighborhood:
        return NEARBY_GAP
    return TRAVEL_GAP


def _clash(a: EventPublic, b: EventPublic) -> bool:
    gap = travel_gap(a, b)
    return a.starts_at < b.ends_at + gap and b.starts_at < a.ends_at + gap


def _span(events: Sequence[EventPublic]) -> timedelta:
    starts = [e.starts_at for e in events]
    return max(starts) - min(starts)
