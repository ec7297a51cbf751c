"""The planning core (services/planning) on small hand-made catalogs whose best plan is known: a drop-in that
fits only as a slot, a travel time that rules a pair out, one title once, a hard wish that empties a plan and
is declined in words; and a property over random small catalogs: every plan passes the one validator and no
single-event change improves it."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.catalog import EventPublic, Price
from models.generation import Bundle, TimeWindow
from services.planners.grounding import estimate_cost, find_violations, key_event_from
from services.planning.core import Theme, plan_answer
from services.planning.hard import keep_hard_wishes
from services.planning.packing import Option, choose
from services.planning.paths import OUTING_COST, Item, Rules, best_paths, title_works
from services.planning.slots import Limits, visits_of
from services.planning.wish import read_wish

DAY = datetime(2026, 7, 11, tzinfo=UTC)  # a Saturday; the city's clock is UTC here
MITTE, NEXT_DOOR, FAR = (52.525, 13.402), (52.526, 13.403), (52.44, 13.70)  # FAR: ~22 km away
WINDOW = TimeWindow(start=DAY, end=DAY + timedelta(days=2), timezone='UTC', label='Sat 11 - Sun 12 Jul')
RULES = Rules(budget=None, max_span=timedelta(hours=60))


def event(n: int, title: str, start: float, hours: float, *, where=MITTE, area='Mitte', price=10.0, category='music'):
    starts = DAY + timedelta(hours=start)
    return EventPublic(
        event_id=f'e{n}', title=title, description='', category=category, tags=[], starts_at=starts,
        ends_at=starts + timedelta(hours=hours), venue=f'Venue {n}', neighborhood=area, venue_tags=[],
        price=Price(min=price, max=price, currency='EUR'), url=f'https://tickets.test/{n}', image_url='',
        status='scheduled', lat=where[0], lon=where[1],
    )  # fmt: skip


def items(events: list[EventPublic], values: list[float] | None = None) -> list[Item]:
    values = values or [1.0] * len(events)
    return [Item(e, v, title_works(e.title), (e.venue, e.title.lower())) for e, v in zip(events, values, strict=True)]


UTC_CLOCK = Limits('UTC')


def plans(events: list[EventPublic], values=None, *, target=3, rules=RULES, limits=UTC_CLOCK):
    pool = items(events, values)
    chosen = plan_answer(
        pool, [Theme('best', lambda i: True)], limits=limits, rules=rules, interests=['music'], target=target
    )
    return [[(pool[v.item].event.title, v.start, v.end) for v in plan.visits] for plan in chosen]


def test_a_long_open_air_is_visited_for_a_slot_between_two_shows() -> None:
    # 14:00-23:00 open air, a show 12:00-13:30 before and one 21:00-22:30 after: attended whole, the open air
    # could join neither; as a drop-in it fits between them.
    events = [event(1, 'Open Air', 14, 9), event(2, 'Lunch Show', 12, 1.5), event(3, 'Late Show', 21, 1.5)]
    [plan] = plans(events, target=1)
    titles = [title for title, _, _ in plan]
    assert titles == ['Lunch Show', 'Open Air', 'Late Show']
    _, start, end = plan[1]
    assert DAY + timedelta(hours=14) <= start and end <= DAY + timedelta(hours=21) and end - start >= timedelta(hours=2)


def test_a_curfew_cuts_a_drop_in_but_rules_out_a_show_past_it() -> None:
    limits = Limits('UTC', latest=datetime(2026, 7, 11, 22).time())
    assert visits_of(0, event(1, 'Open Air', 14, 9), limits)[-1].end == DAY + timedelta(hours=22)
    assert visits_of(0, event(2, 'Late Show', 21, 1.5), limits) == []


def test_a_long_dinner_or_play_is_attended_whole_an_exhibition_is_dropped_in_on() -> None:
    # Read in an answer: "Supper Club: Georgian Feast 19:00-22:30 (visit 20:30-22:00)". Nobody drops in on a
    # supper club, a play or a seated concert at half time; an exhibition or a market is visited for a while.
    supper = event(1, 'Supper Club: Georgian Feast', 19, 3.5, category='food').model_copy(
        update={'tags': ['supper-club', 'tasting-menu']}
    )
    play = event(2, 'Faust I and II', 15, 5, category='theatre')
    exhibition = event(3, 'Exhibition: Salt Rooms', 11, 6, category='art').model_copy(update={'tags': ['exhibition']})
    assert [v.drop_in for v in visits_of(0, supper, UTC_CLOCK)] == [False]
    assert [v.drop_in for v in visits_of(0, play, UTC_CLOCK)] == [False]
    assert all(v.drop_in for v in visits_of(0, exhibition, UTC_CLOCK))
    # And the validator turns down a slot of one, whoever plans it (the model may write one).
    slot = (supper.starts_at + timedelta(hours=1.5), supper.ends_at)
    stop = key_event_from(supper, 'dinner', visit=slot)
    bundle = Bundle(title='t', description='d', key_events=[stop], estimated_cost=estimate_cost([supper]))
    found = find_violations([bundle], window=WINDOW, budget=None, lookup={supper.event_id: supper}.get)
    visits = [v.message for v in found if v.code == 'visit']
    assert visits == [f'"{supper.title}" (e1): is attended whole, from its start']


def test_a_curfew_rules_out_the_small_hours_too() -> None:
    # "Nothing after 22:00": a bar night starting at 00:45 is that night's, after the curfew, though it ends on
    # the day it starts; an all-night open air is visited from the morning on, not at 02:00.
    limits = Limits('UTC', latest=datetime(2026, 7, 11, 22).time())
    assert visits_of(0, event(1, 'After Hours', 24.75, 2), limits) == []
    assert visits_of(0, event(2, 'Breakfast Show', 30, 2), limits) != []
    all_night = visits_of(0, event(3, 'Open Air Marathon', 24, 20), limits)
    assert all_night and all_night[0].start == DAY + timedelta(hours=30)
    assert all(v.end <= DAY + timedelta(hours=46) for v in all_night)


def test_two_sit_down_meals_are_not_planned_one_after_the_other() -> None:
    # Read in an answer: a kitchen-table dinner at 17:30, then a supper club at 19:30. The supper club is worth
    # more, but after a dinner the gallery night next door is what a person would go to.
    def meal(n: int, title: str, start: float, tag: str) -> EventPublic:
        return event(n, title, start, 1.5, category='food').model_copy(update={'tags': [tag]})

    dinner, supper = meal(1, 'Kitchen table', 17.5, 'dinner'), meal(2, 'Supper club', 19.5, 'supper-club')
    gallery = event(3, 'Gallery night', 19.5, 2, where=NEXT_DOOR, category='art')
    [plan] = plans([dinner, supper, gallery], values=[1.0, 2.0, 1.0], target=1)
    assert [title for title, _, _ in plan] == ['Kitchen table', 'Gallery night']
    brunch = meal(4, 'Long brunch', 11, 'brunch')  # brunch, then dinner in the evening: two meals, hours apart
    [plan] = plans([brunch, supper], target=1)
    assert [title for title, _, _ in plan] == ['Long brunch', 'Supper club']


def test_travel_time_rules_a_pair_out() -> None:
    # 15 minutes apart in time: next door is reachable, 22 km away is not.
    near = [event(1, 'First', 19, 2), event(2, 'Next door', 21.25, 2, where=NEXT_DOOR)]
    far = [event(1, 'First', 19, 2), event(2, 'Far away', 21.25, 2, where=FAR, area='Köpenick')]
    assert [t for t, _, _ in plans(near, target=1)[0]] == ['First', 'Next door']
    assert plans(far, target=1) == []


def test_one_title_once_per_answer() -> None:
    # The same film at two cinemas and two times: one answer shows it once, so only one plan can be made of
    # these four (a second would need Cleo again).
    events = [
        event(1, 'Cleo', 18, 2), event(2, 'Cleo', 20.5, 2, where=NEXT_DOOR), event(3, 'Stalker', 20.5, 2),
        event(4, 'Paris, Texas', 18, 2, where=NEXT_DOOR),
    ]  # fmt: skip
    found = plans(events)
    titles = [title for plan in found for title, _, _ in plan]
    assert titles.count('Cleo') == 1 and len(found) == 1


def test_a_film_of_a_double_bill_is_not_shown_again_on_its_own() -> None:
    # Read in an answer: 'Midnight Double Bill: Suspiria + Possession' in one plan, 'Late screening: "Suspiria"
    # (1977)' in another. The double bill shows both films, so each of them counts as seen.
    assert title_works('Midnight Double Bill: Suspiria + Possession') == {'suspiria', 'possession'}
    assert title_works('Late screening: "Suspiria" (1977)') == {'suspiria'}
    events = [
        event(1, 'Midnight Double Bill: Suspiria + Possession', 18, 2), event(2, 'Stalker', 20.5, 2),
        event(3, 'Late screening: "Suspiria" (1977)', 18, 2, where=NEXT_DOOR),
        event(4, 'Paris, Texas', 20.5, 2, where=NEXT_DOOR),
    ]  # fmt: skip
    found = plans(events)
    titles = [title for plan in found for title, _, _ in plan]
    assert len(found) == 1 and sum('Suspiria' in title for title in titles) == 1


def test_a_plan_goes_back_to_a_venue_on_another_day_only_when_nothing_else_fits() -> None:
    # Read in an answer: four evenings at two comedy cellars, back and forth. Staying on the same evening is
    # free; another day at the same venue costs, so a show elsewhere that night wins.
    saturday = event(1, 'Early show', 20, 1.5)
    sunday_same = event(2, 'Late show', 44, 1.5).model_copy(update={'venue': 'Venue 1'})
    sunday_elsewhere = event(3, 'Other show', 44, 1.5)
    assert [t for t, _, _ in plans([saturday, sunday_same, sunday_elsewhere], target=1)[0]] == [
        'Early show',
        'Other show',
    ]
    assert [t for t, _, _ in plans([saturday, sunday_same], target=1)[0]] == ['Early show', 'Late show']


def test_a_second_stop_on_the_same_evening_beats_one_on_another_day() -> None:
    # Read in an answer: a week's plan of one stop a day (ramen on Monday, a supper on Tuesday, a market on
    # Wednesday). A show a short walk away after the first is one outing; the same show on Sunday is a second.
    first = event(1, 'Early show', 19, 1.5)
    same_evening = event(2, 'Late show', 21, 1.5, where=NEXT_DOOR)
    next_day = event(3, 'Sunday show', 43, 1.5)
    two_stops = Rules(budget=None, max_span=timedelta(hours=60), max_stops=2)
    [plan] = plans([first, same_evening, next_day], target=1, rules=two_stops)
    assert [title for title, _, _ in plan] == ['Early show', 'Late show']
    # Not at any price: a second stop across town (a 40-minute ride) leaves the next day's show ahead.
    far_evening = event(2, 'Late show', 21, 1.5, where=FAR)
    [plan] = plans([first, far_evening, next_day], target=1, rules=two_stops)
    assert [title for title, _, _ in plan][1:] == ['Sunday show']  # either evening show, then Sunday's


def test_a_day_holds_a_double_feature_not_a_marathon() -> None:
    # Read in answers: three "film, Next 7 days" plans, each a Friday of three screenings from 15:00 at one cinema.
    friday = [event(n, f'Film {n}', 15 + 2.5 * n, 2, category='film') for n in range(4)]
    for plan in plans(friday, target=2):
        assert len(plan) == 2, plan
    saturday = event(9, 'Saturday film', 44, 2, category='film')  # another day: a third film is fine
    [plan, *_] = plans([*friday[:2], saturday], target=1)
    assert [title for title, _, _ in plan] == ['Film 0', 'Film 1', 'Saturday film']
    concert = event(10, 'Concert', 22.5, 1.5)  # and a concert after a double feature is no third film
    [plan, *_] = plans([*friday[:2], concert], target=1)
    assert len(plan) == 3


def test_a_budget_the_best_candidates_overrun_is_met_with_the_cheapest() -> None:
    """Found by the clock matrix: theatre within 40 over a week; the 24 best plays cost 22 each, two of them 44,
    and the puppet shows at 9 sat far down the list: no plan."""
    plays = [event(i, f'Play {i}', 19 + 24 * (i % 5), 2, price=22) for i in range(30)]
    puppets = event(99, 'Puppet show', 16, 1, price=9)
    pool = items([*plays, puppets], [2.0] * 30 + [0.5])
    rules = Rules(budget=40, max_span=timedelta(hours=60))
    chosen = plan_answer(
        pool, [Theme('best', lambda i: True)], limits=UTC_CLOCK, rules=rules, interests=['music'], target=1
    )
    assert chosen and 'Puppet show' in [pool[v.item].event.title for v in chosen[0].visits]


def test_the_budget_is_a_hard_rule_of_each_plan() -> None:
    events = [event(1, 'Dear', 18, 2, price=40), event(2, 'Cheap', 21, 1, price=5), event(3, 'Cheaper', 23, 1, price=5)]
    [plan] = plans(events, rules=Rules(budget=20, max_span=timedelta(hours=60)), target=1)
    assert [t for t, _, _ in plan] == ['Cheap', 'Cheaper']


def test_a_hard_wish_that_empties_the_plan_is_declined_with_a_note() -> None:
    events = [event(1, 'A', 19, 2, area='Mitte'), event(2, 'B', 21.5, 2, area='Mitte')]
    wish = read_wish(
        interests=['music'],
        music_profile=None,
        other_preferences='only Spandau',
        budget=None,
        areas=['Spandau', 'Mitte'],
    )
    kept = keep_hard_wishes(events, wish, event_of=lambda e: e, timezone='UTC', label=WINDOW.label)
    assert kept.candidates == events and kept.declined == ['place']
    assert kept.notes == ['Nothing in Spandau fits Sat 11 - Sun 12 Jul, so these plans are elsewhere.']


def test_the_best_path_is_the_best_of_all_orders() -> None:
    # A weak event overlapping both strong ones: the two strong events together are the best plan.
    events = [event(1, 'Strong A', 18, 2), event(2, 'Weak', 19.5, 2), event(3, 'Strong B', 21, 2)]
    visits = [v for i, e in enumerate(events) for v in visits_of(i, e, Limits('UTC'))]
    paths = best_paths(items(events, [5.0, 0.1, 5.0]), visits, RULES)
    assert paths[0].items == (0, 2)


def _bundle(events: list[EventPublic], plan) -> Bundle:
    by_title = {e.title: e for e in events}
    key_events = []
    for title, start, end in plan:
        whole = (start, end) == (by_title[title].starts_at, by_title[title].ends_at)
        key_events.append(key_event_from(by_title[title], 'why', visit=None if whole else (start, end)))
    return Bundle(title='x', description='x', key_events=key_events, estimated_cost=estimate_cost(key_events))


starts = st.lists(
    st.tuples(st.integers(0, 40), st.sampled_from([1, 1.5, 2, 5, 8]), st.sampled_from([MITTE, NEXT_DOOR, FAR])),
    min_size=2,
    max_size=9,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(starts, st.lists(st.floats(0.5, 5), min_size=9, max_size=9))
def test_every_plan_passes_the_validator_and_no_single_change_improves_it(specs, values) -> None:
    events = [event(i, f'Show {i}', 10 + half / 2, hours, where=where) for i, (half, hours, where) in enumerate(specs)]
    values = values[: len(events)]
    found = plans(events, values)
    bundles = [_bundle(events, plan) for plan in found]
    lookup = {e.event_id: e for e in events}.get
    assert find_violations(bundles, window=WINDOW, budget=None, lookup=lookup, min_events=2) == []
    # Local optimality of the best plan: adding an unused event, or swapping one stop for an unused one, never
    # gives a valid plan of higher value (the dynamic programme is exact).
    if found:
        pool = items(events, values)
        everything = [v for i, e in enumerate(events) for v in visits_of(i, e, Limits('UTC'))]
        best = best_paths(pool, everything, RULES)[0]
        for other in range(len(events)):
            if other in best.items:
                continue
            subset = [v for v in everything if v.item in {*best.items, other}]
            assert best_paths(pool, subset, RULES)[0].value <= best.value + 1e-9


def test_a_small_pool_is_planned_exactly_where_twins_crowded_the_best_plan_out() -> None:
    # Found by the property below: with two partial plans kept per visit, "A 10:00, then the open air at 14:30" and
    # "B 10:00, then the same slot" filled both places; the plan leaving the open air for 20:00 was lost (4.0, not 4.5).
    specs = [(0, 1, MITTE), (9, 1.5, FAR), (9, 8, FAR), (0, 1, MITTE), (0, 1, MITTE), (0, 1, MITTE), (5, 8, FAR)]
    events = [event(i, f'Show {i}', 10 + half / 2, hours, where=where) for i, (half, hours, where) in enumerate(specs)]
    pool = items(events, [1.0, 1.0, 2.0, 1.0, 3.0, 3.0, 1.0])
    visits = [v for i, e in enumerate(events) for v in visits_of(i, e, UTC_CLOCK)]
    best = best_paths(pool, visits, RULES)[0]
    assert best.value == 4.5 and len(best.items) == 4


def test_must_visits_get_partners_beyond_a_pool_full_of_ties() -> None:
    """Thirteen talks and twenty early films all tie for the pool: a talk still finds the late show it pairs with
    (before, the talks and the earliest films filled the 24 places and no plan held a talk)."""
    talks = [event(i, f'Talk {i}', 18.5, 1.5, category='talks') for i in range(13)]
    early = [event(100 + i, f'Early film {i}', 17.5, 2, category='film') for i in range(20)]
    late = [event(200 + i, f'Late film {i}', 21, 2, category='film') for i in range(5)]
    pool = items([*talks, *early, *late], [1.0] * 13 + [0.9] * 25)
    cover = Theme('cover:talks', lambda i: True, must=lambda i: i.event.category == 'talks')
    chosen = plan_answer(pool, [cover], limits=UTC_CLOCK, rules=RULES, interests=['talks', 'film'], target=1)
    assert chosen, 'a talk and a late show make a plan'
    titles = [pool[v.item].event.title for v in chosen[0].visits]
    assert titles[0].startswith('Talk') and titles[-1].startswith('Late film'), titles


def test_a_must_visit_within_a_budget_finds_an_affordable_partner_beyond_the_pool() -> None:
    """Read in an answer: wellness + nightlife within 25, and no plan held wellness. A yoga class at 18 pairs
    only with a free bar night; thirty club nights at 12 all score higher and filled the pool."""
    clubs = [event(i, f'Club {i}', 23, 4, price=12, category='nightlife') for i in range(30)]
    bar = event(99, 'Bar night', 20.5, 2, price=0, category='nightlife')
    yoga = event(100, 'Evening yoga', 18, 1.25, price=18, category='wellness')
    pool = items([*clubs, bar, yoga], [1.0] * 30 + [0.5, 0.5])
    cover = Theme('cover:wellness', lambda i: True, must=lambda i: i.event.category == 'wellness')
    rules = Rules(budget=25, max_span=timedelta(hours=60))
    chosen = plan_answer(pool, [cover], limits=UTC_CLOCK, rules=rules, interests=['wellness'], target=1)
    assert [[pool[v.item].event.title for v in plan.visits] for plan in chosen] == [['Evening yoga', 'Bar night']]


def test_a_must_visit_finds_its_one_partner_behind_thirty_ties_that_clash_with_it() -> None:
    """Read in an answer (January): the one talk of the day, 19:00-21:00, and thirty concerts that all start
    with it, tied in value and earlier in the list than the soul night at 21:30 that follows it: no talk plan."""
    concerts = [event(i, f'Concert {i}', 19 + (i % 4) * 0.25, 2) for i in range(30)]
    talk = event(99, 'The talk', 19, 2, category='talks')
    soul = event(100, 'Soul night', 21.5, 2.5, where=NEXT_DOOR)
    pool = items([*concerts, talk, soul])
    cover = Theme('cover:talks', lambda i: True, must=lambda i: i.event.category == 'talks')
    chosen = plan_answer(pool, [cover], limits=UTC_CLOCK, rules=RULES, interests=['talks'], target=1)
    assert [[pool[v.item].event.title for v in plan.visits] for plan in chosen] == [['The talk', 'Soul night']]


def test_the_packing_covers_an_interest_its_best_options_leave_out() -> None:
    """Fifty options of one interest outvalue the only ones of another: the answer still covers both."""
    busy = [Option(f'busy{n}', 10.0 - n / 100, frozenset({n}), frozenset({f'b{n}'}), frozenset({'music'}))
            for n in range(50)]  # fmt: skip
    quiet = [
        Option(f'quiet{n}', 1.0, frozenset({100 + n}), frozenset({f'q{n}'}), frozenset({'talks'})) for n in range(2)
    ]
    chosen = choose([*busy, *quiet], target=3, interests=['music', 'talks'])
    assert {i for option in chosen for i in option.interests} == {'music', 'talks'}
    assert len(chosen) == 3


def test_a_night_and_the_next_morning_across_the_clock_change_are_two_days() -> None:
    # Spring forward in Berlin (29 Mar 2026): a club night 23:00-01:00 and a walk at 11:00 are ten hours apart on
    # the clock, nine of real time. Read on the clock, as on any other night, it is another day (another outing's
    # cost), not one outing in two parts (a higher one).
    berlin = ZoneInfo('Europe/Berlin')
    night = event(1, 'Club Night', 0, 2).model_copy(
        update={
            'starts_at': datetime(2026, 3, 28, 23, tzinfo=berlin),
            'ends_at': datetime(2026, 3, 29, 1, tzinfo=berlin),
        }
    )
    walk = event(2, 'Morning Walk', 0, 2).model_copy(
        update={
            'starts_at': datetime(2026, 3, 29, 11, tzinfo=berlin),
            'ends_at': datetime(2026, 3, 29, 13, tzinfo=berlin),
        }
    )
    visits = [v for i, e in enumerate([night, walk]) for v in visits_of(i, e, Limits('Europe/Berlin'))]
    [best] = best_paths(items([night, walk], [5.0, 5.0]), visits, RULES)
    assert (best.items, best.value) == ((0, 1), 10.0 - OUTING_COST)
