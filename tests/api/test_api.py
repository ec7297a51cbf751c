"""The HTTP API contract (docs/ARCHITECTURE.md, API), through the real app (NiceGUI's User fixture)."""

import asyncio
import gzip
import uuid
from datetime import timedelta

import httpx
import pytest
from nicegui.testing import User
from sqlmodel import col, update

from models import db
from models.catalog import CATEGORIES
from models.generation import Generation, GenerationPublic
from services import clock
from services.generations import read_json, service, store
from settings import settings
from tests.fakes.planners import PlannerSwitch, ScriptedPlanner
from tests.fakes.requests import seed_body

BODY = seed_body()
pytestmark = pytest.mark.databases()


@pytest.fixture
def planner(planners: PlannerSwitch) -> ScriptedPlanner:
    return planners.use(ScriptedPlanner(steps=('Searched 12 events',)))


@pytest.fixture
def api(user: User) -> httpx.AsyncClient:
    return user.http_client


async def poll(api: httpx.AsyncClient, generation_id: str, *statuses: str) -> dict:
    async with asyncio.timeout(5):
        while (body := (await api.get(f'/api/generations/{generation_id}')).json())['status'] not in statuses:
            await asyncio.sleep(0.02)
    return body


async def test_post_answers_at_once_and_get_reads_the_result(api, planner) -> None:
    created = await api.post('/api/generations', json=BODY)
    assert created.status_code == 200, created.text
    assert created.json()['status'] in ('pending', 'processing')
    generation_id = created.json()['generationId']
    assert uuid.UUID(generation_id).version == 4

    body = await poll(api, generation_id, 'completed')
    assert body['generationId'] == generation_id
    assert body['preferences']['musicProfile'] == 'Electronic, House'
    assert body['planner'] == 'offline'
    assert len(body['bundles']) == 3
    assert body['bundles'][0]['keyEvents'][0]['startsAt']
    assert body['error'] is None
    assert body['progress'][0]['message'] == 'Searched 12 events'
    assert {'createdAt', 'updatedAt', 'expiresAt'} <= body.keys()


async def test_get_serves_exactly_what_the_model_would_encode(api, planner) -> None:
    """GET splices the stored JSON (services.generations.read_json): it must equal GenerationPublic's encoding."""
    generation_id = (await api.post('/api/generations', json=BODY)).json()['generationId']
    served = await poll(api, generation_id, 'completed')
    with db.session_scope() as session:
        row = store.get_generation(session=session, generation_id=generation_id, now=clock.now())
        assert row is not None
        encoded = GenerationPublic.from_row(row).model_dump(mode='json')
    assert served == encoded
    assert served['progress'][0]['at'].endswith('Z') and served['bundles'][0]['keyEvents']


async def test_get_shows_every_write_to_a_plan_it_served_before(api, planner) -> None:
    """GET keeps the bodies it made (read_json._Bodies) and must never serve one a write has made stale: a new
    progress line, without any change of status, shows on the next read."""
    generation_id = (await api.post('/api/generations', json=BODY)).json()['generationId']
    served = await poll(api, generation_id, 'completed')
    assert (await api.get(f'/api/generations/{generation_id}')).json() == served  # read again, unchanged
    later = clock.now() + timedelta(seconds=1)
    entries = [*served['progress'], {'at': later.isoformat().replace('+00:00', 'Z'), 'message': 'A late note'}]
    with db.session_scope() as session:
        session.exec(
            update(Generation).where(col(Generation.id) == generation_id).values(progress=entries, updated_at=later)
        )
        session.commit()
    again = (await api.get(f'/api/generations/{generation_id}')).json()
    assert again['progress'][-1]['message'] == 'A late note' and again['status'] == 'completed'


async def test_get_sends_the_plan_gzipped_to_a_client_that_accepts_gzip(api, planner) -> None:
    """Pollers that accept gzip get the body compressed (once per version, kept with it); the bytes are the
    plain body's, and a client that refuses gzip gets the plain body."""
    generation_id = (await api.post('/api/generations', json=BODY)).json()['generationId']
    await poll(api, generation_id, 'completed')
    url = f'/api/generations/{generation_id}'
    plain = await api.get(url, headers={'Accept-Encoding': 'identity'})
    assert 'content-encoding' not in plain.headers and 'Accept-Encoding' in plain.headers['vary']
    for _ in range(2):  # made, then served again from the kept bodies
        async with api.stream('GET', url, headers={'Accept-Encoding': 'br, gzip;q=0.8'}) as response:
            raw = b''.join([chunk async for chunk in response.aiter_raw()])
        assert response.headers['content-encoding'] == 'gzip' and 'Accept-Encoding' in response.headers['vary']
        assert gzip.decompress(raw) == plain.content and len(raw) < len(plain.content)
    refused = await api.get(url, headers={'Accept-Encoding': 'gzip;q=0, identity'})
    assert 'content-encoding' not in refused.headers and refused.content == plain.content
    with db.session_scope() as session:  # compressed once for this version of the row, then kept
        made = [
            read_json.read_generation_json(
                session=session, generation_id=generation_id, now=clock.now(), compressed=True
            )
            for _ in range(2)
        ]
    assert made[0] is made[1] and gzip.decompress(made[0]) == plain.content


async def test_idempotent_replay_returns_the_same_generation(api, planner) -> None:
    headers = {'Idempotency-Key': 'form-123'}
    first = await api.post('/api/generations', json=BODY, headers=headers)
    second = await api.post('/api/generations', json=BODY, headers=headers)
    assert second.status_code == 200, second.text
    assert second.status_code == 200
    assert second.json()['generationId'] == first.json()['generationId']
    other = {'preferences': {**BODY['preferences'], 'interests': ['food']}}
    conflict = await api.post('/api/generations', json=other, headers=headers)
    assert conflict.status_code == 422
    assert conflict.json()['field'] == 'Idempotency-Key'


