"""The one travel estimate on known distances, and the offline planner never sending anyone on an impossible hop."""

import asyncio
import itertools
import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlmodel import Session

from models import geo
from models.catalog import CATEGORIES, Price
from models.db import session_scope
from models.generation import Bundle, KeyEvent, Preferences
from services.catalog.demo import refresh_demo_catalog
from services.planners.base import PlannerError, PlanRequest
from services.planners.grounding import check_bundles
from services.planners.offline import OfflinePlanner
from services.timeframes import resolve_window

NOW = datetime(2025, 12, 3, 11, 0, tzinfo=UTC)  # a Wednesday
ORIGIN = (52.5000, 13.4000)
# One degree of latitude is 111.195 km on the haversine sphere: offsets along a meridian give exact distances.
METERS_PER_DEGREE = geo.EARTH_RADIUS_M * math.pi / 180


def north_of(origin: tuple[float, float], meters: float) -> tuple[float, float]:
    return origin[0] + meters / METERS_PER_DEGREE, origin[1]


def travel(meters: float) -> geo.Travel:
    return geo.estimate_travel(*ORIGIN, *north_of(ORIGIN, meters))


# --- The estimate ------------------------------------------------------------------------------


def test_distance_along_a_meridian_is_exact() -> None:
    assert geo.distance_m(*ORIGIN, *north_of(ORIGIN, 1000)) == pytest.approx(1000, abs=0.01)


def test_one_kilometre_is_walked_at_the_documented_pace() -> None:
    hop = travel(1000)
    assert hop.mode == 'walk' and hop.meters == 1000
    # 1 km x 1.3 detour / 75 m per min = 17.3 -> 18 min (rounded up: never late)
    assert hop.minutes == math.ceil(1000 * geo.DETOUR_FACTOR / geo.WALK_M_PER_MIN) == 18
    assert geo.describe_travel(hop) == '18 min walk'


def test_five_kilometres_take_transit_with_its_overhead() -> None:
    hop = travel(5000)
    assert hop.mode == 'transit' and hop.meters == 5000
    # 5 km x 1.3 / 330 m per min = 19.7 min riding + 10 min to and from the stops and waiting -> 30 min
    ride = 5000 * geo.DETOUR_FACTOR / geo.TRANSIT_M_PER_MIN
    assert hop.minutes == math.ceil(ride + geo.TRANSIT_OVERHEAD_MIN) == 30
    assert geo.describe_travel(hop) == '30 min by transit'


def test_walking_ends_where_the_documented_limit_is() -> None:
    assert travel(geo.MAX_WALK_M - 1).mode == 'walk'
    assert travel(geo.MAX_WALK_M + 1).mode == 'transit'
    # the first ride costs the whole overhead of getting to and from the stops
    assert travel(geo.MAX_WALK_M + 1).minutes > geo.TRANSIT_OVERHEAD_MIN


def test_same_place_and_next_door() -> None:
    assert geo.describe_travel(travel(0)) == 'same place'
    assert geo.describe_travel(travel(30)) == 'next door'


@pytest.mark.parametrize('unknown', [0, 1, 2, 3])
def test_an_unknown_position_gives_no_estimate(unknown: int) -> None:
    coordinates: list[float | None] = [*ORIGIN, *north_of(ORIGIN, 500)]
    coordinates[unknown] = None
    assert geo.estimate_travel(*coordinates) is None


def test_a_bundle_carries_the_estimate_between_its_stops() -> None:
    start = datetime(2025, 12, 5, 19, tzinfo=UTC)

    def stop(name: str, position: tuple[float, float] | None, hours: int) -> KeyEvent:
        lat, lon = position or (None, None)
        at = start + timedelta(hours=hours)
        return KeyEvent(
            event_id=name, title=name, starts_at=at, ends_at=at + timedelta(hours=1), venue=name,
            neighborhood='', price=Price(min=0, max=0, currency='EUR'), category='music', tags=[], url='', why='',
            lat=lat, lon=lon,
        )  # fmt: skip

    bundle = Bundle(
        title='t',
        description='d',
        key_events=[stop('a', ORIGIN, 0), stop('b', north_of(ORIGIN, 1000), 2), stop('c', None, 4)],
        estimated_cost=None,
    )
    assert [e.travel_from_previous for e in bundle.key_events] == [None, travel(1000), None]


