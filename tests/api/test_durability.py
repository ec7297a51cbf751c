"""A real server process killed with SIGKILL mid-generation, then started again, finishes every one once."""

import re
import time
from pathlib import Path

import httpx
import pytest

from tests.server import AppServer

BODY = {'preferences': {'interests': ['music', 'nightlife'], 'timeframe': 'Next 7 days'}}
pytestmark = [pytest.mark.slow, pytest.mark.databases()]
IN_FLIGHT = 20  # 16 planning, 4 waiting for a slot when the server dies


@pytest.fixture
def server(tmp_path: Path, database_url: str):
    # A slow planner (1 s a step), short leases and a quick sweep, so a crash is recovered in seconds.
    app = AppServer(
        tmp_path / 'server',
        offline_step_delay_s=1,
        lease_seconds=2,
        recovery_interval_s=1,
        max_concurrent_generations=16,
        database_url=database_url,  # the test's own database, SQLite or Postgres
    )
    yield app
    app.stop()


def statuses(server: AppServer, ids: list[str]) -> dict[str, str]:
    return {i: httpx.get(f'{server.url}/api/generations/{i}').json()['status'] for i in ids}


def wait_until(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, 'timed out'
        time.sleep(0.2)


def test_sigkill_mid_generation_then_restart_finishes_each_exactly_once(server: AppServer) -> None:
    server.start()
    ids = [httpx.post(f'{server.url}/api/generations', json=BODY).json()['generationId'] for _ in range(IN_FLIGHT)]
    wait_until(lambda: list(statuses(server, ids).values()).count('processing') == 16, timeout=10)

    server.kill()
    server.start()
    wait_until(lambda: set(statuses(server, ids).values()) == {'completed'}, timeout=60)

    for generation_id in ids:
        body = httpx.get(f'{server.url}/api/generations/{generation_id}').json()
        assert body['bundles'], body
    completions = re.findall(r'generation (\S+) completed', server.log_text())
    assert sorted(completions) == sorted(ids)  # every one, and none twice


def test_sigkill_after_the_first_bundle_keeps_it_and_adds_the_rest(server: AppServer) -> None:
    server.start()
    generation_id = httpx.post(f'{server.url}/api/generations', json=BODY).json()['generationId']

    def read() -> dict:
        return httpx.get(f'{server.url}/api/generations/{generation_id}').json()

    wait_until(lambda: len(read()['bundles'] or []) == 1, timeout=15)
    first = read()['bundles'][0]
    assert read()['status'] == 'processing'
    server.kill()
    server.start()
    wait_until(lambda: read()['status'] == 'completed', timeout=40)
    body = read()
    assert body['bundles'][0] == first  # kept as it was, not made again
    assert len(body['bundles']) == 3
    used = [e['eventId'] for b in body['bundles'] for e in b['keyEvents']]
    assert len(used) == len(set(used))  # the rest were made around it
    assert any('Bundle 2 ready' in p['message'] for p in body['progress'])
