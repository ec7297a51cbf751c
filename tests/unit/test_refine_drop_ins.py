"""Refining plans with drop-ins (a market, an exhibition): a drop-in swapped in takes a slot of its run that fits
between the plan's other stops (a swap the planner picks, one the person picked, the Swap picker's placements),
and "earlier" or "later" can move a drop-in's visit inside its run."""

from datetime import UTC, datetime, timedelta

from models.catalog import EventPublic, Price
from models.generation import Bundle, Preferences, TimeWindow
from models.geo import estimate_travel
from services.planners.base import PlanRequest, Refinement
from services.planners.grounding import estimate_cost, find_violations, key_event_from
from services.planners.offline.refine import _refine
from services.planners.placing import placements
from services.planning.slots import Limits

DAY = datetime(2026, 12, 5, tzinfo=UTC)  # a Saturday; the city's clock is UTC here
WINDOW = TimeWindow(start=DAY, end=DAY + timedelta(days=1), timezone='UTC', label='Sat 5 Dec')
MITTE, NEXT_DOOR = (52.525, 13.402), (52.526, 13.403)


def event(n: int, title: str, start: float, hours: float, *, where=MITTE) -> EventPublic:
    starts = DAY + timedelta(hours=start)
    return EventPublic(
        event_id=f'e{n}', title=title, description='', category='markets', tags=[], starts_at=starts,
        ends_at=starts + timedelta(hours=hours), venue=f'Venue {n}', neighborhood='Mitte', venue_tags=[],
        price=Price(min=0, max=0, currency='EUR'), url=f'https://tickets.test/{n}', image_url='',
        status='scheduled', lat=where[0], lon=where[1],
    )  # fmt: skip


# A plan: the old market visited 11:00-12:30, a craft workshop 13:00-14:30. The new market runs 09:00-20:00:
# attended whole it clashes with the workshop; visited 11:00-12:30 (or before the workshop) it fits.
OLD_MARKET = event(1, 'Old Town Market', 9, 11)
WORKSHOP = event(2, 'Craft Workshop', 13, 1.5, where=NEXT_DOOR)
NEW_MARKET = event(3, 'Harbour Market', 9, 11, where=NEXT_DOOR)
POOL = [OLD_MARKET, WORKSHOP, NEW_MARKET]


def plan() -> Bundle:
    stops = [
        key_event_from(OLD_MARKET, 'stalls', visit=(DAY + timedelta(hours=11), DAY + timedelta(hours=12.5))),
        key_event_from(WORKSHOP, 'make something'),
    ]
    return Bundle(title='Market Day', description='', key_events=stops, estimated_cost=estimate_cost(POOL[:2]))


def swap(**pick) -> Bundle:
    return refined(plan(), POOL, replace_event_id=OLD_MARKET.event_id, **pick)


def refined(bundle: Bundle, pool: list[EventPublic], *, window: TimeWindow = WINDOW, **change) -> Bundle:
    preferences = Preferences(interests=['markets'], timeframe='This weekend')
    refinement = Refinement(bundles=[bundle], bundle_index=0, **change)
    request = PlanRequest('g1', preferences, window, 'Berlin', refinement=refinement)
    return _refine(request, refinement, pool)


def assert_valid(bundle: Bundle) -> None:
    lookup = {e.event_id: e for e in POOL}.get
    assert find_violations([bundle], window=WINDOW, budget=None, lookup=lookup, min_events=2) == []


def test_a_drop_in_swapped_in_takes_a_slot_that_fits_between_the_other_stops() -> None:
    swapped = swap()
    new, workshop = swapped.key_events
    assert (new.title, workshop.title) == ('Harbour Market', 'Craft Workshop')
    assert new.visit_start is not None and new.visit_end is not None
    assert new.visit_end <= workshop.starts_at  # before the workshop, not the whole 09:00-20:00 run
    assert_valid(swapped)


def test_a_picked_drop_in_is_swapped_in_at_a_slot_too() -> None:
    swapped = swap(replacement_event_id=NEW_MARKET.event_id)
    assert swapped.key_events[0].event_id == NEW_MARKET.event_id
    assert swapped.key_events[0].visit_start is not None
    assert_valid(swapped)


