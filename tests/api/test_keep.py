"""`POST/DELETE /api/generations/{id}/keep`: the owner keeps a plan past the TTL clean-up and can let it go."""

import asyncio
import uuid
from datetime import timedelta

import httpx
import pytest
from nicegui.testing import User

from services import clock, database
from services.generations import store
from settings import settings
from tests.fakes.planners import PlannerSwitch, ScriptedPlanner
from tests.fakes.requests import seed_body

BODY = seed_body()


@pytest.fixture
def api(user: User, planners: PlannerSwitch) -> httpx.AsyncClient:
    planners.use(ScriptedPlanner(steps=('Searched 12 events',)))
    return user.http_client


async def completed(api: httpx.AsyncClient) -> dict:
    created = (await api.post('/api/generations', json=BODY)).json()
    async with asyncio.timeout(5):
        while (await api.get(f'/api/generations/{created["generationId"]}')).json()['status'] != 'completed':
            await asyncio.sleep(0.02)
    return created


async def test_the_owner_keeps_a_plan_and_the_sweep_leaves_it(api: httpx.AsyncClient) -> None:
    created = await completed(api)
    path = f'/api/generations/{created["generationId"]}'
    assert (await api.get(path)).json()['kept'] is False
    for headers in ({}, {'X-Owner-Token': 'not-the-token'}):
        refused = await api.post(f'{path}/keep', headers=headers)
        assert refused.status_code == 403
        assert refused.json() == {'error': 'Only the browser that started this plan can keep it.'}
    kept = await api.post(f'{path}/keep', headers={'X-Owner-Token': created['ownerToken']})
    assert kept.status_code == 200 and kept.json()['kept'] is True

    later = clock.now() + timedelta(hours=settings.generation_ttl_hours + 1)
    await database.in_db(store.delete_expired, now=later)
    assert (await api.get(path)).json()['kept'] is True

    unkept = await api.delete(f'{path}/keep', headers={'X-Owner-Token': created['ownerToken']})
    assert unkept.status_code == 200 and unkept.json()['kept'] is False


@pytest.mark.parametrize('method', ['POST', 'DELETE'])
async def test_keeping_an_unknown_plan_is_404(api: httpx.AsyncClient, method: str) -> None:
    response = await api.request(method, f'/api/generations/{uuid.uuid4()}/keep', headers={'X-Owner-Token': 'x'})
    assert response.status_code == 404
    assert response.json() == {'error': 'Generation not found'}
