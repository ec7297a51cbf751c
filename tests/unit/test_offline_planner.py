"""The offline planner over the demo catalog: grounded, deterministic, and faithful to what was asked."""

import asyncio
import itertools
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlmodel import Session

from models.catalog import CATEGORIES
from models.db import session_scope
from models.generation import Bundle, Preferences
from services.catalog import queries
from services.catalog.demo import refresh_demo_catalog
from services.planners.base import PlannerError, PlanRequest
from services.planners.grounding import check_bundles
from services.planners.offline import OfflinePlanner, itinerary, planner
from services.planning import vocabulary
from services.timeframes import describe_span, resolve_window
from settings import settings
from tests.factories import add_city, add_event, add_venue

NOW = datetime(2025, 12, 3, 11, 0, tzinfo=UTC)  # Wednesday; "This weekend" is Fri 5 - Sun 7 Dec
BERLIN = ZoneInfo('Europe/Berlin')
ELECTRONIC = set(vocabulary.GENRE_FAMILIES['electronic'])
SEED = {
    'interests': ['music', 'nightlife'],
    'musicProfile': 'Electronic, House',
    'timeframe': 'This weekend',
    'otherPreferences': 'Looking for underground venues',
}


class Recorder:
    def __init__(self) -> None:
        self.messages: list[str] = []

    async def report(self, message: str) -> None:
        self.messages.append(message)

    async def save_state(self, state) -> None:
        pass

    async def save_wish(self, wish) -> None:
        self.wish = wish

    async def add_usage(self, usage) -> None:
        pass

    async def add_bundle(self, bundle: Bundle) -> list[str]:
        self.messages.append(f'stored {bundle.title}')
        return []


def request_for(preferences: dict, now: datetime = NOW, city: str = 'Berlin') -> PlanRequest:
    prefs = Preferences.model_validate(preferences)
    window = resolve_window(prefs.timeframe, timezone='Europe/Berlin', now=now)
    return PlanRequest(generation_id='g1', preferences=prefs, window=window, city=city)


def run(preferences: dict, now: datetime = NOW) -> tuple[list[Bundle], list[str], PlanRequest]:
    request = request_for(preferences, now)
    recorder = Recorder()
    bundles = asyncio.run(OfflinePlanner().plan(request, recorder))
    return bundles, recorder.messages, request


def violations(bundles: list[Bundle], request: PlanRequest) -> list:
    with session_scope() as session:
        return check_bundles(session=session, bundles=bundles, window=request.window, budget=request.preferences.budget)


@pytest.fixture
def demo(session: Session) -> None:
    refresh_demo_catalog(session=session, now=NOW)


def assert_well_formed(bundles: list[Bundle]) -> None:
    seen: set[str] = set()
    for bundle in bundles:
        events = bundle.key_events
        assert 2 <= len(events) <= 5
        assert [e.attended_from for e in events] == sorted(e.attended_from for e in events)
        for earlier, later in itertools.pairwise(events):
            assert later.attended_from >= earlier.attended_until + itinerary.travel_gap(earlier, later)
        ids = {e.event_id for e in events}
        assert not ids & seen
        seen |= ids
        assert bundle.title and bundle.description and all(e.why for e in events)
    assert len({b.title for b in bundles}) == len(bundles)


def test_golden_seed_request(demo) -> None:
    bundles, messages, request = run(SEED)
    assert len(bundles) >= 3
    assert violations(bundles, request) == []
    assert_well_formed(bundles)
    for bundle in bundles:
        assert {e.category for e in bundle.key_events} <= {'music', 'nightlife'}
        electronic = [e for e in bundle.key_events if ELECTRONIC & set(e.tags)]
        assert len(electronic) * 2 > len(bundle.key_events), bundle.title  # leans electronic
    # Underground venues first: the first bundle is wholly underground, and they are over-represented.
    assert all('underground' in e.tags for e in bundles[0].key_events)
    assert 'underground' in bundles[0].title.lower()
    picked = [e for b in bundles for e in b.key_events]
    share = sum('underground' in e.tags for e in picked) / len(picked)
    assert share > 0.5
    # The texts name the real signals, not filler.
    first = bundles[0].key_events[0]
    assert 'underground venue, as you asked' in first.why
    assert '"Electronic, House"' in first.why
    assert 'underground' in bundles[0].description
    assert messages[0].startswith('Searched ') and 'Fri 5 - Sun 7 Dec' in messages[0] and 'house' in messages[0]
    assert messages[-1] == f'Wrote {len(bundles)} bundles'
    assert any(m.startswith('Picked 3 themes: ') for m in messages)