def test_placements_meet_the_other_stops_and_start_nearest_the_replaced_stop() -> None:
    workshop = plan().key_events[1]
    near = DAY + timedelta(hours=11)
    slots = placements(NEW_MARKET, [workshop], Limits('UTC'), near=near)
    # Right before the workshop and right after it (the same courtyard: no way to go) are both offered.
    assert any(slot and slot[1] == workshop.starts_at for slot in slots)
    assert any(slot and slot[0] == workshop.ends_at for slot in slots)
    assert abs(slots[0][0] - near) <= timedelta(minutes=30)  # first, where the old market's visit was
    assert placements(WORKSHOP, [], Limits('UTC'), near=near) == [None]  # a short event: attended whole


def test_a_slot_that_meets_a_stop_across_town_starts_on_the_five_minutes() -> None:
    # "Drop in 14:40", not 14:37: the way there from a workshop a few streets away is rounded up after it
    # (and down before it), so the slot still meets the stop with the whole way in between.
    away = event(4, 'Print Workshop', 13, 1.5, where=(52.531, 13.421))
    stop = key_event_from(away, 'print')
    way = timedelta(minutes=estimate_travel(*MITTE, away.lat, away.lon).minutes)
    assert way.total_seconds() % 300  # the way itself is not on the five minutes
    slots = [slot for slot in placements(OLD_MARKET, [stop], Limits('UTC'), near=DAY) if slot]
    after = [s for s in slots if s[0] >= stop.ends_at]
    before = [s for s in slots if s[1] <= stop.starts_at]
    assert min(s[0] for s in after) - stop.ends_at - way < timedelta(minutes=5) and after and before
    assert all(s[0] - stop.ends_at >= way for s in after) and all(stop.starts_at - s[1] >= way for s in before)
    assert all(s[0].minute % 5 == 0 and s[0].second == 0 for s in slots)


def test_a_gap_just_long_enough_keeps_its_exact_slot() -> None:
    # Between a workshop ending 12:00 and a talk starting exactly a visit and two ways later, only the exact
    # slot fits: rounding either end to the five minutes would clash, so the exact one is offered.
    where = (52.531, 13.421)
    way = timedelta(minutes=estimate_travel(*MITTE, *where).minutes)
    first = key_event_from(event(5, 'Print Workshop', 10.5, 1.5, where=where), 'print')
    talk_at = (DAY + timedelta(hours=12) + way + timedelta(minutes=90) + way - DAY).total_seconds() / 3600
    second = key_event_from(event(6, 'Artist Talk', talk_at, 1, where=where), 'talk')
    slots = [slot for slot in placements(OLD_MARKET, [first, second], Limits('UTC'), near=DAY) if slot]
    between = [s for s in slots if s[0] >= first.ends_at + way and s[1] + way <= second.starts_at]
    assert between == [(first.ends_at + way, second.starts_at - way)]


def test_earlier_moves_a_drop_in_visit_inside_its_run_when_no_other_event_would_do() -> None:
    # The market visited 14:00-15:30, then the workshop 16:00-17:30; the catalog has nothing else. The market runs
    # from 09:00, so "earlier" is a morning visit of it (before: "No earlier events fit").
    afternoon = (DAY + timedelta(hours=14), DAY + timedelta(hours=15.5))
    workshop = event(2, 'Craft Workshop', 16, 1.5, where=NEXT_DOOR)
    stops = [key_event_from(OLD_MARKET, 'stalls', visit=afternoon), key_event_from(workshop, 'make something')]
    bundle = Bundle(title='Market Day', description='', key_events=stops, estimated_cost=None)
    changed = refined(bundle, [OLD_MARKET, workshop], instruction='earlier')
    market, kept = changed.key_events
    assert (market.event_id, kept.event_id) == (OLD_MARKET.event_id, workshop.event_id)
    assert market.visit_start is not None and market.visit_start < afternoon[0]
    assert 'drop in at' in changed.description and 'earlier on average' in changed.description
    lookup = {e.event_id: e for e in (OLD_MARKET, workshop)}.get
    assert find_violations([changed], window=WINDOW, budget=None, lookup=lookup, min_events=2) == []


