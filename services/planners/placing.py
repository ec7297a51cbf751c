"""Placing one new event in a plan that keeps its other stops (a swap, or the Swap picker's alternatives).

An event attended whole has one place: its own times. A drop-in (a market, an exhibition, an open air) can be
visited for any slot inside its run, so it is offered at the slots that meet the plan's other stops end to end
(right after one, plus the way over; right before the next), then at the planning core's coarse grid; those
nearest the replaced stop's time first, so a swap keeps the plan's rhythm. The validator decides which fits.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from models.catalog import EventPublic
from models.generation import KeyEvent
from models.geo import estimate_travel
from services.planning.slots import Limits, is_drop_in, slots_meeting, visits_of

Slot = tuple[datetime, datetime]


def placements(event: EventPublic, others: Sequence[KeyEvent], limits: Limits, *, near: datetime) -> list[Slot | None]:
    """The ways to visit `event` beside `others`: [None] (the whole event) unless it is a drop-in."""
    if not is_drop_in(event):
        return [None]
    stops = [(k.attended_from, k.attended_until, _way(k, event)) for k in others]
    options = slots_meeting(event, limits, stops) + [(v.start, v.end) for v in visits_of(0, event, limits)]
    return sorted(set(options), key=lambda slot: (abs((slot[0] - near).total_seconds()), slot[0]))


def placements_instead(
    event: EventPublic, stops: Sequence[KeyEvent], replaced_id: str, limits: Limits, *, default: datetime
) -> list[Slot | None]:
    """`placements` of `event` in the place of stop `replaced_id` of `stops` (nearest when that stop was
    attended; `default` when it is not one of them): a swap, a picker's alternative, or a drop-in moved."""
    others = [k for k in stops if k.event_id != replaced_id]
    near = next((k.attended_from for k in stops if k.event_id == replaced_id), default)
    return placements(event, others, limits, near=near)


def _way(stop: KeyEvent, event: EventPublic) -> timedelta:
    travel = estimate_travel(stop.lat, stop.lon, event.lat, event.lon)
    return timedelta(minutes=travel.minutes if travel else 0)
