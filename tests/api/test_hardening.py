"""Refusals an attacker or a careless client meets through the real app (docs/SECURITY.md): ids in any case,
dates far ahead, and user text that tries to reorder the app's own words."""

import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from nicegui.testing import User

from models.db import session_scope
from services import clock
from services.catalog import queries
from services.database import in_db
from services.planners.offline import OfflinePlanner
from services.text import isolate
from tests import factories
from tests.fakes.planners import PlannerSwitch, ScriptedPlanner
from tests.fakes.requests import seed_body

RIGHT_TO_LEFT_OVERRIDE = '\u202e'


@pytest.fixture
async def api(user: User) -> httpx.AsyncClient:
    for _ in range(100):  # the demo catalog is written by a start-up task
        if await in_db(queries.list_cities):
            break
        await asyncio.sleep(0.05)
    return user.http_client


async def poll(api: httpx.AsyncClient, generation_id: str, *statuses: str, timeout: float = 15) -> dict:
    async with asyncio.timeout(timeout):
        while (body := (await api.get(f'/api/generations/{generation_id}')).json())['status'] not in statuses:
            await asyncio.sleep(0.02)
    return body


async def test_an_id_in_capitals_cancels_the_same_generation(api, planners: PlannerSwitch) -> None:
    held = planners.use(ScriptedPlanner(hold=True))
    created = (await api.post('/api/generations', json=seed_body())).json()
    shouted = created['generationId'].upper()
    await poll(api, shouted, 'processing')
    response = await api.delete(f'/api/generations/{shouted}', headers={'X-Owner-Token': created['ownerToken']})
    assert response.status_code == 200
    assert response.json()['status'] == 'cancelled'
    assert response.json()['generationId'] == created['generationId']
    held.release.set()
    await asyncio.sleep(0.1)
    assert (await api.get(f'/api/generations/{created["generationId"]}')).json()['status'] == 'cancelled'


async def test_every_route_taking_an_id_reads_it_in_any_case(api, planners: PlannerSwitch) -> None:
    planners.use(OfflinePlanner())
    created = (await api.post('/api/generations', json=seed_body(timeframe='Next 7 days'))).json()
    shouted = created['generationId'].upper()
    body = await poll(api, shouted, 'completed', 'failed')
    assert body['status'] == 'completed', body['error']
    assert body['generationId'] == created['generationId']
    assert (await api.get(f'/api/generations/{shouted}/calendar.ics')).text.startswith('BEGIN:VCALENDAR')
    refined = await api.post(
        f'/api/generations/{shouted}/refinements', json={'bundleIndex': 0, 'instruction': 'cheaper'}
    )
    assert refined.status_code == 200, refined.text
    child = await poll(api, refined.json()['generationId'], 'completed', 'failed')
    assert child['parentId'] == created['generationId']


@pytest.mark.parametrize('city', ['Berlin', 'Honolulu'])
async def test_dates_far_ahead_are_refused_naming_the_field(api, city: str) -> None:
    with session_scope() as session:  # west of UTC, where year 9999 used to overflow in the planner
        factories.add_city(session, 'Honolulu', timezone='Pacific/Honolulu', currency='USD')
    today = clock.now().astimezone(ZoneInfo('Pacific/Honolulu' if city == 'Honolulu' else 'Europe/Berlin')).date()
    for start, end in (
        ('9999-12-30', '9999-12-31'),
        (str(today + timedelta(days=366)), str(today + timedelta(days=367))),
    ):
        response = await api.post('/api/generations', json=seed_body(city=city, timeframe={'start': start, 'end': end}))
        assert response.status_code == 422, response.text
        assert 'preferences.timeframe' in response.text and 'a year ahead' in response.text


async def test_a_right_to_left_override_in_an_instruction_cannot_reverse_the_app_s_words(
    api, planners: PlannerSwitch
) -> None:
    planners.use(OfflinePlanner())
    created = (await api.post('/api/generations', json=seed_body(timeframe='Next 7 days'))).json()
    await poll(api, created['generationId'], 'completed')
    instruction = f'jazz {RIGHT_TO_LEFT_OVERRIDE}please\u2069 more'  # a stray isolate end, to break out
    refined = await api.post(
        f'/api/generations/{created["generationId"]}/refinements', json={'bundleIndex': 0, 'instruction': instruction}
    )
    body = await poll(api, refined.json()['generationId'], 'completed', 'failed')
    told = body['error'] if body['status'] == 'failed' else body['bundles'][0]['description']
    quoted = isolate(instruction)
    assert quoted in told, told
    assert quoted == f'\u2068jazz {RIGHT_TO_LEFT_OVERRIDE}please more\u2069'  # the stray end is dropped
    before, _, after = told.partition(quoted)
    assert RIGHT_TO_LEFT_OVERRIDE not in before + after  # the override lives only inside the isolate
