"""Issue 10 planner behaviours, each on a small hand-made catalog: a named event anchors a bundle, a long
timeframe makes plans of several evenings, a near event beats a slightly better one across town; and the
search does not give up early: every named event is tried as the anchor, every pair is tried when no anchor
finds a partner, smaller bundles are made when bigger ones would leave too few events for the rest."""

from datetime import UTC, datetime, timedelta

from models.catalog import EventPublic, Price
from models.generation import Preferences, TimeWindow
from services.planners.offline.itinerary import build_plan
from services.planners.offline.scoring import score_events
from services.planners.offline.taste import read_taste, with_wish
from services.planners.offline.writing import Picked, Wording, describe_route, write_bundle
from services.planning.wish import read_preferences
from services.timeframes import days_off

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


def test_a_date_is_one_outing_not_a_week_of_evenings() -> None:
    # Read in an answer to "something romantic for a date", Next 7 days: every plan a film on each of four
    # evenings. A date is one outing: each plan's stops are one evening's.
    events = [event(10 * day + n, f'Film {day}-{n}', day, 18 + 3 * n) for day in range(4) for n in range(day % 2 + 1)]
    spread = plan(events).bundles
    assert any(b.key_events[-1].starts_at - b.key_events[0].starts_at > timedelta(hours=12) for b in spread)
    dates = plan_with_wish(events, 'something romantic for a date').bundles
    assert len(dates) == 2  # the two evenings with two films
    for bundle in dates:
        stops = bundle.key_events
        assert stops[-1].starts_at - stops[0].starts_at < timedelta(hours=12), bundle.title
    # With one film an evening there is no evening of two: plans over several evenings beat none.
    assert plan_with_wish([event(day, f'Film {day}', day, 20) for day in range(4)], 'a date night').bundles


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


def test_a_chosen_interest_no_plan_can_hold_is_named_in_a_note() -> None:
    # The talk and the comedy show both pair only with the one market (they start at the same time): one plan,
    # and the answer says comedy or talks is left out, and why.
    events = [
        event(1, 'Street food market', 0, 16, category='food'), event(2, 'A talk', 0, 19, category='talks'),
        event(3, 'A comedy show', 0, 19, category='comedy'),
    ]  # fmt: skip
    prefs = Preferences(interests=['food', 'talks', 'comedy'], timeframe='Tonight')
    taste = read_taste(prefs)
    window = TimeWindow(start=START - timedelta(hours=3), end=START + timedelta(hours=8), timezone='UTC', label='x')
    result = build_plan(score_events(events, taste), taste, window, city_name='Berlin')
    [bundle] = result.bundles
    [left] = {'talks', 'comedy'} - {k.category for k in bundle.key_events}
    assert f'None of these plans has {left}: no {left} event fits a plan beside the events left.' in result.notes


def test_a_genre_word_inside_a_named_title_is_not_a_named_genre() -> None:
    # Read in an answer: 'Please include Jazz Session: Jakob Yilmaz' made every jazz night "named" and left only
    # jazz on the list, and nothing jazz fitted beside that session; the classical vespers before it do.
    session = event(1, 'Jazz Session: Jakob Yilmaz', 0, 21, category='music')
    session.tags.append('jazz')
    vespers = event(2, 'Abendmusik: vespers', 0, 18, category='music')
    vespers.tags.append('classical')
    others = [event(10 + i, f'Jazz Session: Player {i}', 0, 20, category='music') for i in range(3)]
    for other in others:
        other.tags.append('jazz')
    prefs = Preferences(
        interests=['music'], timeframe='Tonight', other_preferences='Please include Jazz Session: Jakob Yilmaz'
    )
    taste = read_taste(prefs)
    wish = read_preferences(prefs, areas=[], events=[session, vespers, *others])
    taste = with_wish(taste, wish)
    assert taste.named_genres == ()
    window = TimeWindow(start=START - timedelta(hours=3), end=START + timedelta(hours=8), timezone='UTC', label='x')
    result = build_plan(
        score_events([session, vespers, *others], taste, wish), taste, window, city_name='Berlin', wish=wish
    )
    assert [k.title for k in result.bundles[0].key_events] == ['Abendmusik: vespers', 'Jazz Session: Jakob Yilmaz']