def test_same_catalog_and_preferences_give_the_same_bundles(demo) -> None:
    first, _, _ = run(SEED)
    second, _, _ = run(SEED)
    assert [b.model_dump() for b in first] == [b.model_dump() for b in second]


def test_estimated_cost_is_the_sum_and_budget_is_respected(demo) -> None:
    bundles, _, request = run({**SEED, 'budget': 25})
    assert bundles and violations(bundles, request) == []
    for bundle in bundles:
        prices = [e.price for e in bundle.key_events if e.price]
        assert bundle.estimated_cost.max == sum(p.max for p in prices) <= 25
        assert bundle.estimated_cost.min == sum(p.min for p in prices)


def test_cheap_words_favour_free_and_cheap_events(demo) -> None:
    plain, _, _ = run({'interests': ['music'], 'timeframe': 'Next 7 days'})
    cheap, _, _ = run({'interests': ['music'], 'timeframe': 'Next 7 days', 'otherPreferences': 'nothing too pricey'})

    def average(bundles: list[Bundle]) -> float:
        prices = [e.price.max for b in bundles for e in b.key_events if e.price]
        return sum(prices) / len(prices)

    assert average(cheap) < average(plain)
    assert any('free' in e.why or 'easy on the wallet' in e.why for b in cheap for e in b.key_events)


def test_negated_genres_are_left_out(demo) -> None:
    bundles, _, _ = run({**SEED, 'musicProfile': 'Electronic', 'otherPreferences': 'no techno please'})
    assert bundles
    assert not any('techno' in e.tags for b in bundles for e in b.key_events)


def test_other_interests_get_their_own_themes(demo) -> None:
    bundles, _, request = run(
        {'interests': ['art', 'food', 'comedy'], 'timeframe': 'Next 7 days', 'otherPreferences': 'in Kreuzberg'}
    )
    assert len(bundles) >= 3 and violations(bundles, request) == []
    assert {e.category for b in bundles for e in b.key_events} <= {'art', 'food', 'comedy'}
    assert any('the area you named' in e.why for b in bundles for e in b.key_events)


def test_no_events_is_a_clear_planner_error(demo) -> None:
    far = {'interests': ['music'], 'timeframe': {'start': '2026-03-01', 'end': '2026-03-02'}}
    with pytest.raises(PlannerError, match='No events match music in Berlin'):
        run(far)


def test_unknown_city_is_a_planner_error(demo) -> None:
    with pytest.raises(PlannerError, match='no events catalog for Atlantis'):
        asyncio.run(OfflinePlanner().plan(request_for(SEED, city='Atlantis'), Recorder()))


def test_a_thin_catalog_gives_fewer_bundles_with_the_reason(session: Session) -> None:
    city = add_city(session)
    venue = add_venue(session, city, 'Solo Club', tags=['underground'])
    friday = datetime(2025, 12, 5, 19, 0, tzinfo=UTC)
    for hours in (0, 4, 8):
        add_event(session, venue, title=f'Set {hours}', tags=['techno'], starts_at=friday + timedelta(hours=hours))
    bundles, messages, request = run(SEED)
    assert len(bundles) == 1 and violations(bundles, request) == []
    assert 'only 1 distinct plan fit' in messages[-1]


