"""The demo city reads like a real one on any day of the year: checked on four dates, one per season, over
the programme a refresh on that date writes (today and the coming DEMO_DAYS)."""

import re
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from astral import Observer
from astral.sun import sun
from opening_hours import OpeningHours
from sqlmodel import Session, col, select

from models.catalog import City, Event, Venue
from models.geo import distance_m
from services.catalog import demo
from services.catalog.demo_programme import DemoEvent, expand_programme

BERLIN = ZoneInfo('Europe/Berlin')
DATES = [date(2026, 1, 15), date(2026, 4, 15), date(2026, 7, 15), date(2026, 12, 6)]
SUMMER_ONLY = {'open-air', 'beer-garden', 'outdoor-cinema', 'lake-swim'}
SUMMER_WORDS = re.compile(r'open.air|beer garden|biergarten|freiluft|swim', re.IGNORECASE)
# A title naming a season is on in it (a menu of "Brandenburg Autumn" in July read wrong): (words, months).
# Not "spring": "Spring Awakening" is a play.
SEASON_WORDS = (
    (re.compile(r'autumn|herbst', re.IGNORECASE), {9, 10, 11}),
    (re.compile(r'winter', re.IGNORECASE), {11, 12, 1, 2, 3}),
    (re.compile(r'advent|christmas|weihnacht', re.IGNORECASE), {11, 12}),
)
DROP_IN_TAGS = {'bar', 'cafe', 'gallery', 'museum', 'market-hall', 'beer-garden', 'wine-bar', 'bookshop'}


def programme(day: date) -> list[DemoEvent]:
    """What a refresh on `day` writes: yesterday (a night still on), today and the coming DEMO_DAYS."""
    data = demo.load_demo_data()
    return expand_programme(data, first_day=day - timedelta(days=1), days=demo.DEMO_DAYS + 1, zone=BERLIN)


def local_day(event: DemoEvent) -> date:
    return event.starts_at.astimezone(BERLIN).date()


def sun_on(day: date) -> dict[str, datetime]:
    return sun(Observer(latitude=52.52, longitude=13.405), date=day, tzinfo=BERLIN)


def venues() -> list[dict]:
    return demo.load_demo_data()['venues']


@pytest.mark.parametrize('day', DATES, ids=str)
def test_no_performer_is_in_two_places_at_once(day: date) -> None:
    events = programme(day)
    acts = {act for e in events for act in e.performers}
    assert len(acts) >= 200  # the line-ups name real-sounding people and bands
    booked: dict[str, list[DemoEvent]] = defaultdict(list)
    for event in events:  # an act named in another event's title counts as appearing there too
        for act in set(event.performers) | {a for a in acts if a in event.title}:
            booked[act].append(event)
    for act, gigs in booked.items():
        gigs.sort(key=lambda e: e.starts_at)
        for i, gig in enumerate(gigs):
            clashes = [o for o in gigs[i + 1 :] if o.starts_at < gig.ends_at and o.venue_key != gig.venue_key]
            assert not clashes, (act, gig.title, gig.starts_at, [(o.venue_key, o.starts_at) for o in clashes])


def test_venues_have_names_of_their_own() -> None:
    names = [v['name'] for v in venues()]
    districts = set(demo.load_demo_data()['neighborhoodCentres'])
    assert len(names) == len(set(names)) >= 160  # a real city's scale, no two alike
    assert not [n for n in names if any(n.endswith(d) for d in districts)]  # no "Eckbar Kreuzberg" clones
    assert not [n for n in names if n.split()[0] in ('Eckbar', 'Konzertsaal', 'Kiezkino', 'Keller', 'Kiezpark')]


def test_every_venue_has_an_address_in_its_neighbourhood() -> None:
    centres = demo.load_demo_data()['neighborhoodCentres']
    for venue in venues():
        assert re.search(r'\w{3,}', venue['address']), venue['key']
        lat, lon = centres[venue['neighborhood']]
        assert distance_m(venue['lat'], venue['lon'], lat, lon) < 1500, venue['key']
    generated = [v['address'] for v in venues() if v['key'].startswith('gen-')]
    assert all(re.fullmatch(r'\D+ \d+', a) for a in generated)  # a street and a house number
    assert len(set(generated)) == len(generated)


