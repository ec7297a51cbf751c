"""What the plan page says about a plan: price per person, directions, what a change changed, and progress
that never promises a plan that may not come."""

from datetime import UTC, datetime, timedelta

from models.catalog import Price
from models.generation import Bundle, GenerationPublic, KeyEvent
from pages.bundle_card import directions_url, event_times
from pages.components import per_person
from pages.progressive import slots
from pages.refine_in_place import side_effects
from pages.running_view import cancel_text, ready_phrase

START = datetime(2026, 12, 5, 19, 0, tzinfo=UTC)


def event(event_id: str, *, hours_in: float = 0, price: tuple[float, float] = (10, 15), lat: float | None = 52.5):
    starts = START + timedelta(hours=hours_in)
    return KeyEvent(
        event_id=event_id,
        title=f'Event {event_id}',
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        venue='Halle',
        neighborhood='Mitte',
        price=Price(min=price[0], max=price[1], currency='EUR'),
        category='music',
        tags=[],
        url='https://tickets.example.com/1',
        why='',
        lat=lat,
        lon=13.4 if lat is not None else None,
    )


def bundle(*events: KeyEvent) -> Bundle:
    low = sum(e.price.min for e in events)
    high = sum(e.price.max for e in events)
    return Bundle(
        title='Plan', description='', key_events=list(events), estimated_cost=Price(min=low, max=high, currency='EUR')
    )


def running(count: int) -> GenerationPublic:
    return GenerationPublic.model_validate(
        {
            'generationId': '0' * 8 + '-0000-4000-8000-' + '0' * 12,
            'status': 'processing',
            'preferences': {'interests': ['music'], 'timeframe': 'Tonight'},
            'bundles': [bundle(event(str(i))).model_dump(by_alias=True) for i in range(count)],
            'error': None,
            'progress': [],
            'planner': 'offline',
            'window': {'start': START, 'end': START + timedelta(hours=8), 'timezone': 'UTC', 'label': 'Sat 5 Dec'},
            'createdAt': START,
            'updatedAt': START,
            'expiresAt': START + timedelta(days=1),
        }
    )


def test_prices_read_per_person_and_free_stays_free() -> None:
    assert per_person(Price(min=12, max=18, currency='EUR')) == '€12\u201318 per person'
    assert per_person(Price(min=0, max=0, currency='EUR')) == 'Free'
    assert per_person(None) == 'Price TBA'


def test_directions_only_where_the_venue_is_known() -> None:
    assert directions_url(event('a')) == 'https://www.openstreetmap.org/directions?to=52.500000%2C13.400000'
    assert directions_url(event('b', lat=None)) is None


def test_a_change_names_what_else_changed() -> None:
    before = bundle(event('a'), event('b', hours_in=2))
    after = bundle(event('a'), event('c', hours_in=3, price=(30, 40)))
    effects = side_effects(before, after)
    assert effects[0] == 'New: Event c'
    assert 'Cost: €40\u201355 per person (was €20\u201330)' in effects
    assert any(e.startswith('Ends Sat 23:00 (was Sat 22:00)') for e in effects)
    assert side_effects(before, before) == []


def test_progress_never_names_a_total_and_stops_looking_at_the_usual_count() -> None:
    assert slots(running(0)) == []
    assert slots(running(2))[-1] is None  # one more looked for
    assert None not in slots(running(3))  # the usual count reached: nothing more promised
    assert ready_phrase(running(0)) == 'Planning'
    assert ready_phrase(running(1)) == '1 plan ready so far'
    assert cancel_text(running(0)) == 'Stop planning'
    assert cancel_text(running(2)) == 'Stop here, keep 2 plans'


def test_a_drop_in_reads_when_to_drop_in_and_when_the_event_runs() -> None:
    long = event('open-air').model_copy(
        update={
            'ends_at': START + timedelta(hours=9),
            'visit_start': START + timedelta(hours=1),
            'visit_end': START + timedelta(hours=3, minutes=30),
        }
    )
    assert event_times(long) == 'Drop in 20:00\u201322:30 (runs 19:00\u201304:00)'
    assert event_times(event('show')) == '19:00\u201320:00'
