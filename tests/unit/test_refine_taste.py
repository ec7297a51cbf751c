""" "Earlier", "later", "cheaper" and "closer together" change time, price or place, never the person's taste: an
earlier classical recital is no answer for someone who asked for house."""

from datetime import UTC, datetime, timedelta

import pytest

from models.catalog import EventPublic, Price
from models.generation import Bundle, Preferences, TimeWindow
from services.planners.base import PlannerError, PlanRequest, Refinement
from services.planners.grounding import key_event_from
from services.planners.offline.refine import _refine

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


def earlier(pool: list[EventPublic]) -> Bundle:
    plan = Bundle(
        title='Night Moves', description='', estimated_cost=None,
        key_events=[key_event_from(WARM_UP, 'house'), key_event_from(CLUB, 'deep house')],
    )  # fmt: skip
    refinement = Refinement(bundles=[plan], bundle_index=0, instruction='earlier')
    return _refine(PlanRequest('g1', HOUSE, WINDOW, 'Berlin', refinement=refinement), refinement, pool)


def test_earlier_never_trades_the_persons_music_for_an_earlier_start() -> None:
    with pytest.raises(PlannerError, match='No earlier events to your taste fit'):
        earlier([WARM_UP, CLUB, RECITAL])


def test_earlier_takes_an_earlier_event_of_their_music_when_there_is_one() -> None:
    early_house = event(4, 'Sunset House Session', 19, 1.5, 'house')
    changed = earlier([WARM_UP, CLUB, RECITAL, early_house])
    titles = [k.title for k in changed.key_events]
    assert 'Sunset House Session' in titles and 'Piano Recital' not in titles
