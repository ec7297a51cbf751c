"""Whether a venue position a source gives can be believed for the city being imported.

The city's centre is the median of the positions its venues already have; a city without any takes the
median of the import's own positions, turned the right way round by the city's time zone (its UTC offset
times 15 degrees is roughly its longitude), so a feed that writes every GEO as lon;lat (Last.fm) is still
caught. Then, per event: within FAR_KM of the centre it is believed; written the other way round it would be,
so it is flagged as swapped and not mapped (the event is kept); otherwise the event is in another city (an
artist page listing a tour) and is skipped as "not in <city>".
"""

import statistics
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from models.catalog import City, Venue
from models.geo import distance_m

FAR_KM = 100
MIN_POSITIONS_FOR_A_CENTRE = 3


@dataclass(frozen=True)
class Centre:
    lat: float
    lon: float


def city_centre(session: Session, city: City | None, zone: str, positions: list[tuple[float, float]]) -> Centre | None:
    """The point positions are checked against; None when there is too little to tell."""
    known: list[tuple[float, float]] = []
    if city is not None and city.id is not None:
        rows = session.exec(
            select(Venue.lat, Venue.lon).where(Venue.city_id == city.id, col(Venue.lat).is_not(None))
        ).all()
        known = [(lat, lon) for lat, lon in rows if lat is not None and lon is not None]
    if known:
        return _median(known)
    if len(positions) < MIN_POSITIONS_FOR_A_CENTRE:
        return None
    centre = _median(positions)
    expected_lon = ZoneInfo(zone).utcoffset(datetime(2025, 1, 15)).total_seconds() / 3600 * 15
    if abs(centre.lat - expected_lon) + 10 < abs(centre.lon - expected_lon) and -90 <= centre.lon <= 90:
        return Centre(lat=centre.lon, lon=centre.lat)  # the feed writes lon;lat
    return centre


def judge(position: tuple[float, float], centre: Centre | None) -> tuple[Literal['ok', 'swapped', 'far'], float]:
    """'ok', 'swapped' (right only the other way round) or 'far', and the distance in km as written."""
    if centre is None:
        return 'ok', 0.0
    lat, lon = position
    km = distance_m(lat, lon, centre.lat, centre.lon) / 1000
    if km <= FAR_KM:
        return 'ok', km
    if -90 <= lon <= 90 and distance_m(lon, lat, centre.lat, centre.lon) / 1000 <= FAR_KM:
        return 'swapped', km
    return 'far', km


def _median(points: list[tuple[float, float]]) -> Centre:
    return Centre(lat=statistics.median(p[0] for p in points), lon=statistics.median(p[1] for p in points))
