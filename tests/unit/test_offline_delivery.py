"""Issue 10 planner behaviours, each on a small hand-made catalog: a named event anchors a bundle, a long
timeframe makes plans of several evenings, and a near event beats a slightly better one across town."""

from datetime import UTC, datetime, timedelta

from models.catalog import EventPublic
from models.generation import Preferences, TimeWindow
from services.planners.offline.itinerary import build_plan
from services.planners.offline.scoring import score_events
from services.planners.offline.taste import read_taste

START = datetime(2025, 12, 3, 18, tzinfo=UTC)
MITTE, SPANDAU = (52.525, 13.402), (52.536, 13.2)


def event(n: int, title: str, day: int, hour: int, where=MITTE, category: str = 'film') -> EventPublic:
    starts = START + timedelta(days=day, hours=hour - 18)
    return EventPublic(
        event_id=f'e{n}', title=title, description='A film worth seeing on a big screen.', category=category,
        tags=[], starts_at=starts, ends_at=starts + timedelta(hours=2), venue=f'Kino {n}', neighborhood='Mitte',
        venue_tags=[], price=None, url=f'u{n}', image_url='', status='scheduled', lat=where[0], lon=where[1],
    )  # fmt: skip


def plan(events: list[EventPublic], text: str | None = None, days: int = 7):
    prefs = Preferences(interests=['film'], timeframe='Next 7 days', other_preferences=text)
    taste = read_taste(prefs)
    window = TimeWindow(start=START - timedelta(hours=1), end=START + timedelta(days=days), timezone='UTC', label='x')
    return build_plan(score_events(events, taste), taste, window, city_name='Berlin')


def test_an_event_named_in_the_free_text_is_in_the_first_bundle() -> None:
    events = [event(i, f'Ordinary Film {i}', 0, 16 + 2 * (i % 3)) for i in range(9)]
    events.append(event(99, 'Zebra Lantern', 5, 20))
    result = plan(events, 'please include Zebra Lantern')
    assert 'e99' in [k.event_id for k in result.bundles[0].key_events]


def test_a_week_long_timeframe_makes_a_plan_of_several_evenings() -> None:
    # One show per evening, four evenings apart: no two fall within one weekend.
    events = [event(i, f'Show {i}', 4 * i, 20) for i in range(2)]
    result = plan(events, days=7)
    assert result.bundles and len(result.bundles[0].key_events) == 2


def test_a_near_event_beats_a_far_one_of_the_same_evening() -> None:
    events = [event(1, 'Anchor', 0, 16), event(2, 'Far', 0, 19, SPANDAU), event(3, 'Near', 0, 19)]
    result = plan(events)
    first = [k.title for k in result.bundles[0].key_events]
    assert first == ['Anchor', 'Near'], first
    assert 'in Mitte' in result.bundles[0].description  # says the plan stays in one area
