"""Visits: when a plan is at an event. A short event is attended whole; an event longer than DROP_IN_AFTER
(an open air, a market, an exhibition day) is a drop-in, visited for a slot inside its run that the core
chooses, at least a sensible stay for its kind. Hard time-of-day wishes (daytime only, a curfew, evenings
only) cut what may be visited, so an open air running 14:00-23:00 still fits "nothing after 22:00".
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import NamedTuple
from zoneinfo import ZoneInfo

from models.catalog import EventPublic

DROP_IN_AFTER = timedelta(hours=3)
SLOT_STEP = timedelta(minutes=90)
MAX_SLOTS = 5
# How long a drop-in visit lasts at least: long enough to be worth the way there.
STAY = {'art': 90, 'markets': 90, 'food': 90, 'outdoors': 120, 'music': 150, 'nightlife': 120, 'sports': 120}
NIGHT_ENDS = time(3, 0)  # a drop-in's slot may run on to 03:00 the next morning
DEFAULT_STAY = 120
SEATED_KINDS = frozenset({'theatre', 'film', 'comedy', 'talks'})  # a performance is seen from its start
# A sit-down meal, a class or a seated concert is attended whole, however long (a 3.5-hour supper club is not
# dropped in on at 20:30); `paths` also keeps two of the meals at least MEALS_APART apart.
MEAL_TAGS = frozenset({'supper-club', 'dinner', 'tasting-menu', 'brunch', 'family-style', 'small-plates'})
SEATED_TAGS = MEAL_TAGS | {'cooking-class', 'seated', 'meditation', 'breathwork'}
MORNING = time(6, 0)  # a start before this belongs to the night before: past any evening curfew


@dataclass(frozen=True)
class Limits:
    """Hard time-of-day limits in the city's wall clock: nothing starts before `earliest`, everything ends by
    `latest` on the day it starts (None: no limit)."""

    timezone: str
    earliest: time | None = None
    latest: time | None = None

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Visit(NamedTuple):
    """One way to be at one event: the whole run, or a drop-in slot inside it (a tuple: one is made for every
    candidate of every plan)."""

    item: int  # index of the candidate it visits
    start: datetime
    end: datetime
    drop_in: bool
    cost: float = 0.0  # what its slot costs the plan (a drop-in in working hours: `plan_answer`'s slot_cost)


def is_drop_in(event: EventPublic) -> bool:
    """Long and not a night that runs into the morning (a club night is stayed at, the last stop of a plan), nor
    something sat through from its start: a play, a film, a show, a talk, a seated concert, a dinner, a class."""
    length = event.ends_at - event.starts_at
    if length <= DROP_IN_AFTER or event.category in SEATED_KINDS or not SEATED_TAGS.isdisjoint(event.tags):
        return False
    ends_late_next_day = event.ends_at.date() > event.starts_at.date() and event.ends_at.hour >= 3
    return length >= timedelta(hours=24) or not ends_late_next_day


def visits_of(item: int, event: EventPublic, limits: Limits) -> list[Visit]:
    """The visits a plan may make to `event` within the limits; [] when none keeps them."""
    if not is_drop_in(event):
        zone = limits.zone
        start, end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
        return [Visit(item, event.starts_at, event.ends_at, False)] if _within(start, end, limits) else []
    bounds = _drop_in_bounds(event, limits)
    if bounds is None:
        return []
    low, high, stay = bounds
    slots: list[Visit] = []
    moment = low
    while moment + stay <= high and len(slots) < MAX_SLOTS - 1:
        slots.append(Visit(item, moment, moment + stay, True))
        moment += SLOT_STEP
    if not slots or slots[-1].end < high:
        slots.append(Visit(item, high - stay, high, True))  # staying to the end (or to the curfew)
    return slots


def slots_meeting(
    event: EventPublic, limits: Limits, stops: Sequence[tuple[datetime, datetime, timedelta]]
) -> list[tuple[datetime, datetime]]:
    """Drop-in slots of `event` that meet a plan's other stops end to end: right after one (its end plus the way
    over) or right before one. `stops`: each stop's attended (start, end) and the way between it and `event`.
    The coarse grid of `visits_of` can miss the one gap a replacement has to fill; these cannot. [] for an event
    that is attended whole."""
    bounds = _drop_in_bounds(event, limits) if is_drop_in(event) else None
    if bounds is None:
        return []
    low, high, stay = bounds
    after = [(end + way, True) for _, end, way in stops]  # right after a stop: rounded up
    before = [(start - way - stay, False) for start, _, way in stops]  # right before one: rounded down

    def fits(start: datetime) -> bool:  # in the run and limits, clear of every stop with the way between
        end = start + stay
        return low <= start and end <= high and all(start >= e + w or end + w <= s for s, e, w in stops)

    chosen = (next((m for m in (_on_the_five(start, up=up), start) if fits(m)), None) for start, up in after + before)
    return [(start, start + stay) for start in sorted({start for start in chosen if start is not None})]


def _on_the_five(moment: datetime, *, up: bool) -> datetime:
    """`moment` on the five minutes, as a person says a time ("drop in 22:55", not 22:51); the exact moment is
    kept when the rounded one no longer fits (a gap just long enough)."""
    past = timedelta(minutes=moment.minute % 5, seconds=moment.second, microseconds=moment.microsecond)
    return moment if not past else moment - past + (timedelta(minutes=5) if up else timedelta(0))


def _drop_in_bounds(event: EventPublic, limits: Limits) -> tuple[datetime, datetime, timedelta] | None:
    """(earliest start, latest end, shortest stay) of a visit to a drop-in within the limits; None if none fits."""
    zone = limits.zone
    start, end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    day = start.date()
    low = max(start, _at(day, limits.earliest, zone)) if limits.earliest else start
    if limits.latest and low.time() < MORNING <= limits.latest:  # a curfew: no visit in the small hours
        low = _at(day, MORNING, zone)
    day_end = datetime.combine(day + timedelta(days=1), NIGHT_ENDS, zone)  # a bar night runs past midnight
    high = min(end, day_end, _at(day, limits.latest, zone)) if limits.latest else min(end, day_end)
    stay = min(timedelta(minutes=STAY.get(event.category, DEFAULT_STAY)), end - start)
    return (low, high, stay) if high - low >= stay else None


def _within(start: datetime, end: datetime, limits: Limits) -> bool:
    if limits.earliest and start.time() < limits.earliest:
        return False
    return limits.latest is None or ends_by(start, end, limits.latest)


def ends_by(start: datetime, end: datetime, latest: time) -> bool:
    """Over by `latest` on the evening it starts: a night running past midnight is not, nor one starting in the
    small hours (00:45 is the night before's, after "nothing after 22:00")."""
    if start.time() < MORNING <= latest:
        return False
    return end <= datetime.combine(start.date(), latest, start.tzinfo)


def _at(day: date, moment: time | None, zone: ZoneInfo) -> datetime:
    assert moment is not None
    return datetime.combine(day, moment, zone)
