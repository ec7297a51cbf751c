"""The .ics export: LOCATION with the venue's name and address, GEO when the venue's position is known."""

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from models.catalog import Price
from models.generation import Bundle, GenerationPublic, KeyEvent, TimeWindow
from services.calendar_export import build_calendar

START = datetime(2025, 12, 5, 19, tzinfo=UTC)
WINDOW = TimeWindow(start=START, end=START + timedelta(days=2), timezone='Europe/Berlin', label='Fri 5 - Sun 7 Dec')


def key_event(event_id: str, hours: int, **place) -> KeyEvent:
    at = START + timedelta(hours=hours)
    return KeyEvent(
        event_id=event_id, title=event_id, starts_at=at, ends_at=at + timedelta(hours=1), venue=place.pop('venue'),
        neighborhood=place.pop('neighborhood', ''), price=Price(min=5, max=5, currency='EUR'), category='music',
        tags=[], url='https://tickets.example.com/1', why='fits', **place,
    )  # fmt: skip


def exported(*key_events: KeyEvent) -> list:
    bundle = Bundle(title='Night out', description='d', key_events=list(key_events), estimated_cost=None)
    generation = GenerationPublic(
        generation_id='g1', status='completed', preferences={}, bundles=[bundle], error=None, progress=[],
        planner='offline', window=WINDOW, created_at=START, updated_at=START, expires_at=START,
    )  # fmt: skip
    return Calendar.from_ical(build_calendar(generation, now=START)).walk('VEVENT')


def test_location_has_venue_and_address_and_geo_the_position() -> None:
    placed = key_event(
        'placed', 0, venue='Kesselhaus Ost', address='Rummelsburger Ufer 12', neighborhood='Friedrichshain',
        lat=52.50788, lon=13.45736,
    )  # fmt: skip
    [vevent] = exported(placed)
    assert str(vevent['LOCATION']) == 'Kesselhaus Ost, Rummelsburger Ufer 12, Friedrichshain'
    assert (vevent['GEO'].latitude, vevent['GEO'].longitude) == (52.50788, 13.45736)
    assert 'GEO:52.50788;13.45736' in vevent.to_ical().decode()


def test_an_unknown_position_or_address_is_left_out() -> None:
    unplaced = key_event('unplaced', 0, venue='Somewhere', neighborhood='Mitte')
    half = key_event('half', 2, venue='Half Known', lat=52.5, lon=None)
    first, second = exported(unplaced, half)
    assert str(first['LOCATION']) == 'Somewhere, Mitte'
    assert 'GEO' not in first and 'GEO' not in second
    assert str(second['LOCATION']) == 'Half Known'


def test_a_link_that_is_not_a_clean_http_url_is_left_out_and_the_export_still_works() -> None:
    # Plans stored before links were checked at the catalog's store may hold any text as a link.
    broken = [key_event(f'e{n}', n, venue='Hall') for n in range(4)]
    urls = ['https://tickets.example.com/a\r\nX-INJECTED:1', 'javascript:alert(1)', 'data:text/html,hi', ' ']
    for item, url in zip(broken, urls, strict=True):
        item.url = url
    vevents = exported(*broken)
    assert len(vevents) == 4
    assert all('URL' not in v and 'Tickets:' not in str(v['DESCRIPTION']) for v in vevents)
    assert all('INJECTED' not in v.to_ical().decode() for v in vevents)


def test_a_drop_in_is_exported_for_its_slot_and_says_when_the_event_runs() -> None:
    open_air = key_event('open-air', 0, venue='Wiese').model_copy(
        update={
            'ends_at': START + timedelta(hours=9),
            'visit_start': START + timedelta(hours=2),
            'visit_end': START + timedelta(hours=4, minutes=30),
        }
    )
    [vevent] = exported(open_air)
    assert vevent['DTSTART'].dt == START + timedelta(hours=2)
    assert vevent['DTEND'].dt == START + timedelta(hours=4, minutes=30)
    assert 'A drop-in visit: the event runs 20:00-05:00.' in str(vevent['DESCRIPTION'])
