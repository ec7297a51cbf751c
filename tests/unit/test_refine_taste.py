""" "Earlier", "later", "cheaper" and "closer together" change time, price or place, never the person's taste: an
earlier classical recital is no answer for someone who asked for house."""

from datetime import UTC, datetime, timedelta

import pytest

from models.catalog import EventPublic, Price
from models.generation import Bundle, Preferences, TimeWindow
from services.planners.base import PlannerError, PlanRequest, Refinement
from services.planners.grounding import key_event_from
from services.planners.offline.refine import _refine
from services.planners.offline.refine_edits import bundle_with
from services.planners.offline.refine_measures import day_seconds, measure_for
from services.planners.offline.replan import Asked, replan
from services.planners.offline.scoring import score_events
from services.planners.offline.taste import read_taste

DAY = datetime(2026, 12, 5, tzinfo=UTC)  # a Saturday; the city's clock is UTC here
WINDOW = TimeWindow(start=DAY, end=DAY + timedelta(days=1, hours=6), timezone='UTC', label='Sat 5 Dec')
HOUSE = Preferences(interests=['music', 'nightlife'], music_profile='House', timeframe='This weekend')


def event(n: int, title: str, start: float, hours: float, genre: str, category: str = 'nightlife') -> EventPublic:
    starts = DAY + timedelta(hours=start)
    return EventPublic(
        event_id=f'e{n}', title=title, description='', category=category, tags=[genre], starts_at=starts,
        ends_at=starts + timedelta(hours=hours), venue=f'Venue {n}', neighborhood='Mitte', venue_tags=[],
        price=Price(min=10, max=10, currency='EUR'), url=f'https://tickets.test/{n}', image_url='',
        status='scheduled', lat=52.525 + n / 1000, lon=13.402,
    )  # fmt: skip


WARM_UP = event(1, 'House Warm-up', 21, 2, 'house')
CLUB = event(2, 'Deep House Night', 23.5, 4, 'deep-house')
RECITAL = event(3, 'Piano Recital', 18, 1.5, 'classical', category='music')


def plan_of(title: str, *stops: tuple[EventPublic, str]) -> Bundle:
    """A plan of these stops, each with its why line."""
    key_events = [key_event_from(stop, why) for stop, why in stops]
    return Bundle(title=title, description='', estimated_cost=None, key_events=key_events)


def house_night() -> Bundle:
    return plan_of('Night Moves', (WARM_UP, 'house'), (CLUB, 'deep house'))


def changed(pool: list[EventPublic], **change) -> Bundle:
    """The house night refined as asked, for the person who asked for house."""
    refinement = Refinement(bundles=[house_night()], bundle_index=0, **change)
    return _refine(PlanRequest('g1', HOUSE, WINDOW, 'Berlin', refinement=refinement), refinement, pool)


def earlier(pool: list[EventPublic]) -> Bundle:
    return changed(pool, instruction='earlier')


def test_earlier_never_trades_the_persons_music_for_an_earlier_start() -> None:
    with pytest.raises(PlannerError, match='No earlier events to your taste fit'):
        earlier([WARM_UP, CLUB, RECITAL])


def test_earlier_takes_an_earlier_event_of_their_music_when_there_is_one() -> None:
    early_house = event(4, 'Sunset House Session', 19, 1.5, 'house')
    changed = earlier([WARM_UP, CLUB, RECITAL, early_house])
    titles = [k.title for k in changed.key_events]
    assert 'Sunset House Session' in titles and 'Piano Recital' not in titles


def test_earlier_with_only_a_weaker_night_of_their_music_offers_it_as_a_labelled_wildcard() -> None:
    # A sold-out house matinee (resale only) is further from what they asked for than the plan's stops, so no
    # plain "earlier" pick; it is still their music, so it is offered, labelled, where "cannot" was a dead end.
    # The classical recital never is.
    matinee = event(19, 'House Matinee', 18.5, 2, 'house').model_copy(update={'status': 'sold_out'})
    change = earlier([WARM_UP, CLUB, RECITAL, matinee])
    assert [(k.title, k.wildcard) for k in change.key_events] == [('House Matinee', True), ('House Warm-up', False)]
    assert change.key_events[0].why.startswith('A wildcard to make the plan earlier: ')
    assert 'not House' not in change.key_events[0].why
    assert change.description.endswith('with a wildcard: nothing closer to your taste does it.')