def test_an_interest_every_event_of_which_breaks_a_hard_wish_is_named_with_the_wish() -> None:
    events = [event(1, 'Market', 0, 15, category='food'), event(2, 'Early show', 0, 17, category='film')]
    events.append(event(3, 'Late talk', 0, 21, category='talks'))
    prefs = Preferences(
        interests=['food', 'film', 'talks'], timeframe='Tonight', other_preferences='nothing after 20:00'
    )
    taste = read_taste(prefs)
    wish = read_preferences(prefs, areas=[], events=events)
    window = TimeWindow(start=START - timedelta(hours=4), end=START + timedelta(hours=8), timezone='UTC', label='x')
    result = build_plan(score_events(events, taste, wish), with_wish(taste, wish), window, city_name='B', wish=wish)
    assert [k.title for k in result.bundles[0].key_events] == ['Market', 'Early show']
    note = 'None of these plans has talks: every talks event breaks a wish of yours (nothing after 20:00).'
    assert note in result.notes


def plan_with_wish(events: list[EventPublic], text: str):
    prefs = Preferences(interests=['film'], timeframe='Next 7 days', other_preferences=text)
    taste, wish = read_taste(prefs), read_preferences(prefs, areas=[], events=events)
    window = TimeWindow(start=START - timedelta(hours=1), end=START + timedelta(days=7), timezone='UTC', label='x')
    return build_plan(score_events(events, taste, wish), with_wish(taste, wish), window, city_name='B', wish=wish)


def test_a_place_turned_down_by_name_is_in_no_plan() -> None:
    events = [event(i, f'Ordinary Film {i}', i % 3, 16 + 2 * (i % 3)) for i in range(9)]
    events.append(event(99, 'Zebra Lantern', 5, 20))
    venues = {e.event_id: e.venue for e in events}
    for text in ('anything but Kino 99 please', 'not Zebra Lantern'):
        result = plan_with_wish(events, text)
        assert result.bundles and all(venues[k.event_id] != 'Kino 99' for b in result.bundles for k in b.key_events)
    assert 'e99' in [k.event_id for k in plan_with_wish(events, 'please include Kino 99').bundles[0].key_events]


def test_a_place_turned_down_that_is_all_there_is_is_kept_and_said_so() -> None:
    result = plan_with_wish([event(1, 'Early film', 0, 16), event(2, 'Late film', 0, 20)], 'no Kino 1')
    assert [k.event_id for k in result.bundles[0].key_events] == ['e1', 'e2']
    assert 'With no Kino 1, nothing fits x, so these plans include some.' in result.notes


def test_one_recurring_series_makes_a_plan_when_it_is_all_there_is() -> None:
    # Read in an answer: three afternoon walks from one meeting point, Wed to Fri, and "no two of them fit
    # together". A plan takes a series once when others fit; when nothing else is on, it goes twice.
    walks = [
        event(i, f'Afternoon walk: route {i}', i, 14, category='outdoors').model_copy(update={'venue': 'Meeting point'})
        for i in range(3)
    ]
    prefs = Preferences(interests=['outdoors'], timeframe='Next 7 days')
    taste = read_taste(prefs)
    window = TimeWindow(start=START - timedelta(hours=6), end=START + timedelta(days=3), timezone='UTC', label='x')
    result = build_plan(score_events(walks, taste), taste, window, city_name='Berlin')
    assert len(result.bundles) == 1 and len(result.bundles[0].key_events) >= 2


def test_a_bar_named_outright_is_no_taste_for_nightlife_the_rest_are_wildcards() -> None:
    # Read in an answer (January): jazz profile, nightlife chosen, "I have always wanted to go to Tante Kaethe".
    # The bar's night counted as nightlife on taste, so no other nightlife was offered even as a wildcard, and
    # the jazz concert had nothing to go on to: no music plan.
    bar = event(1, 'Bar DJs: Selin', 0, 22, category='nightlife').model_copy(update={'venue': 'Tante Kaethe'})
    club = event(2, 'House night', 0, 23, category='nightlife')
    club.tags.append('house')
    jazz = event(3, 'Hard bop quartet', 0, 20, category='music')
    trio = event(4, 'Jazz trio', 0, 20, category='music')
    jazz.tags.append('jazz')
    trio.tags.append('jazz')
    prefs = Preferences(
        interests=['nightlife', 'music'], music_profile='jazz', timeframe='Tonight',
        other_preferences='I have always wanted to go to Tante Kaethe',
    )  # fmt: skip
    taste = read_taste(prefs)
    wish = read_preferences(prefs, areas=[], events=[bar, club, jazz, trio])
    window = TimeWindow(start=START - timedelta(hours=3), end=START + timedelta(hours=12), timezone='UTC', label='x')
    scored = score_events([bar, club, jazz, trio], taste, wish)
    result = build_plan(scored, with_wish(taste, wish), window, city_name='B', wish=wish)
    stops = {k.title: k for b in result.bundles for k in b.key_events}
    assert len(result.bundles) == 2 and 'Bar DJs: Selin' in stops, stops  # the second: jazz, then the club
    assert stops['House night'].wildcard and not stops['Bar DJs: Selin'].wildcard


