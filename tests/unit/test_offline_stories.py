"""The offline planner's words as a person reads them: stories that say when and where the plan goes next,
titles that say what the plan is (docs/QUALITY.md, "Read as the person who asked")."""

from datetime import timedelta

from models.generation import Preferences, TimeWindow
from services.planners.offline.scoring import score_events
from services.planners.offline.taste import read_taste
from services.planners.offline.writing import Picked, Wording, as_visited, describe_route, write_bundle
from services.planning.slots import Visit
from services.planning.wish import Wish
from tests.unit.test_offline_delivery import START, event


def test_every_ending_of_a_story_says_when_a_last_stop_on_another_day_is() -> None:
    # Read in an answer for "Next 7 days": "Start with Nachtküche ... Feierabendmarkt ... at Arminiusmarkthalle
    # rounds off the day": the market was on the next day, and the story did not say so.
    stories = set()
    for n in range(12):  # the ending's wording is picked by the events' ids: every wording is met
        late = event(n, 'Late ramen', 0, 22, category='food')
        market = event(100 + n, 'Feierabendmarkt', 1, 17, category='food')
        stories.add(describe_route([late, market]))
    assert len(stories) >= 3 and all('Thursday' in story for story in stories), stories
    # A week on, the weekday alone would read as the nearer one: Christmas Eve, then "on Thursday" for New Year's Eve.
    week_later = {describe_route([event(n, 'Late ramen', 0, 22), event(100 + n, 'Market', 8, 17)]) for n in range(12)}
    assert all('Thursday 11 Dec' in story for story in week_later), week_later


def test_a_story_names_what_comes_on_at_one_venue_and_the_day_after_a_club_night() -> None:
    # Read in summer answers: "on to Kino Odeonchen, stay on at Kino Odeonchen, and stay on at Kino Odeonchen,
    # where ..."; and "a short walk to Pumpwerk, a short walk to Plattenladen Lautstark" for a club until 06:00 on
    # Friday and a record shop at 16:00 on Saturday.
    films = [event(n, f'Film {n}', 3, hour) for n, hour in ((1, 15), (2, 17), (3, 20))]
    films = [f.model_copy(update={'venue': 'Kino Odeonchen'}) for f in films]
    stories = {describe_route([event(9 + n, 'Opener', 0, 20), *films]) for n in range(6)}
    for story in stories:
        assert story.count('Kino Odeonchen') == 1 and 'stay on for Film 2, and then Film 3, which' in story, story
    club = event(20, 'All night', 2, 23, category='nightlife')
    club = club.model_copy(update={'ends_at': club.starts_at + timedelta(hours=7)})
    shop = event(21, 'In-store', 3, 16, category='music')
    assert 'on Saturday' in describe_route([event(22, 'Gig', 2, 20), club, shop, event(23, 'Bar', 3, 21)])


def test_the_story_tells_a_drop_in_by_its_visit_not_its_opening_hours() -> None:
    # A beer garden open from noon, visited 21:30-23:00 after a reading, "rounds off the night"; a bar night
    # visited from midnight is still that night ("on Thursday" for the next evening, not "later that day").
    stories = []
    for n in range(6):  # the story's wording varies with the events: every variant says it so
        reading = event(10 + n, 'Reading', 1, 18)
        garden = event(20 + n, 'Beer garden', 1, 12, category='food')
        garden = garden.model_copy(update={'ends_at': garden.starts_at + timedelta(hours=11)})
        late = garden.starts_at + timedelta(hours=9, minutes=30)
        stories.append(describe_route([reading, as_visited(garden, (late, late + timedelta(minutes=90)))]))
        bar = event(40 + n, 'Late bar', 1, 18).model_copy(update={'ends_at': late + timedelta(hours=4, minutes=30)})
        midnight = late + timedelta(hours=2, minutes=30)  # the bar's last slot, 00:00-02:00
        stories.append(describe_route([reading, as_visited(bar, (midnight, midnight + timedelta(hours=2)))]))
    assert any('rounds off the night' in story for story in stories)
    assert not any('rounds off the day' in story for story in stories)
    bar = event(30, 'Late bar', 1, 22)
    bar = bar.model_copy(update={'ends_at': bar.starts_at + timedelta(hours=4)})
    midnight = bar.starts_at + timedelta(hours=2)
    night = as_visited(bar, (midnight, midnight + timedelta(hours=2)))
    route = [event(31, 'Early show', 1, 19), night, event(32, 'Next show', 2, 20), event(33, 'Last show', 2, 22)]
    story = describe_route(route)  # the way from the bar to the next evening's show is a middle step: always told
    assert 'later that day' not in story and 'on Friday' in story


def test_a_title_tells_a_drop_in_by_its_visit() -> None:
    # An open-air bar from noon, visited 21:30-23:00 before a late show: an "Open Air Night", not a "Day".
    garden = event(1, 'Rooftop bar', 1, 12, category='food').model_copy(update={'tags': ['open-air']})
    garden = garden.model_copy(update={'ends_at': garden.starts_at + timedelta(hours=11)})
    show = event(2, 'Late show', 1, 23).model_copy(update={'tags': ['open-air']})
    prefs = Preferences(interests=['food', 'film'], timeframe='Tomorrow')
    taste = read_taste(prefs)
    scored = {s.event.event_id: s for s in score_events([garden, show], taste)}
    late = garden.starts_at + timedelta(hours=9, minutes=30)
    stops = [Picked(scored['e1'], Visit(0, late, late + timedelta(minutes=90), True)), Picked(scored['e2'])]
    window = TimeWindow(start=START, end=START + timedelta(days=2), timezone='UTC', label='x')
    bundle = write_bundle('tag:open-air', stops, Wording(taste=taste, wish=Wish(), window=window))
    assert bundle.title == 'Open Air Night'


def test_a_plan_of_two_beer_gardens_is_not_called_a_dinner() -> None:
    # Read at a summer clock: "Dinner Double Bill" for a beer garden by the canal and one under chestnut trees.
    gardens = [
        event(n, title, day, 18, category='food').model_copy(update={'tags': ['beer-garden', 'open-air']})
        for n, title, day in ((1, 'Beer garden by the canal', 0), (2, 'Biergarten season', 1))
    ]
    prefs = Preferences(interests=['food'], timeframe='Next 7 days')
    taste = read_taste(prefs)
    stops = [Picked(s) for s in score_events(gardens, taste)]
    window = TimeWindow(start=START, end=START + timedelta(days=7), timezone='UTC', label='x')
    bundle = write_bundle('cover:food', stops, Wording(taste=taste, wish=Wish(), window=window))
    assert 'Dinner' not in bundle.title, bundle.title