@pytest.mark.parametrize('day', DATES, ids=str)
def test_every_stored_event_has_an_address_and_a_position(session: Session, day: date) -> None:
    demo.refresh_demo_catalog(session=session, now=datetime.combine(day, time(10), BERLIN).astimezone(UTC))
    rows = session.exec(select(Event, Venue).join(Venue, col(Venue.id) == col(Event.venue_id))).all()
    assert len(rows) > 3000
    assert all(v.address and v.lat is not None and v.lon is not None for _, v in rows)
    assert session.exec(select(City)).one().is_demo


@pytest.mark.parametrize('day', DATES, ids=str)
def test_seasonal_events_keep_to_their_season(day: date) -> None:
    events = programme(day)
    for event in events:
        start = event.starts_at.astimezone(BERLIN)
        if SUMMER_ONLY & set(event.tags) or SUMMER_WORDS.search(event.title):
            assert 5 <= start.month <= 9, (event.title, start)
        if 'christmas-market' in event.tags:
            assert (start.month, start.day) >= (11, 20) and (start.month, start.day) <= (12, 23), (event.title, start)
        if 'new-years-eve' in event.tags:
            assert (start.month, start.day) == (12, 31), (event.title, start)
        for words, months in SEASON_WORDS:
            if words.search(event.title):
                assert start.month in months, (event.title, start)
    week = [e for e in events if day <= local_day(e) < day + timedelta(days=7)]
    kinds = {tag for e in week for tag in e.tags}
    if day.month == 7:  # summer has its open airs, beer gardens, outdoor cinema and swims
        assert kinds >= SUMMER_ONLY
    if day.month == 12:  # a Christmas market every day of the week, and New Year's Eve in the coming month
        assert {local_day(e) for e in week if 'christmas-market' in e.tags} == {
            day + timedelta(days=n) for n in range(7)
        }
        assert sum('new-years-eve' in e.tags for e in events) >= 4
    if day.month in (1, 4, 12):
        assert not SUMMER_ONLY & kinds


@pytest.mark.parametrize('day', DATES, ids=str)
def test_walks_keep_to_daylight(day: date) -> None:
    walks = [e for e in programme(day) if {'walk', 'walking-tour', 'night-walk', 'astronomy'} & set(e.tags)]
    assert walks
    for walk in walks:
        light = sun_on(local_day(walk))
        label = walk.title.lower()
        if 'sunset' in label:  # ends within half an hour of the real sunset
            assert abs(walk.ends_at - light['sunset']) <= timedelta(minutes=30), (walk.title, walk.starts_at)
        elif {'night-walk', 'astronomy'} & set(walk.tags) or 'evening' in label or 'night' in label:
            assert walk.starts_at >= light['sunset'], (walk.title, walk.starts_at)
        else:  # a daylight walk: in daylight
            assert light['sunrise'] <= walk.starts_at and walk.ends_at <= light['sunset'] + timedelta(minutes=30), (
                walk.title,
                walk.starts_at,
            )


@pytest.mark.parametrize('day', DATES, ids=str)
def test_family_events_are_in_the_daytime(day: date) -> None:
    family = [e for e in programme(day) if 'family' in e.tags]
    assert len(family) >= 10
    for event in family:
        assert event.starts_at.astimezone(BERLIN).hour >= 9, event.title
        assert event.ends_at.astimezone(BERLIN).time() <= time(20), event.title


@pytest.mark.parametrize('day', DATES, ids=str)
def test_one_title_in_one_place_a_day_and_no_film_two_days_running(day: date) -> None:
    places: dict[tuple[date, str], set[str]] = defaultdict(set)
    films: dict[str, list[tuple[date, str]]] = defaultdict(list)
    for event in programme(day):
        places[local_day(event), event.title].add(event.venue_key)
        if event.category == 'film':
            films[film_name(event.title)].append((local_day(event), event.venue_key))
    assert not {key: where for key, where in places.items() if len(where) > 1}
    for film, shows in films.items():
        shows.sort()
        close = [(a, b) for a, b in pairwise(shows) if (b[0] - a[0]).days <= 1]
        assert not close, (film, close)


def film_name(title: str) -> str:
    name = title.split(': ', 1)[-1]
    name = re.sub(r'\s*\((OmU|35mm|1977|with props)[^)]*\)|\s*\+ talk', '', name)
    return name.strip().strip('"').lower()