def test_a_chosen_interest_that_pairs_only_off_taste_gets_a_labelled_wildcard() -> None:
    # Read in an answer (December): a jazz profile, theatre and music chosen; the one play pairs with no jazz
    # night, only with an Advent concert before it, and no theatre plan was made.
    far = (52.44, 13.70)
    jazz = [
        event(1, 'Jazz early', 0, 17, where=far, category='music'),
        event(2, 'Jazz late', 0, 21, where=far, category='music'),
    ]
    for night in jazz:
        night.tags.append('jazz')
    advent = event(3, 'Advent music', 0, 15, category='music')
    advent.tags.append('classical')
    play = event(4, 'The play', 0, 20, category='theatre')
    prefs = Preferences(interests=['theatre', 'music'], music_profile='jazz', timeframe='Tonight')
    taste = read_taste(prefs)
    window = TimeWindow(start=START - timedelta(hours=6), end=START + timedelta(hours=8), timezone='UTC', label='x')
    result = build_plan(score_events([*jazz, advent, play], taste), taste, window, city_name='Berlin')
    plans = [[(k.title, k.wildcard) for k in b.key_events] for b in result.bundles]
    assert [('Advent music', True), ('The play', False)] in plans and [
        ('Jazz early', False),
        ('Jazz late', False),
    ] in plans


def test_a_play_is_no_house_music_for_a_house_profile() -> None:
    # Found by the clock matrix: every play whose text said "A Doll's House" scored as house music for a House
    # profile and filled the plan's pool, and its why line could have said so.
    play = event(1, "A Doll's House", 0, 19, category='theatre')
    night = event(2, 'Warehouse house night', 0, 23, category='nightlife')
    taste = read_taste(Preferences(interests=['theatre', 'nightlife'], music_profile='House', timeframe='Tonight'))
    by_title = {s.event.title: s for s in score_events([play, night], taste)}
    assert by_title["A Doll's House"].genre_hits == [] and by_title['Warehouse house night'].genre_hits == ['house']


def test_the_story_says_later_that_day_not_the_weekday_for_a_morning_and_an_evening_of_one_day() -> None:
    # Read in an answer for "Tomorrow" (a Tuesday): "The morning begins with Kiez run ... On Tuesday, on to ...".
    run, show, film = event(1, 'Kiez run', 0, 9), event(2, 'Late Show', 0, 22), event(3, 'Film', 1, 20)
    story = describe_route([run, show, film])
    assert 'Later that day, on to Kino 2' in story and 'on Thursday, on to' in story
    assert 'Wednesday' not in story
    # A run until 10:00 and a reading at 20:00: not "then over to" as if one went straight on.
    evening = describe_route([run, event(4, 'Reading', 0, 20), film])
    assert 'Later that day, on to Kino 4' in evening and 'then' not in evening


def test_a_last_stop_named_after_its_venue_reads_as_one_sentence() -> None:
    # Read in an answer for "Tomorrow": "Later that day, on to Improhaus Late Show: the roast battle rounds off
    # the night." The title is the place: "..., which rounds off the night".
    stories = []
    for n in range(12):  # the story's wording is picked by the events' ids: find the one that moves "on to"
        run = event(n, 'Kiez run', 0, 9)
        show = event(100 + n, 'Improhaus Late Show: the roast battle', 0, 22).model_copy(update={'venue': 'Improhaus'})
        stories.append(describe_route([run, show]))
    moving = [s for s in stories if 'Later that day, on to' in s]
    assert moving and all(
        'on to Improhaus Late Show: the roast battle, which rounds off the night.' in s for s in moving
    )