def test_a_change_keeps_the_hard_wishes_of_the_first_plans() -> None:
    # "With kids, daytime only": "something quieter and cosy" may not bring in a cosy evening play for adults.
    family = Preferences(
        interests=['art', 'theatre'], timeframe='This weekend', other_preferences='with kids, daytime only'
    )
    morning = event(5, 'Family morning: clay for kids', 10.5, 2, 'family', category='art')
    puppets = event(6, 'Puppet theatre (4+)', 15, 1, 'puppetry', category='theatre')
    play = event(7, 'Chamber play', 20, 2, 'drama', category='theatre').model_copy(
        update={'venue_tags': ['cosy', 'intimate'], 'tags': ['drama', 'cosy', 'intimate']}
    )
    plan = plan_of('Family Day', (morning, 'clay'), (puppets, 'puppets'))
    refinement = Refinement(bundles=[plan], bundle_index=0, instruction='something quieter and cosy')
    request = PlanRequest('g1', family, WINDOW, 'Berlin', refinement=refinement)
    with pytest.raises(PlannerError):
        _refine(request, refinement, [morning, puppets, play])


def test_a_wish_for_quiet_is_no_wish_for_other_music() -> None:
    cosy_recital = RECITAL.model_copy(update={'venue_tags': ['cosy', 'intimate'], 'tags': ['classical', 'cosy']})
    with pytest.raises(PlannerError, match='Nothing in the catalog follows'):
        changed([WARM_UP, CLUB, cosy_recital], instruction='something quieter and cosy')
    # Named in the instruction, other music may come in.
    jazz_bar = event(8, 'Late Jazz Trio', 18, 1.5, 'jazz', category='music')
    with_jazz = changed([WARM_UP, CLUB, jazz_bar], instruction='add some jazz')
    assert 'Late Jazz Trio' in [k.title for k in with_jazz.key_events]


def test_a_swap_brings_their_music_first_then_a_labelled_wildcard_then_says_there_is_none() -> None:
    with pytest.raises(PlannerError, match='No other event to your taste fits in place of House Warm-up'):
        changed([WARM_UP, CLUB], replace_event_id=WARM_UP.event_id)  # nothing else that evening at all
    techno = event(9, 'Techno Cellar', 20, 2, 'techno')  # a club night, not theirs
    wild = changed([WARM_UP, CLUB, techno], replace_event_id=WARM_UP.event_id)
    stop = wild.key_events[0]
    assert (stop.title, stop.wildcard) == ('Techno Cellar', True)
    assert stop.why.startswith('A wildcard in place of') and 'not House' in stop.why
    assert 'a wildcard: nothing closer to your taste fits there' in wild.description
    assert not wild.key_events[1].wildcard  # the kept club night is no wildcard
    disco_house = event(10, 'Disco House Early', 20, 2, 'house')
    swapped = changed([WARM_UP, CLUB, techno, disco_house], replace_event_id=WARM_UP.event_id)
    assert [k.title for k in swapped.key_events] == ['Disco House Early', 'Deep House Night']
    assert not any(k.wildcard for k in swapped.key_events)


def test_a_change_does_not_go_back_to_a_venue_of_the_plan_on_another_day() -> None:
    # "Cheaper" of Saturday's warm-up and club night: a free Sunday night back at the warm-up's bar would be
    # padding (two evenings at one venue); the free bar night elsewhere is the cheaper plan.
    free = {'price': Price(min=0, max=0, currency='EUR')}
    back_again = event(11, 'Free Sunday Session', 24 + 20, 2, 'house').model_copy(
        update={**free, 'venue': WARM_UP.venue, 'tags': ['house', 'deep-house']}  # the better match of the two
    )
    elsewhere = event(12, 'House Bar Night', 24 + 20, 2, 'house').model_copy(update=free)
    weekend = WINDOW.model_copy(update={'end': DAY + timedelta(days=2)})
    refinement = Refinement(bundles=[house_night()], bundle_index=0, instruction='cheaper')
    request = PlanRequest('g1', HOUSE, weekend, 'Berlin', refinement=refinement)
    titles = [k.title for k in _refine(request, refinement, [WARM_UP, CLUB, back_again, elsewhere]).key_events]
    assert titles == ['House Warm-up', 'House Bar Night']


def test_quieter_asks_for_seated_small_rooms_and_away_from_loud_ones() -> None:
    def room(n: int, title: str, tags: list[str]) -> EventPublic:
        return event(n, title, 20, 2, 'house').model_copy(update={'tags': ['house', *tags], 'venue_tags': tags})

    seated, plain, loud = (
        room(15, 'Listening Session', ['seated']),
        room(14, 'Bar Night', []),
        room(13, 'Rave', ['warehouse']),
    )
    quiet = HOUSE.model_copy(update={'other_preferences': 'something quieter'})
    order = [s.event.title for s in score_events([loud, plain, seated], read_taste(quiet))]
    assert order == ['Listening Session', 'Bar Night', 'Rave']


