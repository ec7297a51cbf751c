"""Instances on one Postgres + Redis behind nginx (tests/cluster.py), every generation completing once:
two `all` instances, one SIGKILLed mid-run, the other finishes its work; one web and one worker instance,
the worker SIGKILLed mid-run and another started, which finishes the work."""

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


@pytest.fixture
def split_cluster(tmp_path: Path, database_url: str):
    running = Cluster(
        tmp_path / 'cluster',
        database_url,
        instances=1,
        workers=1,
        offline_step_delay_s=0.5,
        lease_seconds=2,
        recovery_interval_s=1,
        max_concurrent_generations=8,
    )
    try:
        yield running.start()
    finally:
        running.stop()


def test_one_web_and_one_worker_instance_the_worker_killed_and_replaced_all_complete_once(
    split_cluster: Cluster,
) -> None:
    with httpx.Client(base_url=split_cluster.url, timeout=10) as client:
        ids = [client.post('/api/generations', json=BODY).json()['generationId'] for _ in range(COUNT // 2)]

        def statuses() -> Counter:
            return Counter(client.get(f'/api/generations/{i}').json()['status'] for i in ids)

        deadline = time.monotonic() + 15
        while statuses()['processing'] < 8:  # the worker is planning a full set of slots
            assert time.monotonic() < deadline, statuses()
            time.sleep(0.2)
        [first_worker] = split_cluster.workers
        first_worker.kill()
        time.sleep(1)
        assert statuses()['completed'] < len(ids)  # only the worker plans: the web instance took nothing over
        second_worker = split_cluster.add_worker()

        deadline = time.monotonic() + 90
        while statuses() != Counter({'completed': len(ids)}):
            assert time.monotonic() < deadline, statuses()
            time.sleep(0.5)
    completions = re.findall(r'generation (\S+) completed', split_cluster.log_text())
    assert sorted(completions) == sorted(ids)  # every one, and none twice
    [web] = split_cluster.instances
    assert not re.search(r'generation \S+ completed', web.log_text())  # the web instance planned none
    assert re.search(r'generation \S+ completed', second_worker.log_text())