def test_a_weekday_afternoon_show_comes_after_an_evening_one_unless_daytime_is_asked_for() -> None:
    # Read in an answer on a Monday: three "film, next 7 days" plans each began with a 15:00 screening.
    afternoon, evening, saturday = event(1, 'Matinee', 0, 15), event(2, 'Evening', 0, 19), event(3, 'Sat', 3, 15)

    def order(text: str | None) -> list[str]:
        prefs = Preferences(interests=['film'], timeframe='Next 7 days', other_preferences=text)
        wish = read_preferences(prefs, areas=[], events=[afternoon, evening, saturday])
        return [s.event.title for s in score_events([afternoon, evening, saturday], read_taste(prefs), wish)]

    assert order(None) == ['Evening', 'Sat', 'Matinee']  # a Wednesday 15:00 last; Saturday afternoon is free time
    assert order('daytime only')[0] == 'Matinee'


def test_a_club_night_until_four_before_a_working_day_comes_after_a_weekend_one() -> None:
    # Read in an answer for "wellness, nightlife, Next 30 days": it opened with a club on Monday 23:00-04:00.
    def club(n: int, title: str, day: int) -> EventPublic:
        night = event(n, title, day, 23, category='nightlife')
        return night.model_copy(update={'ends_at': night.starts_at + timedelta(hours=5)})

    thursday, friday, sunday = club(1, 'Thursday', 1), club(2, 'Friday', 2), club(3, 'Sunday', 4)

    def order(text: str | None) -> list[str]:
        prefs = Preferences(interests=['nightlife'], timeframe='Next 7 days', other_preferences=text)
        events = [thursday, friday, sunday]
        wish = read_preferences(prefs, areas=[], events=events)
        return [s.event.title for s in score_events(events, read_taste(prefs), wish)]

    assert order(None)[0] == 'Friday'  # Thursday's and Sunday's nights end at 04:00 on a working day
    assert order('late nights please') == ['Thursday', 'Friday', 'Sunday']  # asked for: all as good, by date


def test_a_drop_in_slot_into_the_small_hours_of_a_working_day_costs_unless_late_nights_are_asked_for() -> None:
    # A late bar 22:00-03:00 on Thursday: its 00:00-02:00 slot keeps someone up before Friday's work; 22:00-00:00
    # does not; on Friday night (Saturday morning) neither does.
    from services.planners.offline.scoring import SCHOOL_NIGHT_COST, slot_cost
    from services.planning.slots import Visit

    thursday = START + timedelta(days=1, hours=4)  # Thursday 22:00
    late = Visit(0, thursday + timedelta(hours=2), thursday + timedelta(hours=4), True)
    early = Visit(0, thursday, thursday + timedelta(hours=2), True)
    saturday_morning = late._replace(start=late.start + timedelta(days=1), end=late.end + timedelta(days=1))
    cost = slot_cost(
        read_preferences(Preferences(interests=['nightlife'], timeframe='Next 7 days'), areas=[], events=[]),
        frozenset(),
    )
    assert SCHOOL_NIGHT_COST > 0 and [cost(v) for v in (late, early, saturday_morning)] == [SCHOOL_NIGHT_COST, 0, 0]
    asked = Preferences(interests=['nightlife'], timeframe='Next 7 days', other_preferences='late nights')
    assert slot_cost(read_preferences(asked, areas=[], events=[]), frozenset())(late) == 0.0


def test_an_afternoon_show_on_a_public_holiday_is_free_time_like_a_weekend() -> None:
    # Thursday 25 Dec 2025 is Christmas Day: its 15:00 screening is no working-hours show.
    day = datetime(2025, 12, 25, tzinfo=UTC) - START.replace(hour=0)
    matinee, evening = event(1, 'Matinee', day.days, 15), event(2, 'Evening', day.days, 19)
    prefs = Preferences(interests=['film'], timeframe='Next 7 days')
    window = TimeWindow(start=START, end=START + timedelta(days=30), timezone='UTC', label='x')
    wish, taste = read_preferences(prefs, areas=[], events=[matinee, evening]), read_taste(prefs)

    def scores(country: str) -> dict[str, float]:
        off = days_off(country=country, window=window)
        return {s.event.title: s.score for s in score_events([matinee, evening], taste, wish, days_off=off)}

    assert scores('DE')['Matinee'] == scores('DE')['Evening']
    assert scores('')['Matinee'] < scores('')['Evening']  # country unknown: a Thursday like any other


def plan_in_areas(events: list[EventPublic], text: str):
    prefs = Preferences(interests=['film'], timeframe='Tonight', other_preferences=text)
    taste, wish = read_taste(prefs), read_preferences(prefs, areas=['Mitte', 'Spandau'], events=events)
    window = TimeWindow(start=START - timedelta(hours=4), end=START + timedelta(hours=8), timezone='UTC', label='x')
    return build_plan(score_events(events, taste, wish), with_wish(taste, wish), window, city_name='B', wish=wish)


