"""Two instances on one Postgres + Redis behind nginx (tests/cluster.py): one SIGKILLed mid-run, the other
finishes its work; every generation completes, none twice."""

import re
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.cluster import Cluster
from tests.fakes.requests import seed_body

pytestmark = [pytest.mark.slow, pytest.mark.databases('postgres')]
BODY = seed_body(timeframe='Next 7 days')
COUNT = 40


@pytest.fixture
def cluster(tmp_path: Path, database_url: str):
    # A slowed planner, short leases and a quick sweep: the survivor takes over within seconds.
    running = Cluster(
        tmp_path / 'cluster',
        database_url,
        offline_step_delay_s=0.5,
        lease_seconds=2,
        recovery_interval_s=1,
        max_concurrent_generations=8,
    )
    try:
        yield running.start()
    finally:
        running.stop()


def test_forty_generations_over_two_instances_one_killed_all_complete_once(cluster: Cluster) -> None:
    ids, served_by = [], Counter()
    with httpx.Client(base_url=cluster.url, timeout=10) as client:
        for _ in range(COUNT):
            client.cookies.clear()  # a new browser each time: nginx spreads them over both instances
            response = client.post('/api/generations', json=BODY)
            assert response.status_code == 200, response.text
            ids.append(response.json()['generationId'])
            served_by[response.headers['x-upstream']] += 1
    assert len(served_by) == 2, served_by  # both instances took generations

    victim_address = next(iter(served_by))
    victim = cluster.instance_at(victim_address)
    time.sleep(1)  # both are planning now
    victim.kill()

    deadline = time.monotonic() + 90
    with httpx.Client(base_url=cluster.url, timeout=10) as client:
        while True:
            statuses = Counter(client.get(f'/api/generations/{i}').json()['status'] for i in ids)
            if statuses == Counter({'completed': COUNT}):
                break
            assert time.monotonic() < deadline, statuses
            time.sleep(0.5)
        for generation_id in ids:
            assert client.get(f'/api/generations/{generation_id}').json()['bundles']
    completions = re.findall(r'generation (\S+) completed', cluster.log_text())
    assert sorted(completions) == sorted(ids)  # every one, and none twice
    # The survivor finished more than it was given: it took over what the killed instance left running.
    survivor = cluster.other(victim)
    finished_by_survivor = len(re.findall(r'generation \S+ completed', survivor.log_text()))
    assert finished_by_survivor > COUNT - served_by[victim_address]