def test_a_drop_in_brought_in_by_an_edit_is_visited_for_a_slot_not_its_whole_run() -> None:
    # Saturday's workshop, then Sunday's 16:00 concert. "Earlier" can swap the concert for Sunday's market
    # (09:00-17:00), which is then a drop-in visit of an hour and a half, not a day at the market.
    weekend = WINDOW.model_copy(update={'end': DAY + timedelta(days=2), 'label': 'Sat 5 - Sun 6 Dec'})
    workshop = event(2, 'Craft Workshop', 13, 1.5, where=NEXT_DOOR)
    concert = event(4, 'Teatime Concert', 24 + 16, 1.5, where=NEXT_DOOR)
    market = event(5, 'Sunday Flea Market', 24 + 9, 8, where=NEXT_DOOR)
    stops = [key_event_from(workshop, 'make something'), key_event_from(concert, 'listen')]
    bundle = Bundle(title='Weekend', description='', key_events=stops, estimated_cost=None)
    changed = refined(bundle, [workshop, concert, market], window=weekend, instruction='earlier')
    visit = next(k for k in changed.key_events if k.event_id == market.event_id)
    assert visit.visit_start is not None and visit.visit_end is not None
    assert visit.visit_end - visit.visit_start < timedelta(hours=3)
    lookup = {e.event_id: e for e in (workshop, concert, market)}.get
    assert find_violations([changed], window=weekend, budget=None, lookup=lookup, min_events=2) == []


def test_a_plan_stored_with_a_slot_of_a_dinner_can_still_be_changed() -> None:
    # Plans stored before dinners were attended whole may hold "Supper Club 19:00-22:30 (visit 20:30-22:00)".
    # A change keeps the supper club, attended whole now, instead of carrying a slot the validator turns down.
    supper = event(4, 'Supper Club: Georgian Feast', 19, 3.5).model_copy(
        update={'category': 'markets', 'tags': ['supper-club'], 'price': Price(min=40, max=40, currency='EUR')}
    )
    stored = key_event_from(supper, 'dinner', visit=(DAY + timedelta(hours=20.5), DAY + timedelta(hours=22)))
    market = key_event_from(OLD_MARKET, 'stalls', visit=(DAY + timedelta(hours=11), DAY + timedelta(hours=12.5)))
    bundle = Bundle(title='Market Day', description='', key_events=[market, stored], estimated_cost=None)
    changed = refined(bundle, [OLD_MARKET, supper, NEW_MARKET], replace_event_id=OLD_MARKET.event_id)
    assert [k.event_id for k in changed.key_events] == [NEW_MARKET.event_id, supper.event_id]
    assert changed.key_events[1].visit_start is None and changed.key_events[1].attended_from == supper.starts_at


def test_earlier_does_not_make_a_double_feature_a_marathon() -> None:
    # Read in an answer: "film, Next 7 days", "earlier" turned Suspiria on Monday and two films on Tuesday into
    # three screenings on Tuesday from 15:00. The path search never plans a third film in a day; a change neither.
    def film(n: int, title: str, start: float) -> EventPublic:
        return event(n, title, start, 2).model_copy(update={'category': 'film', 'venue': 'Kino'})

    monday, early, evening, late = (
        film(1, 'Suspiria', -1.5),
        film(2, 'Joan', 39),
        film(3, 'M', 41.5),
        film(4, 'Dr. C', 44),
    )
    stops = [key_event_from(e, 'a film') for e in (monday, evening, late)]
    bundle = Bundle(title='Cinema Club', description='', key_events=stops, estimated_cost=None)
    window = TimeWindow(start=DAY - timedelta(days=1), end=DAY + timedelta(days=3), timezone='UTC', label='x')
    preferences = Preferences(interests=['film'], timeframe='Next 7 days')
    refinement = Refinement(bundles=[bundle], bundle_index=0, instruction='earlier')
    request = PlanRequest('g1', preferences, window, 'Berlin', refinement=refinement)
    changed = _refine(request, refinement, [monday, early, evening, late])
    titles = [k.title for k in changed.key_events]
    assert titles != ['Suspiria', 'M', 'Dr. C'] and not {'Joan', 'M', 'Dr. C'} <= set(titles), titles