def in_spandau(event_: EventPublic) -> EventPublic:
    return event_.model_copy(update={'neighborhood': 'Spandau', 'lat': SPANDAU[0], 'lon': SPANDAU[1]})


def test_hard_wishes_that_leave_no_plan_together_keep_as_many_as_can_be_and_say_which() -> None:
    # Spandau's two early films overlap and its late one ends after 20:00: no plan keeps both wishes, one in
    # Spandau does. Read before: every wish went at once ("these plans do not keep every one"), so a kids' plan
    # could get a drum & bass night although keeping "with kids" alone made one.
    spandau = [
        in_spandau(event(1, 'Early A', 0, 16)),
        in_spandau(event(2, 'Early B', 0, 16)),
        in_spandau(event(3, 'Late', 0, 21)),
    ]
    result = plan_in_areas(spandau, 'only Spandau, nothing after 20:00')
    assert result.bundles and all(k.neighborhood == 'Spandau' for b in result.bundles for k in b.key_events)
    note = (
        'Nothing for x keeps “only Spandau” and “nothing after 20:00” together: these plans keep '
        '“only Spandau”, not “nothing after 20:00”.'
    )
    assert note in result.notes


def test_hard_wishes_none_of_which_makes_a_plan_are_all_named_as_not_kept() -> None:
    # In Spandau only two films that overlap; before 20:00 only those two: a plan keeps neither wish.
    films = [in_spandau(event(1, 'Early A', 0, 16)), in_spandau(event(2, 'Early B', 0, 16)), event(3, 'Late', 0, 21)]
    result = plan_in_areas([*films, event(4, 'Later', 0, 23)], 'only Spandau, nothing after 20:00')
    assert result.bundles
    note = 'Nothing for x keeps “nothing after 20:00” or “only Spandau”, so these plans keep neither.'
    assert note in result.notes


def test_a_drop_in_on_a_working_day_is_visited_after_work() -> None:
    # Thursday 4 Dec 2025: a beer garden open 12:00-23:00 and a reading 17:30-19:00. Visiting the beer garden at
    # 15:00 would leave no wait before the reading, but most people are at work then: after the reading, at 21:30,
    # with a wait, is the plan.
    garden = event(1, 'Beer garden by the canal', 1, 12, category='food')
    garden = garden.model_copy(update={'ends_at': garden.starts_at + timedelta(hours=11)})
    reading = event(2, 'Reading: the canal', 1, 17, category='talks')
    reading = reading.model_copy(update={'starts_at': reading.starts_at + timedelta(minutes=30)})
    prefs = Preferences(interests=['food', 'talks'], timeframe='Tomorrow')
    taste, wish = read_taste(prefs), read_preferences(prefs, areas=[], events=[garden, reading])
    window = TimeWindow(start=START + timedelta(hours=6), end=START + timedelta(days=2), timezone='UTC', label='x')
    [plan] = build_plan(score_events([garden, reading], taste, wish), taste, window, city_name='B', wish=wish).bundles
    assert [(k.title, k.attended_from.hour) for k in plan.key_events] == [
        ('Reading: the canal', 17),
        ('Beer garden by the canal', 21),
    ]


def test_a_second_night_at_the_same_club_is_not_another_spot() -> None:
    # Read in the seed answer: "Back on Saturday to Tiefgarage", its why line "another underground spot".
    prefs = Preferences(interests=['nightlife'], timeframe='This weekend', other_preferences='underground venues')
    lines = []
    for n in range(6):  # the line's wording varies with the event: no variant may call the same club another
        nights = [
            event(10 * n + day, f'Night {day}', day, 23, category='nightlife').model_copy(
                update={'venue': 'Tiefgarage', 'tags': ['techno', 'underground'], 'venue_tags': ['underground']}
            )
            for day in (1, 2)
        ]
        wish = read_preferences(prefs, areas=[], events=nights)
        taste = with_wish(read_taste(prefs), wish)
        scored = score_events(nights, taste, wish)
        window = TimeWindow(start=START, end=START + timedelta(days=3), timezone='UTC', label='x')
        bundle = write_bundle('tag:underground', [Picked(s) for s in scored], Wording(taste, wish, window))
        lines.append(bundle.key_events[1].why)
    assert all('another underground spot' not in line for line in lines), lines
    assert all('underground again' in line for line in lines), lines
