"""Issue 10 planner behaviours, each on a small hand-made catalog: a named event anchors a bundle, a long
timeframe makes plans of several evenings, a near event beats a slightly better one across town; and the
search does not give up early: every named event is tried as the anchor, every pair is tried when no anchor
finds a partner, smaller bundles are made when bigger ones would leave too few events for the rest."""

from datetime import UTC, datetime, timedelta

from models.catalog import EventPublic, Price
from models.generation import Preferences, TimeWindow
from services.planners.offline.itinerary import build_plan
from services.planners.offline.scoring import score_events
from services.planners.offline.taste import read_taste

START = datetime(2025, 12, 3, 18, tzinfo=UTC)
MITTE, SPANDAU = (52.525, 13.402), (52.536, 13.2)


def event(
    n: int, title: str, day: int, hour: int, where=MITTE, category: str = 'film', price: float | None = None
) -> EventPublic:
    starts = START + timedelta(days=day, hours=hour - 18)
    return EventPublic(
        event_id=f'e{n}', title=title, description='A film worth seeing on a big screen.', category=category,
        tags=[], starts_at=starts, ends_at=starts + timedelta(hours=2), venue=f'Kino {n}', neighborhood='Mitte',
        venue_tags=[], price=None if price is None else Price(min=price, max=price, currency='EUR'),
        url=f'u{n}', image_url='', status='scheduled', lat=where[0], lon=where[1],
    )  # fmt: skip


def plan(events: list[EventPublic], text: str | None = None, days: int = 7, budget: float | None = None):
    prefs = Preferences(interests=['film'], timeframe='Next 7 days', other_preferences=text, budget=budget)
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


def test_every_event_of_the_named_title_is_tried_as_the_anchor() -> None:
    # The first "Zebra Lantern" costs too much to go with anything within the budget; the second does not.
    events = [event(1, 'Zebra Lantern', 0, 18, price=30), event(2, 'Zebra Lantern', 1, 20, price=10)]
    events += [event(10 + i, f'Ordinary Film {i}', 1, 14 + 2 * i, price=10) for i in range(2)]
    result = plan(events, 'please include Zebra Lantern', budget=35)
    assert 'e2' in [k.event_id for k in result.bundles[0].key_events]


def test_every_pair_is_tried_when_no_anchor_finds_a_partner() -> None:
    # The first seven (in start order, all as good) clash with each other and are too dear for the budget with
    # anything else; two cheap shows the next day still make a plan.
    events = [event(i, f'Premiere {i}', 0, 19, price=34) for i in range(7)]
    events += [event(20, 'Cheap early', 1, 17, price=10), event(21, 'Cheap late', 1, 20, price=10)]
    result = plan(events, budget=40)
    assert [[k.title for k in b.key_events] for b in result.bundles] == [['Cheap early', 'Cheap late']]


def test_smaller_bundles_when_big_ones_leave_too_few_events_for_more_plans() -> None:
    # One evening: one show at 16:00, seven at 19:00, one at 22:00. A bundle of three takes 16:00 and 22:00
    # and leaves nothing that fits together; two bundles of two are two plans.
    events = [event(1, 'Early', 0, 16)] + [event(10 + i, f'Evening {i}', 0, 19) for i in range(7)]
    events.append(event(2, 'Late', 0, 22))
    result = plan(events, days=1)
    assert len(result.bundles) == 2, [[k.title for k in b.key_events] for b in result.bundles]


def test_a_genre_named_inside_a_sentence_is_a_named_genre() -> None:
    taste = read_taste(
        Preferences(interests=['music'], timeframe='Tonight', other_preferences='I would love some hip hop')
    )
    assert taste.named_genres == ('hip-hop',)
    taste = read_taste(Preferences(interests=['music'], timeframe='Tonight', other_preferences='drum and bass tonight'))
    assert taste.named_genres == ('drum-and-bass',)


def test_a_plan_takes_each_recurring_night_once_when_others_fit() -> None:
    # A nightly club at one cinema and an early film elsewhere each evening: a plan of several evenings holds
    # the club once and fills the other evenings with other films (without the rule: the club twice).
    club = [event(i, f'Film Club: Part {i}', i, 22).model_copy(update={'venue': 'Kino Club'}) for i in range(6)]
    others = [event(10 + i, f'Early Show {i}', i, 18) for i in range(6)]
    result = plan([*club, *others])
    titles = [k.title for k in result.bundles[0].key_events]
    assert len(titles) >= 3 and sum(t.startswith('Film Club') for t in titles) <= 1, titles
