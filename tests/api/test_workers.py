"""Planning in worker processes (issue 23), on real server processes and SQLite or Postgres.

`ROLE=all` plans in PLANNER_PROCESSES child processes it supervises; a child SIGKILLed mid-plan is started
again and its generations are resumed by the lease sweep, exactly once, keeping the bundles already
stored. A `ROLE=web` instance never plans: a `ROLE=worker` instance (`python -m services.worker`) on the
same database completes what it writes.
"""

import os
import re
import signal
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, pool, text

from tests.fakes.requests import seed_body
from tests.server import AppServer, child_pids, worker

BODY = seed_body(timeframe='Next 7 days')
pytestmark = [pytest.mark.slow, pytest.mark.databases()]
COMPLETED = re.compile(r'planner-\d\[(\d+)\] services\.generations\.runner: generation (\S+) completed')


def post(server: AppServer, count: int) -> list[str]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        return [client.post('/api/generations', json=BODY).json()['generationId'] for _ in range(count)]


def read(server: AppServer, generation_id: str) -> dict:
    return httpx.get(f'{server.url}/api/generations/{generation_id}', timeout=10).json()


def wait_until(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, 'timed out'
        time.sleep(0.2)


def all_completed(server: AppServer, ids: list[str]) -> bool:
    return all(read(server, i)['status'] == 'completed' for i in ids)


def lease_owners(database_url: str) -> dict[str, str]:
    """The lease owner (`host:pid:nonce`) of each processing generation, read from the database itself."""
    engine = create_engine(database_url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            query = text("SELECT id, lease_owner FROM generation WHERE status = 'processing'")
            return dict(connection.execute(query).all())
    finally:
        engine.dispose()


@pytest.fixture
def servers(tmp_path: Path):
    started: list[AppServer] = []
    yield started
    for server in started:
        server.stop()


def test_generations_complete_in_the_planner_processes(servers: list[AppServer], tmp_path: Path, database_url: str):
    server = AppServer(tmp_path / 'all', planner_processes=2, database_url=database_url)
    servers.append(server.start())
    ids = post(server, 8)
    wait_until(lambda: all_completed(server, ids), timeout=60)

    assert all(read(server, i)['bundles'] for i in ids)
    completions = COMPLETED.findall(server.log_text())
    assert sorted(generation for _, generation in completions) == sorted(ids)  # each once
    planners = {int(pid) for pid, _ in completions}
    assert server.process.pid not in planners  # none in the web process
    assert planners <= set(child_pids(server.process.pid))  # all in its children
    assert 'database is locked' not in server.log_text()
    # Counted in the children, shown by the web process's /metrics (what Prometheus scrapes).
    wait_until(lambda: finished_metric(server) == len(ids), timeout=5)
    assert duration_count(server) == len(ids)


def finished_metric(server: AppServer) -> float:
    text = httpx.get(f'{server.url}/metrics', timeout=10).text
    return float(re.search(r'^trip_bundles_generations_finished_total\{status="completed"\} (\S+)$', text, re.M)[1])


def duration_count(server: AppServer) -> float:
    text = httpx.get(f'{server.url}/metrics', timeout=10).text
    return float(re.search(r'^trip_bundles_generation_duration_seconds_count (\S+)$', text, re.M)[1])


def test_a_planner_process_killed_mid_plan_is_replaced_and_its_work_finished_once(
    servers: list[AppServer], tmp_path: Path, database_url: str
) -> None:
    # A slow planner (1 s a step), short leases and a quick sweep, so the crash is recovered in seconds.
    server = AppServer(
        tmp_path / 'all',
        planner_processes=2,
        offline_step_delay_s=1,
        lease_seconds=2,
        recovery_interval_s=1,
        database_url=database_url,
    )
    servers.append(server.start())
    ids = post(server, 6)
    wait_until(lambda: any(read(server, i)['bundles'] for i in ids), timeout=30)
    victim_id = next(i for i in ids if read(server, i)['bundles'])
    first_bundle = read(server, victim_id)['bundles'][0]
    victim_pid = int(lease_owners(database_url)[victim_id].split(':')[1])
    assert victim_pid in child_pids(server.process.pid)

    os.kill(victim_pid, signal.SIGKILL)
    wait_until(lambda: all_completed(server, ids), timeout=90)

    assert read(server, victim_id)['bundles'][0] == first_bundle  # kept as it was, not made again
    completions = COMPLETED.findall(server.log_text())
    assert sorted(generation for _, generation in completions) == sorted(ids)  # every one, none twice
    assert f'(pid {victim_pid}) exited with code -9; starting another' in server.log_text()
    assert victim_pid not in {int(pid) for pid, _ in completions}
    assert server.process.poll() is None  # the web process lived on


def test_a_web_instance_never_plans_a_worker_instance_completes_its_generations(
    servers: list[AppServer], tmp_path: Path, database_url: str
) -> None:
    web = AppServer(tmp_path / 'web', role='web', database_url=database_url)
    servers.append(web.start())
    ids = post(web, 4)
    time.sleep(2)  # a web instance alone: nothing is planned, however long it waits
    assert {read(web, i)['status'] for i in ids} == {'pending'}
    assert child_pids(web.process.pid) == []

    planner = worker(tmp_path / 'worker', database_url=database_url)
    servers.append(planner.start())
    health = httpx.get(f'{planner.url}/healthz', timeout=5).json()
    assert (health['status'], health['role']) == ('ok', 'worker')
    wait_until(lambda: all_completed(web, ids), timeout=60)

    assert sorted(re.findall(r'generation (\S+) completed', planner.log_text())) == sorted(ids)
    assert not re.search(r'generation \S+ completed', web.log_text())
    assert httpx.get(f'{planner.url}/', timeout=5).status_code == 404  # a worker serves no pages


def test_a_cancel_stops_the_plan_in_the_planner_process_at_once(
    servers: list[AppServer], tmp_path: Path, database_url: str
) -> None:
    # 8 s a step: without a look at its rows each poll, the worker would notice at its next write.
    server = AppServer(tmp_path / 'all', planner_processes=1, offline_step_delay_s=8, database_url=database_url)
    servers.append(server.start())
    created = httpx.post(f'{server.url}/api/generations', json=BODY, timeout=10).json()
    generation_id = created['generationId']
    wait_until(lambda: read(server, generation_id)['status'] == 'processing', timeout=15)

    headers = {'X-Owner-Token': created['ownerToken']}
    assert httpx.delete(f'{server.url}/api/generations/{generation_id}', headers=headers).status_code == 200
    wait_until(lambda: f'generation {generation_id} stopped: cancelled' in server.log_text(), timeout=3)
    assert read(server, generation_id)['status'] == 'cancelled'


def running(pid: int) -> bool:
    """The process exists and is not a zombie waiting to be reaped."""
    try:
        return Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()[0] != 'Z'
    except FileNotFoundError:
        return False


def test_a_web_process_killed_outright_leaves_no_planner_process(
    servers: list[AppServer], tmp_path: Path, database_url: str
) -> None:
    server = AppServer(tmp_path / 'all', planner_processes=2, database_url=database_url)
    servers.append(server.start())
    wait_until(lambda: server.log_text().count('started: up to') == 2, timeout=30)
    children = child_pids(server.process.pid)
    assert len(children) >= 2 and all(running(pid) for pid in children)

    server.kill()
    wait_until(lambda: not any(running(pid) for pid in children), timeout=5)
