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