@pytest.mark.parametrize(
    ('preferences', 'field'),
    [
        ({'interests': ['music'], 'timeframe': 'Someday'}, 'preferences.timeframe'),
        ({'interests': ['knitting'], 'timeframe': 'Tonight'}, 'preferences.interests'),
        ({'interests': [], 'timeframe': 'Tonight'}, 'preferences.interests'),
        ({'interests': 'music', 'timeframe': 'Tonight'}, 'preferences.interests'),
        ({'interests': list(CATEGORIES[:9]), 'timeframe': 'Tonight'}, 'preferences.interests'),
        ({'timeframe': 'Tonight'}, 'preferences.interests'),
        ({'interests': ['music'], 'timeframe': 'Tonight', 'musicProfile': 'x' * 201}, 'preferences.musicProfile'),
        (
            {'interests': ['music'], 'timeframe': 'Tonight', 'otherPreferences': 'x' * 1001},
            'preferences.otherPreferences',
        ),
        ({'interests': ['music'], 'timeframe': 'Tonight', 'budget': -5}, 'preferences.budget'),
        ({'interests': ['music'], 'timeframe': 'Tonight', 'budget': 'cheap'}, 'preferences.budget'),
        ({'interests': ['music'], 'timeframe': 'Tonight', 'budget': 'NaN'}, 'preferences.budget'),
        ({'interests': ['music'], 'timeframe': 'Tonight', 'city': 'Atlantis'}, 'preferences.city'),
        ({'interests': ['music'], 'timeframe': 'Tonight', 'city': '%'}, 'preferences.city'),
        ({'interests': ['music'], 'timeframe': {'start': '2026-12-06', 'end': '2026-12-04'}}, 'preferences.timeframe'),
        ({'interests': ['music'], 'timeframe': 'Tonight', 'surprise': True}, 'preferences.surprise'),
    ],
)
async def test_invalid_preferences_name_the_field(api, planner, preferences: dict, field: str) -> None:
    response = await api.post('/api/generations', json={'preferences': preferences})
    assert response.status_code == 422
    assert response.json()['field'].startswith(field)
    assert response.json()['reason']


@pytest.mark.parametrize('content', [b'', b'not json', b'[]', b'{"preferences": null}', b'{}'])
async def test_malformed_bodies_are_422(api, planner, content: bytes) -> None:
    response = await api.post('/api/generations', content=content, headers={'Content-Type': 'application/json'})
    assert response.status_code == 422
    assert 'field' in response.json()


async def test_huge_bodies_are_refused_before_reading(api, planner) -> None:
    huge = {'preferences': {**BODY['preferences'], 'otherPreferences': 'x' * 200_000}}
    response = await api.post('/api/generations', json=huge)
    assert response.status_code == 413


async def test_huge_chunked_bodies_are_refused_too(api, planner) -> None:
    async def chunks():
        for _ in range(100):
            yield b'x' * 1024

    response = await api.post('/api/generations', content=chunks(), headers={'Content-Type': 'application/json'})
    assert response.status_code == 413


async def test_too_many_generations_get_429_with_retry_after(api, planner, monkeypatch) -> None:
    monkeypatch.setattr(settings, 'rate_limit_per_hour', 2)
    for _ in range(2):
        assert (await api.post('/api/generations', json=BODY)).status_code == 200
    refused = await api.post('/api/generations', json=BODY)
    assert refused.status_code == 429
    assert 3500 <= int(refused.headers['Retry-After']) <= 3601


@pytest.mark.parametrize('generation_id', ['21921485-aff7-4128-9441-e73536612f0a', 'not-a-uuid', '%2e%2e', 'x' * 500])
async def test_unknown_or_malformed_ids_are_404(api, generation_id: str) -> None:
    for method in ('GET', 'DELETE'):
        response = await api.request(method, f'/api/generations/{generation_id}')
        assert response.status_code == 404
        assert response.json() == {'error': 'Generation not found'}


async def test_delete_cancels_a_running_generation(api, planners: PlannerSwitch) -> None:
    held = planners.use(ScriptedPlanner(hold=True))
    created = (await api.post('/api/generations', json=BODY)).json()
    generation_id = created['generationId']
    await poll(api, generation_id, 'processing')
    for headers in ({}, {'X-Owner-Token': 'not-the-token'}, {'X-Owner-Token': service.owner_token(str(uuid.uuid4()))}):
        refused = await api.delete(f'/api/generations/{generation_id}', headers=headers)
        assert refused.status_code == 403, headers
        assert 'cancel' in refused.json()['error']
    assert (await api.get(f'/api/generations/{generation_id}')).json()['status'] == 'processing'
    response = await api.delete(f'/api/generations/{generation_id}', headers={'X-Owner-Token': created['ownerToken']})
    assert response.status_code == 200
    assert response.json()['status'] == 'cancelled'
    held.release.set()
    await asyncio.sleep(0.1)
    assert (await api.get(f'/api/generations/{generation_id}')).json()['status'] == 'cancelled'


async def test_healthz_and_openapi(api) -> None:
    assert (await api.get('/healthz')).json() == {'status': 'ok'}
    spec = (await api.get('/openapi.json')).json()
    assert '/api/generations' in spec['paths']
    assert '/api/generations/{generation_id}' in spec['paths']