def test_overlapping_events_only_is_an_error_that_says_so(session: Session) -> None:
    city = add_city(session)
    venue = add_venue(session, city)
    friday = datetime(2025, 12, 5, 19, 0, tzinfo=UTC)
    for minutes in (0, 30):
        add_event(session, venue, title=f'Set {minutes}', tags=['house'], starts_at=friday + timedelta(minutes=minutes))
    with pytest.raises(PlannerError, match='no two of them fit together without overlapping') as error:
        run(SEED)
    assert 'budget' not in str(error.value) and 'spread' not in str(error.value)


def test_events_too_far_apart_for_one_outing_say_so(session: Session) -> None:
    venue = add_venue(session, add_city(session))
    for day in (5, 19):  # two Fridays: each a fine night out, but not one outing together
        add_event(
            session, venue, title=f'House {day}', tags=['house'], starts_at=datetime(2025, 12, day, 20, tzinfo=UTC)
        )
    with pytest.raises(PlannerError) as error:
        run({**SEED, 'timeframe': 'Next 30 days'})
    message = str(error.value)
    assert '2 events match music or nightlife in Berlin' in message
    assert 'they are spread out: no two of them fall within one weekend' in message
    assert 'overlapping' not in message and 'Try more interests' in message


def test_events_over_the_budget_together_say_so(session: Session) -> None:
    venue = add_venue(session, add_city(session))
    friday = datetime(2025, 12, 5, 19, 0, tzinfo=UTC)
    for hours in (0, 4):
        starts_at = friday + timedelta(hours=hours)
        add_event(session, venue, title=f'House at {hours}', tags=['house'], price=(10, 20), starts_at=starts_at)
    with pytest.raises(PlannerError) as error:
        run({**SEED, 'budget': 30})
    message = str(error.value)
    assert 'no two of them fit together within a budget of 30' in message
    assert 'overlapping' not in message and 'higher budget' in message


def test_the_reason_is_the_one_that_left_out_most_events(session: Session) -> None:
    venue, far = add_venue(session, add_city(session)), add_venue(session, add_city(session), 'Far', 'Spandau')
    friday = datetime(2025, 12, 5, 19, 0, tzinfo=UTC)
    add_event(session, venue, title='House early', tags=['house'], starts_at=friday)
    add_event(session, far, title='House across town', tags=['house'], starts_at=friday + timedelta(hours=3.25))
    # Beyond a week of evenings (issue 10 lets one bundle span up to seven days of a long timeframe).
    add_event(session, venue, title='House next week', tags=['house'], starts_at=friday + timedelta(days=10))
    messages = set()
    for _ in range(2):
        with pytest.raises(PlannerError) as error:
            run({**SEED, 'interests': ['music'], 'otherPreferences': '', 'timeframe': 'Next 30 days'})
        messages.add(str(error.value))
    [message] = messages  # the same every time
    # Two house nights clash and the third is ten days off: the days apart left out more of them.
    assert '3 events match music' in message and 'they are spread out' in message


def test_weak_matches_make_a_plan_when_nothing_stronger_fits(session: Session) -> None:
    """Issue 10: a weak plan beats none; the quality floor is lowered before the planner gives up."""
    venue = add_venue(session, add_city(session))
    friday = datetime(2025, 12, 5, 19, 0, tzinfo=UTC)
    add_event(session, venue, title='Techno all night', tags=['techno'], starts_at=friday)
    add_event(session, venue, title='Schlager evening', tags=['schlager'], starts_at=friday + timedelta(hours=4))
    bundles, _messages, _request = run({'interests': ['music'], 'musicProfile': 'Techno', 'timeframe': 'This weekend'})
    assert [[k.title for k in b.key_events] for b in bundles] == [['Techno all night', 'Schlager evening']]


EVENING_MIXES = [['music', 'nightlife'], ['food', 'art'], ['comedy', 'film', 'theatre']]