def test_no_hop_is_shown_from_one_day_to_the_next() -> None:
    """The person goes home after an outing: the next day's first stop has no travel from the day before."""
    evening = datetime(2025, 12, 5, 19, tzinfo=UTC)

    def stop(name: str, at: datetime) -> KeyEvent:
        return KeyEvent(
            event_id=name, title=name, starts_at=at, ends_at=at + timedelta(hours=1), venue=name, neighborhood='',
            price=None, category='music', tags=[], url='', why='', lat=north_of(ORIGIN, 1000 * len(name))[0],
            lon=ORIGIN[1],
        )  # fmt: skip

    stops = [stop('a', evening), stop('bb', evening + timedelta(hours=2)), stop('ccc', evening + timedelta(days=1))]
    bundle = Bundle(title='t', description='d', key_events=stops, estimated_cost=None)
    assert [e.travel_from_previous for e in bundle.key_events] == [None, travel(1000), None]


# --- The offline planner over the demo catalog -------------------------------------------------


@pytest.fixture
def demo(session: Session) -> None:
    refresh_demo_catalog(session=session, now=NOW)


def plan(preferences: dict, now: datetime) -> tuple[list[Bundle], PlanRequest]:
    prefs = Preferences.model_validate(preferences)
    window = resolve_window(prefs.timeframe, timezone='Europe/Berlin', now=now)
    request = PlanRequest(generation_id='g1', preferences=prefs, window=window, city='Berlin')
    return asyncio.run(OfflinePlanner().plan(request, _Quiet())), request


class _Quiet:
    async def report(self, message: str) -> None:
        pass

    async def save_state(self, state) -> None:
        pass

    async def save_wish(self, wish) -> None:
        pass

    async def add_usage(self, usage) -> None:
        pass

    async def add_bundle(self, bundle: Bundle) -> list[str]:
        return []  # the bundles it returns are checked below, with the validator and without


@hypothesis_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    interests=st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=4, unique=True),
    timeframe=st.sampled_from(['Tonight', 'Tomorrow', 'This weekend', 'Next 7 days', 'Next 30 days']),
    budget=st.one_of(st.none(), st.integers(min_value=0, max_value=150)),
    days_later=st.integers(min_value=0, max_value=6),
    hour=st.integers(min_value=0, max_value=23),
)
def test_the_offline_planner_never_delivers_an_unreachable_hop(
    demo, interests, timeframe, budget, days_later, hour
) -> None:
    preferences = {'interests': interests, 'timeframe': timeframe, 'budget': budget}
    assert_reachable(preferences, NOW.replace(hour=hour) + timedelta(days=days_later))


def test_a_broad_request_is_measured_hop_by_hop(demo) -> None:
    """The property above is not vacuous: a week of everything gives several bundles with measured hops."""
    hops = assert_reachable({'interests': ['music', 'nightlife', 'food', 'art'], 'timeframe': 'Next 7 days'}, NOW)
    assert len(hops) >= 3


def assert_reachable(preferences: dict, now: datetime) -> list[geo.Travel]:
    """Plans for `preferences` and checks every hop; returns the hops measured."""
    try:
        bundles, request = plan(preferences, now)
    except PlannerError:
        return []  # nothing to combine in a short window or on a tiny budget: nothing delivered either
    with session_scope() as session:
        budget = request.preferences.budget
        found = check_bundles(session=session, bundles=bundles, window=request.window, budget=budget)
    assert [v for v in found if v.code == 'unreachable'] == []
    # And checked here without the validator: every hop leaves the estimated travel time.
    hops = []
    for bundle in bundles:
        for earlier, later in itertools.pairwise(bundle.key_events):
            hop = geo.estimate_travel(earlier.lat, earlier.lon, later.lat, later.lon)
            assert hop is not None, f'demo venue of {later.title!r} has no position'
            # The card shows the hop within an outing; from one day's last stop to the next day's first, none.
            same_outing = later.attended_from - earlier.attended_until <= geo.SAME_OUTING
            assert later.travel_from_previous == (hop if same_outing else None)
            assert later.attended_from >= earlier.attended_until + timedelta(minutes=hop.minutes), bundle.title
            hops.append(hop)
    return hops
