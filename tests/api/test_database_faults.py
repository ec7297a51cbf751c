"""A database locked by another writer for a while: clear, retryable errors, then recovery; nothing lost."""

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from nicegui.testing import User
from sqlalchemy.engine import make_url

from models import db
from settings import settings
from tests.fakes.planners import PlannerSwitch, ScriptedPlanner

BODY = {'preferences': {'interests': ['music'], 'timeframe': 'Next 7 days'}}


@pytest.fixture
def fast_recovery_sweep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, 'recovery_interval_s', 1)


@pytest.fixture
def quick_busy_timeout() -> None:
    # The same file, but giving up on a lock after 0.2 s instead of 5 s, so the test is quick.
    db.use_engine(db.build_engine(settings.database_url, busy_timeout_ms=200))


class WriterLock:
    """Another process-like writer holding an exclusive lock on the SQLite file."""

    def __init__(self) -> None:
        self.connection = sqlite3.connect(Path(make_url(settings.database_url).database), check_same_thread=False)
        self.lock = threading.Lock()

    def __enter__(self) -> 'WriterLock':
        self.connection.execute('BEGIN EXCLUSIVE')
        return self

    def __exit__(self, *_exc) -> None:
        self.connection.rollback()
        self.connection.close()


async def test_a_locked_database_gives_503_then_recovers(
    fast_recovery_sweep, user: User, quick_busy_timeout, planners: PlannerSwitch
) -> None:
    # A planner that only reads, as real ones do (WAL readers are never blocked): one that wrote catalog rows could
    # meet the lock itself on a busy machine and fail its plan, which is not what this test is about.
    planners.use(ScriptedPlanner(make_bundles=ScriptedPlanner.catalog_bundles))
    api = user.http_client
    stored = (await api.post('/api/generations', json=BODY)).json()['generationId']

    with WriterLock():
        refused = await api.post('/api/generations', json=BODY)
        assert refused.status_code == 503
        assert refused.headers['Retry-After'] == '5'
        assert 'try again' in refused.json()['error']
        # WAL readers are not blocked by a writer: results stay readable meanwhile.
        assert (await api.get(f'/api/generations/{stored}')).status_code == 200

    assert (await api.get('/healthz')).json() == {'status': 'ok'}
    created = await api.post('/api/generations', json=BODY)
    assert created.status_code == 200
    for generation_id in (stored, created.json()['generationId']):
        async with asyncio.timeout(10):  # one may wait for the recovery sweep, if the lock beat its claim
            while (await api.get(f'/api/generations/{generation_id}')).json()['status'] != 'completed':
                await asyncio.sleep(0.05)


async def test_a_lock_during_planning_only_delays_the_end(
    user: User, quick_busy_timeout, planners: PlannerSwitch
) -> None:
    planner = planners.use(ScriptedPlanner(hold=True, make_bundles=ScriptedPlanner.catalog_bundles))  # it only reads
    api = user.http_client
    generation_id = (await api.post('/api/generations', json=BODY)).json()['generationId']
    async with asyncio.timeout(5):
        while (await api.get(f'/api/generations/{generation_id}')).json()['status'] != 'processing':
            await asyncio.sleep(0.05)

    with WriterLock():
        planner.release.set()  # the plan finishes while nobody can write
        await asyncio.sleep(1)
    async with asyncio.timeout(10):
        while (body := (await api.get(f'/api/generations/{generation_id}')).json())['status'] != 'completed':
            await asyncio.sleep(0.05)
    assert len(body['bundles']) == 3
