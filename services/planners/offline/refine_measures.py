"""What a refinement asks for, as a measure and in words (services/planners/offline/refine.py uses them): which
kind an instruction is, how far a bundle is from it (lower is better), what the change did, and why it could not
be done.
"""

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from models.catalog import EventPublic
from models.generation import Bundle, Preferences
from models.geo import SAME_OUTING, estimate_travel
from services.planners.base import PlanRequest
from services.planners.offline.scoring import score_events
from services.planners.offline.taste import read_taste
from services.planning.hard import avoids
from services.planning.wish import read_wish
from services.text import isolate

MIN_EVENTS = 2
REFUSED_WEIGHT = 1e6  # a stop turned down by name outweighs any price, distance or hour
DAY_STARTS_HOUR = 6  # a night out runs past midnight: the day of "earlier" and "later" starts at 06:00
# Lower is better: (what was asked for, a tie-break keeping the person's taste). Only the first term may
# decide that a bundle follows the instruction; the second picks among those that do.
# The measure sees each drop-in's slot (`Visits`): moving a market visit from 15:00 to 11:00 is "earlier".
Visits = dict[str, tuple[datetime, datetime]]
Measure = Callable[[Sequence[EventPublic], Visits], tuple[float, float]]
WORDS = (
    ('cheaper', re.compile(r'\b(cheap|cheaper|less expensive|budget|save money|lower cost)\b')),
    ('closer together', re.compile(r'\b(closer|near|nearby|walk|walking|less travel|compact)\b')),
    ('earlier', re.compile(r'\b(earlier|early|morning|afternoon|before dark)\b')),
    ('later', re.compile(r'\b(later|late|night owl|after dark)\b')),
)


def kind_of(instruction: str) -> str | None:
    text = instruction.lower().strip()
    for kind, words in WORDS:
        if text == kind or words.search(text):
            return kind
    return None


def turned_down(instruction: str | None, pool: Sequence[EventPublic], areas: Sequence[str]) -> frozenset[str]:
    """The events a change turns down by name ("no Improhaus", "anything but Tresen Elf"): they leave the plan
    and none comes in, even a stop asked for by name before."""
    if not instruction:
        return frozenset()
    names = [name for e in pool for name in (e.title, e.venue)]
    said = read_wish(
        interests=(), music_profile=None, other_preferences=instruction, budget=None, areas=areas, names=names
    )
    if not said.avoid_names:
        return frozenset()
    keeps = avoids(replace(said, avoid_categories=frozenset(), avoid_tags=frozenset()))
    return frozenset(e.event_id for e in pool if not keeps(e))


def without(refused: frozenset[str], measure: Measure) -> Measure:
    """The measure, with each stop turned down counting more than any change of the rest can make up."""
    if not refused:
        return measure

    def measured(events: Sequence[EventPublic], visits: Visits) -> tuple[float, float]:
        first, second = measure(events, visits)
        return first + REFUSED_WEIGHT * sum(e.event_id in refused for e in events), second

    return measured


def measure_for(kind: str, *, taste_fit: dict[str, float]) -> Measure:
    def fit(events: Sequence[EventPublic]) -> float:
        return -sum(taste_fit.get(e.event_id, 0) for e in events)

    if kind == 'cheaper':
        # The most it may cost first (what a budget is about), then the least: cheaper means lower on both terms.
        return lambda events, _visits: (cost_of(events) + cost_of(events, 'min') * 1e-3, fit(events))
    if kind == 'closer together':
        return lambda events, visits: (travel_minutes(events, visits), fit(events))
    sign = 1 if kind == 'earlier' else -1
    return lambda events, visits: (sign * mean_start(events, visits), fit(events))


def instruction_fit(request: PlanRequest, instruction: str, pool: list[EventPublic]) -> dict[str, float]:
    """Free text: the wish read like the "other preferences" field, as a score per event."""
    return {s.event.event_id: s.score for s in score_events(pool, read_taste(with_instruction(request, instruction)))}


def with_instruction(request: PlanRequest, instruction: str) -> Preferences:
    return request.preferences.model_copy(update={'other_preferences': instruction})


def taste_measure(fit: dict[str, float]) -> Measure:
    """Better means a closer match to the free-text wish, on average per stop."""
    return lambda events, _visits: (-sum(fit.get(e.event_id, 0) for e in events) / max(1, len(events)), 0.0)


def cost_of(events: Sequence[EventPublic], end: str = 'max') -> float:
    return sum(getattr(e.price, end) for e in events if e.price is not None)