@pytest.mark.parametrize('interests', EVENING_MIXES, ids='+'.join)
@pytest.mark.parametrize('timeframe', ['Tonight', 'Tomorrow'])
def test_every_evening_of_the_next_two_weeks_gives_plans(demo, timeframe: str, interests: list[str]) -> None:
    for day in range(14):
        now = (NOW + timedelta(days=day)).astimezone(BERLIN).replace(hour=17, minute=0)
        bundles, _, request = run({'interests': interests, 'timeframe': timeframe}, now)
        asked = f'{timeframe}, asked {now:%a %d %b %H:%M}'
        assert len(bundles) >= 2, asked
        assert violations(bundles, request) == [], asked
        assert_well_formed(bundles)


def test_a_short_gap_is_enough_next_door_but_not_across_town(session: Session) -> None:
    city = add_city(session)
    bar, club = add_venue(session, city, 'Bar', 'Kreuzberg'), add_venue(session, city, 'Club', 'Kreuzberg')
    far = add_venue(session, city, 'Far Club', 'Spandau')
    evening = datetime(2025, 12, 3, 19, 0, tzinfo=BERLIN)
    add_event(session, bar, title='Early', category='nightlife', starts_at=evening, hours=2)
    add_event(session, club, title='Next door', category='nightlife', starts_at=evening + timedelta(hours=2.25))
    add_event(session, far, title='Across town', category='nightlife', starts_at=evening + timedelta(hours=2.25))
    bundles, _, request = run({'interests': ['nightlife'], 'timeframe': 'Tonight'}, evening - timedelta(hours=1))
    assert [e.title for e in bundles[0].key_events] == ['Early', 'Next door']
    assert violations(bundles, request) == []
    early, next_door = bundles[0].key_events
    assert itinerary.travel_gap(early, next_door) == itinerary.NEARBY_GAP
    assert itinerary.travel_gap(early, early) == timedelta(0)


def test_tonight_asked_late_says_why_there_is_little(demo) -> None:
    late = datetime(2025, 12, 3, 23, 30, tzinfo=BERLIN)  # a Wednesday: every show and screening has begun
    with pytest.raises(
        PlannerError, match=r"It is 23:30: most of tonight's events have already started\. Try Tomorrow"
    ):
        run({'interests': ['comedy', 'film', 'theatre'], 'timeframe': 'Tonight'}, late)


CARD_FACTS = re.compile(
    r'\d{1,2}:\d{2}|[€$£]|\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d|\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b'
)


def all_key_events(bundles: list[Bundle]) -> list:
    return [e for b in bundles for e in b.key_events]


def test_why_names_the_matched_genre_or_venue_tag_and_not_what_the_card_shows(demo) -> None:
    bundles, _, _ = run({**SEED, 'budget': 80})
    for event in all_key_events(bundles):
        words = {t.replace('-', ' ') for t in event.tags if t in vocabulary.ALL_GENRES} | {'underground'}
        assert any(word in event.why.lower() for word in words), event.why
        assert not CARD_FACTS.search(event.why), event.why
        assert event.venue not in event.why
    # Wording varies from event to event instead of one template repeated down the card.
    whys = [e.why for e in all_key_events(bundles)]
    assert len({w.split(',')[0] for w in whys}) > 1


@pytest.mark.parametrize('interests', EVENING_MIXES, ids='+'.join)
def test_texts_read_like_an_editor_wrote_them(demo, interests: list[str]) -> None:
    openings: set[str] = set()
    for day in range(7):
        now = (NOW + timedelta(days=day)).astimezone(BERLIN).replace(hour=17, minute=0)
        bundles, _, _ = run({'interests': interests, 'timeframe': 'Tonight'}, now)
        assert len({b.title for b in bundles}) == len(bundles)
        for bundle in bundles:
            assert not bundle.title.startswith('More ')
            events = bundle.key_events
            # The arc: where it starts and where it ends, in one to three sentences.
            assert events[0].title in bundle.description and events[-1].venue in bundle.description
            plain = bundle.description
            for event in events:
                plain = plain.replace(event.title, 'X').replace(event.venue, 'Y')
            assert 2 <= len(re.findall(r'[.!?](?:\s|$)', plain)) <= 3, bundle.description
            openings.add(bundle.description.split()[0])
            for event in events:
                assert event.category in event.why, event.why  # the interest it answers
                assert not CARD_FACTS.search(event.why), event.why
    assert len(openings) >= 2  # not every description opens the same way


