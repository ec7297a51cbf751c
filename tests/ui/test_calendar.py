"""`GET /api/generations/{id}/calendar.ics`: the bundles as iCalendar, 404 JSON like the API otherwise."""

import uuid

from icalendar import Calendar
from nicegui.testing import User

from models.db import session_scope
from models.generation import Generation, Preferences
from services.generations import service
from tests.ui.conftest import eventually


async def completed_generation() -> str:
    preferences = Preferences(interests=['music'], timeframe='Next 7 days')
    row = await service.start_generation(preferences=preferences, client_id='browser:test')

    def done() -> bool:
        with session_scope() as session:
            return session.get(Generation, row.id).status == 'completed'

    await eventually(done)
    return row.id


async def test_one_bundle_as_ics(user: User) -> None:
    generation_id = await completed_generation()
    response = await user.http_client.get(f'/api/generations/{generation_id}/calendar.ics?bundle=1')
    assert response.status_code == 200
    assert response.headers['content-type'].startswith('text/calendar')
    assert 'attachment; filename="warehouse-weekend-2.ics"' in response.headers['content-disposition']
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk('VEVENT')
    assert len(events) == 1
    assert str(events[0]['SUMMARY']) == 'Deep House Night'
    assert str(events[0]['LOCATION']) == 'Kraftwerk Hall, Mitte'
    assert str(events[0]['URL']) == 'https://tickets.example.com/1'
    assert events[0]['DTSTART'].params['TZID'] == 'Europe/Berlin'
    assert calendar.walk('VTIMEZONE')


async def test_all_bundles_without_a_number(user: User) -> None:
    generation_id = await completed_generation()
    response = await user.http_client.get(f'/api/generations/{generation_id}/calendar.ics')
    assert response.status_code == 200
    assert len(Calendar.from_ical(response.content).walk('VEVENT')) == 3


async def test_unknown_generation_or_bundle_is_404_json(user: User) -> None:
    response = await user.http_client.get(f'/api/generations/{uuid.uuid4()}/calendar.ics')
    assert response.status_code == 404
    assert response.json() == {'error': 'Generation not found'}
    generation_id = await completed_generation()
    response = await user.http_client.get(f'/api/generations/{generation_id}/calendar.ics?bundle=7')
    assert response.status_code == 404
    assert 'No bundle 7' in response.json()['error']