def travel_minutes(events: Sequence[EventPublic], visits: Visits) -> float:
    """Minutes on the way between the stops of each outing, what a person feels (a shorter distance can take
    longer: a walk just too long for walking becomes a ride); from one day's last stop to the next day's first
    the person goes home, no hop."""

    def attended(event: EventPublic) -> tuple[datetime, datetime]:
        return visits.get(event.event_id) or (event.starts_at, event.ends_at)

    hops = (
        estimate_travel(a.lat, a.lon, b.lat, b.lon)
        for a, b in itertools.pairwise(sorted(events, key=lambda e: attended(e)[0]))
        if attended(b)[0] - attended(a)[1] <= SAME_OUTING
    )
    return sum(hop.minutes for hop in hops if hop is not None)


def mean_start(events: Sequence[EventPublic], visits: Visits) -> float:
    """Seconds into the night-life day (06:00 to 06:00, local) of when each stop is attended (a drop-in: its
    slot): "earlier" means earlier in the day, not an earlier date; a 01:00 start is later than a 23:00 one."""
    starts = [visits[e.event_id][0] if e.event_id in visits else e.starts_at for e in events]
    return sum(day_seconds(start) for start in starts) / max(1, len(starts))


def day_seconds(moment: datetime) -> float:
    return ((moment.hour - DAY_STARTS_HOUR) % 24) * 3600 + moment.minute * 60 + moment.second


def summary(
    kind: str | None,
    instruction: str,
    before: tuple[list[EventPublic], Visits],
    after: tuple[list[EventPublic], Visits],
    target: Bundle,
) -> str:
    (old, old_visits), (new, new_visits) = before, after
    dropped = [isolate(e.title) for e in old if e not in new]
    added = [isolate(e.title) for e in new if e not in old]
    moved = [e for e in new if e in old and new_visits.get(e.event_id) != old_visits.get(e.event_id)]
    if added:
        change = f'swapped {", ".join(dropped)} for {", ".join(added)}'
    elif dropped:
        change = f'left out {", ".join(dropped)}'
    else:
        change = '; '.join(_moved(e, new_visits[e.event_id]) for e in moved if e.event_id in new_visits)
    if kind == 'cheaper':
        detail = f' (at most {cost_of(new):g} {_currency(target)} now, {cost_of(old):g} before)'
    elif kind == 'closer together':
        before, after = travel_minutes(old, old_visits), travel_minutes(new, new_visits)
        detail = f' (travel down from {before:.0f} to {after:.0f} minutes)'
    elif kind in ('earlier', 'later'):
        minutes = abs(mean_start(new, new_visits) - mean_start(old, old_visits)) / 60
        detail = f' (starting {minutes:.0f} minutes {kind} on average)'
    else:
        detail = ''
    wish = kind or f'"{isolate(instruction)}"'
    return f'Changed to be {wish}: {change}{detail}.' if kind else f'Following {wish}: {change}{detail}.'


def _moved(event: EventPublic, slot: tuple[datetime, datetime]) -> str:
    """'drop in at Lichterhof Christmas Market 10:00-11:30 instead', in the event's own clock."""
    zone = event.starts_at.tzinfo
    start, end = slot[0].astimezone(zone), slot[1].astimezone(zone)
    return f'drop in at {isolate(event.title)} {start:%H:%M}-{end:%H:%M} instead'


def cannot(kind: str | None, instruction: str, target: Bundle) -> str:
    if kind == 'cheaper':
        return (
            f'"{isolate(target.title)}" cannot be made cheaper: no cheaper event to your taste fits its times and '
            f'rules, and it needs at least {MIN_EVENTS} events.'
        )
    if kind == 'closer together' and not target.has_rides:
        return (
            f'"{isolate(target.title)}" has no travel between stops to cut: its stops are hours or days apart, and you '
            'go home in between.'
        )
    if kind == 'closer together':
        return (
            f'"{isolate(target.title)}" cannot be made closer together: no nearer event to your taste fits its times '
            'and rules.'
        )
    if kind in ('earlier', 'later'):
        return f'No {kind} events to your taste fit "{isolate(target.title)}" within your dates and its rules.'
    wish, title = isolate(instruction), isolate(target.title)
    return f'Nothing in the catalog follows "{wish}" better than "{title}" already does.'


def _currency(target: Bundle) -> str:
    return target.estimated_cost.currency if target.estimated_cost else ''