def test_titles_match_what_the_bundle_sounds_like(session: Session) -> None:
    city = add_city(session)
    chapel = add_venue(session, city, 'Chapel', '', tags=['church', 'seated'])  # no areas: no "Around X" theme
    cellar = add_venue(session, city, 'Cellar', '', tags=['underground'])
    evening = datetime(2025, 12, 3, 18, 0, tzinfo=BERLIN)
    for n, tags in enumerate([['ambient'], ['minimal', 'ambient'], ['ambient', 'experimental'], ['classical']]):
        add_event(session, chapel, title=f'Drone {n}', tags=tags, starts_at=evening + timedelta(hours=2 * n), hours=1.5)
    for n in range(2):
        add_event(
            session, cellar, title=f'Punk {n}', tags=['punk'], starts_at=evening + timedelta(hours=2 * n), hours=1.5
        )
    bundles, _, _ = run({'interests': ['music'], 'timeframe': 'Tonight'}, evening - timedelta(hours=1))
    quiet = [b for b in bundles if all('punk' not in e.tags for e in b.key_events)]
    assert quiet and all(b.title in ('Slow Sounds', 'Quiet Music, Close Up') for b in quiet), [b.title for b in quiet]
    loud = [b for b in bundles if all('punk' in e.tags for e in b.key_events)]
    assert [b.title for b in loud] == ['Loud & Fast']


def test_free_and_budget_show_in_the_why(demo) -> None:
    bundles, _, _ = run({'interests': ['art', 'music'], 'timeframe': 'Next 7 days', 'otherPreferences': 'free stuff'})
    free = [e for e in all_key_events(bundles) if e.price and e.price.max == 0]
    assert free and all('free' in e.why for e in free)


def test_step_delay_is_awaited_between_steps(demo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, 'offline_step_delay_s', 0.25)
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(planner.asyncio, 'sleep', fake_sleep)
    run(SEED)
    assert slept == [0.25] * 6  # after each of the three steps, then after each bundle stored


PROFILES = ['Electronic, House', 'Jazz', 'Indie, Folk', 'Hip Hop', 'classical', 'techno / dnb', '', 'Disco and soul']
FREE_TEXT = ['underground', 'cheap', 'rooftop', 'free', 'cosy', 'in Neukölln', 'late', 'no techno', 'outdoor', '']
TIMEFRAMES = ['Tonight', 'Tomorrow', 'This weekend', 'Next 7 days', 'Next 30 days']


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    interests=st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=4, unique=True),
    profile=st.sampled_from(PROFILES),
    words=st.lists(st.sampled_from(FREE_TEXT), max_size=3),
    timeframe=st.sampled_from(TIMEFRAMES),
    budget=st.one_of(st.none(), st.integers(min_value=0, max_value=120)),
    days_later=st.integers(min_value=0, max_value=6),
    hour=st.integers(min_value=0, max_value=23),
)
def test_any_preferences_give_grounded_deterministic_bundles(
    demo, interests, profile, words, timeframe, budget, days_later, hour
) -> None:
    now = NOW.replace(hour=hour) + timedelta(days=days_later)
    preferences = {
        'interests': interests,
        'musicProfile': profile,
        'otherPreferences': ', '.join(words),
        'timeframe': timeframe,
        'budget': budget,
    }
    try:
        bundles, _, request = run(preferences, now)
    except PlannerError as error:
        # A short window or a tiny budget may leave nothing to combine: a readable reason, never a crash.
        assert error.user_message
        broad = timeframe in ('Next 7 days', 'Next 30 days') and (budget is None or budget >= 40)
        assert not broad, error.user_message  # a week of the demo catalog always allows a plan
        return
    assert bundles
    assert violations(bundles, request) == []
    assert_well_formed(bundles)
    assert {e.category for b in bundles for e in b.key_events} <= set(interests)
    again, _, _ = run(preferences, now)
    assert [b.model_dump() for b in again] == [b.model_dump() for b in bundles]


