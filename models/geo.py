"""The one travel estimate between two venues, used by the planners, the validator, the API and the pages.

No routing service: the straight-line distance times a detour factor (streets are not straight lines),
walked for short hops and by public transport, with a wait and the walks to and from the stops, beyond.
The constants are deliberately a little pessimistic: a plan that says 14 minutes should not make anyone late.
"""

import math
from datetime import timedelta
from typing import Literal

from models.base import CamelModel

TravelMode = Literal['walk', 'transit']


class Travel(CamelModel):
    """A hop between two venues as the API and the pages show it."""

    minutes: int
    meters: int  # the straight line between the two venues
    mode: TravelMode


EARTH_RADIUS_M = 6_371_000
DETOUR_FACTOR = 1.3  # street distance / straight line in a grid-and-river city like Berlin
WALK_M_PER_MIN = 75  # 4.5 km/h: a relaxed evening pace
MAX_WALK_M = 1_200  # straight-line metres (~21 min on foot); beyond, the U-/S-Bahn or tram is faster
TRANSIT_M_PER_MIN = 330  # ~20 km/h door-to-door speed of Berlin's U-Bahn, S-Bahn and trams, stops included
TRANSIT_OVERHEAD_MIN = 10  # walking to and from the stops plus the average wait
SAME_OUTING = timedelta(hours=6)  # a longer gap between two stops is going home in between: no hop, a new outing


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def estimate_travel(
    from_lat: float | None, from_lon: float | None, to_lat: float | None, to_lon: float | None
) -> Travel | None:
    """How long getting from one venue to the next takes; None when either position is unknown."""
    if from_lat is None or from_lon is None or to_lat is None or to_lon is None:
        return None
    meters = distance_m(from_lat, from_lon, to_lat, to_lon)
    if meters <= MAX_WALK_M:
        return Travel(minutes=math.ceil(meters * DETOUR_FACTOR / WALK_M_PER_MIN), meters=round(meters), mode='walk')
    ride = meters * DETOUR_FACTOR / TRANSIT_M_PER_MIN
    return Travel(minutes=math.ceil(ride + TRANSIT_OVERHEAD_MIN), meters=round(meters), mode='transit')


def describe_travel(travel: Travel) -> str:
    """'14 min walk', '25 min by transit', 'same place' for the cards and the planners' texts."""
    if travel.meters < 50:
        return 'same place' if travel.meters == 0 else 'next door'
    return f'{travel.minutes} min walk' if travel.mode == 'walk' else f'{travel.minutes} min by transit'