@pytest.mark.parametrize('day', DATES, ids=str)
def test_every_season_has_long_drop_in_events_by_day(day: date) -> None:
    events = programme(day)
    for offset in range(7):
        today = [e for e in events if local_day(e) == day + timedelta(days=offset)]
        long_daytime = [e for e in today if e.ends_at - e.starts_at > timedelta(hours=3) and e.starts_at.hour < 15]
        assert len(long_daytime) >= 3, (day + timedelta(days=offset), [e.title for e in long_daytime])


@pytest.mark.parametrize('day', DATES, ids=str)
def test_prices_statuses_and_languages_read_like_a_real_listing(day: date) -> None:
    events = [e for e in programme(day) if local_day(e) >= day]
    statuses = {e.status for e in events}
    assert {'scheduled', 'sold_out', 'cancelled'} <= statuses
    assert any(e.price == (0.0, 0.0) for e in events) and any(e.price and e.price[0] > 0 for e in events)
    english = sum('english' in e.tags for e in events) / len(events)
    assert 0.08 <= english <= 0.4, english


def test_opening_hours_parse_and_drop_in_places_have_them() -> None:
    for venue in venues():
        if venue.get('opening_hours'):
            OpeningHours(venue['opening_hours'])  # raises on a typo
        if DROP_IN_TAGS & set(venue['tags']):
            assert venue.get('opening_hours'), venue['key']
    assert sum(bool(v.get('opening_hours')) for v in venues()) >= 50


@pytest.mark.parametrize('day', DATES, ids=str)
def test_long_drop_in_events_start_while_their_venue_is_open(day: date) -> None:
    hours = {v['key']: OpeningHours(v['opening_hours']) for v in venues() if v.get('opening_hours')}
    specials = {item['key'] for item in demo.load_demo_data()['one_offs']}  # one-offs may open a venue specially
    drop_ins = [
        e
        for e in programme(day)
        if e.venue_key in hours and e.ends_at - e.starts_at > timedelta(hours=3) and e.source_id[:-11] not in specials
    ]
    assert len(drop_ins) >= 100
    closed = [e for e in drop_ins if not hours[e.venue_key].is_open(e.starts_at.replace(tzinfo=None))]
    assert not closed, [(e.title, e.venue_key, e.starts_at) for e in closed]


def test_step_free_access_is_known_where_it_can_be() -> None:
    access = [v.get('step_free') for v in venues()]
    assert access.count(True) >= 40 and access.count(False) >= 10 and access.count(None) >= 10
    for venue in venues():  # a wish for "step-free" finds the venue by its tag too
        assert ('step-free' in venue['tags']) == (venue.get('step_free') is True), venue['key']


@pytest.mark.parametrize('day', DATES, ids=str)
def test_every_evening_of_every_season_has_a_programme_from_early_to_late(day: date) -> None:
    events = programme(day)
    for offset in range(7):
        evening = datetime.combine(day + timedelta(days=offset), time(17), BERLIN)
        night = evening + timedelta(hours=13)
        tonight = [e for e in events if evening <= e.starts_at < night and e.status != 'cancelled']
        for category in ('music', 'nightlife', 'food', 'art', 'comedy', 'film', 'theatre'):
            mine = [e for e in tonight if e.category == category]
            assert mine, (evening.date(), category)
            # Two that follow one another: an early step and a later one, not four things at 20:00.
            fits = any(b.starts_at >= a.ends_at + timedelta(minutes=30) for a in mine for b in mine)
            assert fits or category == 'theatre', (evening.date(), category)
        assert {17, 18, 19, 20, 21, 22, 23} <= {e.starts_at.hour for e in tonight}


@pytest.mark.parametrize('day', DATES, ids=str)
def test_every_day_of_the_week_is_as_full_as_a_real_citys(day: date) -> None:
    # Weeknights too have stand-up and bars with DJs in several places, afternoons have screenings and the
    # weekend has talks: an "earlier" film or a Tuesday of comedy has somewhere to go.
    events = [e for e in programme(day) if e.status != 'cancelled']
    for offset in range(7):
        today = day + timedelta(days=offset)
        on = [e for e in events if local_day(e) == today]
        evening = [e for e in on if e.starts_at.hour >= 17]
        for category in ('comedy', 'nightlife'):
            assert len({e.venue_key for e in evening if e.category == category}) >= 5, (today, category)
        assert len([e for e in on if e.category == 'film' and e.starts_at.hour < 17]) >= 5, today
        assert [e for e in on if e.category == 'talks'], today