def test_a_wildcard_of_the_first_plan_stays_labelled_when_another_stop_changes() -> None:
    jazz = event(16, 'Late Jazz Trio', 23.5, 2, 'jazz', category='music')
    plan = Bundle(
        title='Night Moves', description='', estimated_cost=None,
        key_events=[key_event_from(WARM_UP, 'house'), key_event_from(jazz, 'a wildcard: jazz', wildcard=True)],
    )  # fmt: skip
    other_house = event(17, 'Disco House Early', 20.5, 2, 'house')
    refinement = Refinement(bundles=[plan], bundle_index=0, replace_event_id=WARM_UP.event_id)
    request = PlanRequest('g1', HOUSE, WINDOW, 'Berlin', refinement=refinement)
    swapped = _refine(request, refinement, [WARM_UP, jazz, other_house])
    assert [(k.title, k.wildcard) for k in swapped.key_events] == [
        ('Disco House Early', False),
        ('Late Jazz Trio', True),
    ]


def test_a_swap_with_nothing_to_put_in_its_place_takes_the_stop_out_of_a_longer_plan() -> None:
    after = event(18, 'After-hours House', 28, 2, 'house')
    plan = Bundle(
        title='Night Moves', description='', estimated_cost=None,
        key_events=[key_event_from(e, 'house') for e in (WARM_UP, CLUB, after)],
    )  # fmt: skip
    refinement = Refinement(bundles=[plan], bundle_index=0, replace_event_id=WARM_UP.event_id)
    request = PlanRequest('g1', HOUSE, WINDOW, 'Berlin', refinement=refinement)
    shorter = _refine(request, refinement, [WARM_UP, CLUB, after])
    assert [k.title for k in shorter.key_events] == ['Deep House Night', 'After-hours House']
    note = shorter.description.replace('\u2068', '').replace('\u2069', '')  # the titles' direction isolates
    assert note.endswith('Took out House Warm-up: nothing else fits in its place.')


def test_a_wildcard_of_their_own_genre_says_why_it_fell_short_not_that_it_is_off_genre() -> None:
    sold_out = event(19, 'House Matinee', 20, 2, 'house').model_copy(update={'status': 'sold_out'})
    wild = changed([WARM_UP, CLUB, sold_out], replace_event_id=WARM_UP.event_id)
    stop = wild.key_events[0]
    assert (stop.title, stop.wildcard) == ('House Matinee', True)
    assert 'not House' not in stop.why and 'sold out, so resale tickets only' in stop.why


def test_a_change_keeps_the_event_the_person_asked_for_by_name() -> None:
    # "Please include Deep House Night": "cheaper" may swap the warm-up, never the night they named.
    named = HOUSE.model_copy(update={'other_preferences': 'Please include Deep House Night'})
    cheap_club = event(8, 'Free House Night', 23.5, 4, 'house').model_copy(update={'price': None})
    cheap_bar = event(9, 'House at the Bar', 21, 2, 'house').model_copy(update={'price': None})

    def cheaper(pool: list[EventPublic]) -> Bundle:
        refinement = Refinement(bundles=[house_night()], bundle_index=0, instruction='cheaper')
        return _refine(PlanRequest('g1', named, WINDOW, 'Berlin', refinement=refinement), refinement, pool)

    titles = [k.title for k in cheaper([WARM_UP, CLUB, cheap_club, cheap_bar]).key_events]
    assert titles == ['House at the Bar', 'Deep House Night']
    with pytest.raises(PlannerError, match=r'It keeps .Deep House Night., which you asked for by name'):
        cheaper([WARM_UP, CLUB, cheap_club])


def test_a_re_plan_keeps_a_stop_at_a_venue_named_and_visited_twice() -> None:
    # "I have always wanted to go to Tresor", and the plan is two nights there: a re-plan for "cheaper" may swap
    # one of them for a free night elsewhere, never both.
    first, second = (e.model_copy(update={'venue': 'Tresor'}) for e in (WARM_UP, CLUB))
    free = [
        event(n, title, start, hours, 'house').model_copy(update={'price': None})
        for n, title, start, hours in ((10, 'Free Warm-up', 21, 2), (11, 'Free House Night', 23.5, 4))
    ]
    plan = plan_of('Night Moves', (first, 'house'), (second, 'deep house'))
    refinement = Refinement(bundles=[plan], bundle_index=0, instruction='cheaper')
    request = PlanRequest('g1', HOUSE, WINDOW, 'Berlin', refinement=refinement)
    pool = [first, second, *free]
    fit = {s.event.event_id: s.score for s in score_events(pool, read_taste(HOUSE))}

    def replanned(asked: Asked) -> set[str]:
        found = replan(
            'cheaper', request=request, refinement=refinement, pool=pool, fit=fit,
            measure=measure_for('cheaper', taste_fit=fit), current=[first, second], current_visits={},
            make_bundle=lambda events, slots: bundle_with(plan, events, {}, slots), valid=lambda bundle: True,
            day_seconds=day_seconds, asked=asked,
        )  # fmt: skip
        assert found is not None
        return {e.venue for e in found[1]}

    assert 'Tresor' not in replanned(Asked())  # asked for nothing by name: both free nights elsewhere
    assert 'Tresor' in replanned(Asked(venues=frozenset({'Tresor'})))