def test_titles_of_plans_over_several_nights_name_a_theme_not_the_nights(demo) -> None:
    bundles, _, _ = run({'interests': ['music', 'nightlife'], 'musicProfile': 'House', 'timeframe': 'Next 7 days'})
    for bundle in bundles:
        nights = [e.starts_at - timedelta(hours=6) for e in bundle.key_events]
        if nights[0].date() != nights[-1].date():
            # Issue 10: the days go on their own line in the card, the title names the theme.
            assert describe_span(nights[0], nights[-1]) not in bundle.title, bundle.title
        assert 'another day' not in bundle.description
    names = [b.title.rsplit(', ', 1)[0] for b in bundles]
    assert len(set(names)) == len(names), names  # told apart by name, not only by date


@pytest.mark.parametrize('day', range(7), ids=['Wed', 'Thu', 'Fri', 'Sat', 'Sun', 'Mon', 'Tue'])
def test_the_seed_request_fits_on_every_day_of_the_week(session: Session, day: int) -> None:
    """Issue 19: electronic and house events, mostly at underground venues, whatever the day it is asked."""
    now = NOW + timedelta(days=day)
    refresh_demo_catalog(session=session, now=now)
    bundles, _, request = run(SEED, now)
    assert bundles and violations(bundles, request) == []
    events = all_key_events(bundles)
    assert all(ELECTRONIC & set(e.tags) or e.wildcard for e in events), [(e.title, e.tags) for e in events]
    assert not any('your pick' in e.why and e.wildcard for e in events)
    # Underground first, as far as the window holds underground electronic nights (a Sunday holds few): the
    # first plan is wholly underground, and underground venues are over-represented against what is on.
    city = queries.get_city(session=session, name='Berlin')
    window_events = queries.list_candidates(
        session=session, city=city, window=request.window, categories=SEED['interests']
    )
    on_taste = [e for e in window_events if ELECTRONIC & set(e.tags)]
    underground = {e.event_id for e in on_taste if 'underground' in e.tags}
    used = [e for e in events if e.event_id in underground]
    if len(underground) >= 2:
        assert all(e.event_id in underground for e in bundles[0].key_events), bundles[0].title
    assert len(used) / len(events) >= len(underground) / len(on_taste), [(e.title, e.tags) for e in events]


def test_why_lines_say_an_before_a_vowel_whatever_its_case() -> None:
    """'in an English-speaking venue', not 'in a English-speaking venue' (read on a comedy plan, 6 Dec)."""
    from services.planners.offline.why import a

    assert (a('English-speaking'), a('intimate'), a('cosy')) == ('an English-speaking', 'an intimate', 'a cosy')


def test_the_planner_takes_public_holidays_as_days_off_from_the_citys_time_zone(session: Session) -> None:
    # Thursday 25 Dec 2025 is Christmas Day in Germany: a 15:00 screening is free time, like a weekend's. One film
    # shows at 15:00 and at 20:45 (one title once), another in between: without the holidays the 15:00 show would
    # count as working hours and the plan would take the 20:45 one (a longer wait between); with them, the
    # matinee. The test city names no country: the planner reads it from the time zone (Europe/Berlin -> DE).
    cinema = add_venue(session, add_city(session), 'Kino Eins')
    day = datetime(2025, 12, 25, tzinfo=BERLIN)
    for title, hour, minute in (('Matinee: Casablanca', 15, 0), ('Brief Encounter', 17, 15), ('Casablanca', 20, 45)):
        starts = day.replace(hour=hour, minute=minute).astimezone(UTC)
        add_event(session, cinema, title=title, starts_at=starts, hours=1.75, category='film', tags=['drama'])
    bundles, _, _ = run({'interests': ['film'], 'timeframe': 'Tomorrow'}, now=datetime(2025, 12, 24, 10, tzinfo=BERLIN))
    assert [k.title for k in bundles[0].key_events] == ['Matinee: Casablanca', 'Brief Encounter']