def test_a_change_turning_down_a_stop_by_name_takes_it_out_even_one_named_before() -> None:
    # "Please include Deep House Night", then the change "anything but Deep House Night": the newer word wins (read
    # in an answer: "no Improhaus please" dropped the one stop elsewhere and kept both Improhaus shows).
    named = HOUSE.model_copy(update={'other_preferences': 'Please include Deep House Night'})
    late = event(12, 'Late House Session', 23.5, 3, 'house')

    def turned_down(pool: list[EventPublic]) -> Bundle:
        refinement = Refinement(bundles=[house_night()], bundle_index=0, instruction='anything but Deep House Night')
        return _refine(PlanRequest('g1', named, WINDOW, 'Berlin', refinement=refinement), refinement, pool)

    assert [k.title for k in turned_down([WARM_UP, CLUB, late]).key_events] == ['House Warm-up', 'Late House Session']
    with pytest.raises(PlannerError, match='anything but Deep House Night'):
        turned_down([WARM_UP, CLUB])  # nothing can take its place: said so, never kept without a word


def test_a_change_does_not_impose_again_a_wish_the_plan_had_to_leave_out() -> None:
    # "only Spandau": Spandau's two house nights overlap, so the first plans were made elsewhere and a note said
    # so. "Cheaper" of that plan may use the free bar night in Mitte; before, the change applied "only Spandau"
    # again and could only refuse.
    spandau = {'neighborhood': 'Spandau', 'price': Price(min=20, max=20, currency='EUR')}
    overlapping = [event(n, f'Spandau House {n}', 21, 3, 'house').model_copy(update=spandau) for n in (50, 51)]
    free_bar = event(52, 'Free House Bar', 20.5, 2.5, 'house').model_copy(
        update={'price': Price(min=0, max=0, currency='EUR'), 'lat': WARM_UP.lat}  # next door to the warm-up
    )
    prefs = HOUSE.model_copy(update={'other_preferences': 'only Spandau'})
    refinement = Refinement(bundles=[house_night()], bundle_index=0, instruction='cheaper')
    request = PlanRequest('g1', prefs, WINDOW, 'Berlin', refinement=refinement)
    pool = [WARM_UP, CLUB, *overlapping, free_bar]
    cheaper = _refine(request, refinement, pool, areas=['Mitte', 'Spandau'])
    assert [k.title for k in cheaper.key_events] == ['Free House Bar', 'Deep House Night']


def test_closer_together_takes_a_club_nearer_the_warm_up() -> None:
    # The club is 4 km from the warm-up; another house night of the same hour is next door: that is closer.
    far_club = CLUB.model_copy(update={'lat': WARM_UP.lat + 0.036})
    next_door = event(13, 'House Late', 23.5, 4, 'deep-house').model_copy(update={'lat': WARM_UP.lat + 0.001})
    plan = plan_of('Night Moves', (WARM_UP, 'house'), (far_club, 'deep house'))
    refinement = Refinement(bundles=[plan], bundle_index=0, instruction='closer together')
    request = PlanRequest('g1', HOUSE, WINDOW, 'Berlin', refinement=refinement)
    closer = _refine(request, refinement, [WARM_UP, far_club, next_door])
    assert [k.title for k in closer.key_events] == ['House Warm-up', 'House Late']
    assert closer.key_events[1].travel_from_previous.mode == 'walk'


def test_closer_together_does_not_count_the_way_home_between_two_days() -> None:
    # Saturday's warm-up, Sunday's club across town: nobody travels between them, they go home in between. A
    # Sunday club next to Saturday's bar makes nothing closer, and the card offers no "closer together" either.
    sunday_far = event(14, 'Sunday House', 24 + 21, 3, 'house').model_copy(update={'lat': WARM_UP.lat + 0.036})
    sunday_near = event(15, 'Sunday Deep House', 24 + 21, 3, 'deep-house').model_copy(
        update={'lat': WARM_UP.lat + 0.001}
    )
    plan = plan_of('Two Evenings', (WARM_UP, 'house'), (sunday_far, 'house'))
    assert plan.key_events[1].travel_from_previous is None
    weekend = WINDOW.model_copy(update={'end': DAY + timedelta(days=2)})
    refinement = Refinement(bundles=[plan], bundle_index=0, instruction='closer together')
    request = PlanRequest('g1', HOUSE, weekend, 'Berlin', refinement=refinement)
    with pytest.raises(PlannerError, match='no travel between stops to cut'):
        _refine(request, refinement, [WARM_UP, sunday_far, sunday_near])
