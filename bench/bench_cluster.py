"""Throughput and latency with one and with two instances on Postgres (+ Redis), behind nginx.

    .venv/bin/python bench/bench_cluster.py [--generations 300] [--reads 3000] [--layouts 1,2,web+worker]

For each layout (1 instance, 2 instances, 1 `ROLE=web` instance + 1 `ROLE=worker` instance), on a fresh
Postgres database, through nginx running
deploy/nginx-cluster.conf (tests/cluster.py, the same set-up as the cluster tests):
1. a burst of generations (offline planner, no delay) POSTed at 32 concurrency, each as a new browser so
   nginx spreads them: POST latency, and generations completed per second until the last one is done;
2. GET /api/generations/{id} and GET /healthz at 32 concurrency: requests per second and latency.
Prints the figures and writes bench/results/cluster.json. The load comes from this one process, on the
same 2-core machine as the servers: the figures compare sizes, they are not a capacity claim.
"""

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, pool, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_api import hammer, summary
from tests.cluster import Cluster
from tests.databases import create_postgres_database, drop_postgres_database, postgres_url
from tests.fakes.requests import seed_body

BODY = seed_body(timeframe='Next 7 days')
RESULTS = Path(__file__).resolve().parent / 'results'
CONCURRENCY = 32


async def measure(cluster: Cluster, database_url: str, generations: int, reads: int) -> dict:
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64, keepalive_expiry=4)
    async with httpx.AsyncClient(base_url=cluster.url, limits=limits, timeout=60) as client:
        started = time.perf_counter()
        # No cookie kept between requests (a new client per POST would cost a connection each): nginx hashes
        # each cookieless request on its own id, so the POSTs spread over the instances.
        posts, errors = await hammer(client, 'POST', ['/api/generations'] * generations, CONCURRENCY, BODY)
        ids = _created_ids(database_url)
        while True:
            done = _completed(database_url)
            if done == len(ids) or time.perf_counter() - started > 600:
                break
            await asyncio.sleep(0.5)
        elapsed = time.perf_counter() - started
        health_started = time.perf_counter()
        health, e1 = await hammer(client, 'GET', ['/healthz'] * reads, CONCURRENCY)
        health_s = time.perf_counter() - health_started
        read_started = time.perf_counter()
        got, e2 = await hammer(client, 'GET', [f'/api/generations/{random.choice(ids)}' for _ in range(reads)], 32)
        read_s = time.perf_counter() - read_started
    return {
        'generations': len(ids),
        'completed': done,
        'generations_per_second': done / elapsed,
        'post': summary(posts),
        'get_generation': {**summary(got), 'per_second': reads / read_s},
        'healthz': {**summary(health), 'per_second': reads / health_s},
        'errors': errors + e1 + e2,
    }


def _completed(database_url: str) -> int:
    engine = create_engine(database_url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM generation WHERE status = 'completed'")).scalar()
    engine.dispose()
    return count


def _created_ids(database_url: str) -> list[str]:
    # hammer() keeps no response bodies: the ids come from the database.
    engine = create_engine(database_url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        ids = [row[0] for row in connection.execute(text('SELECT id FROM generation'))]
    engine.dispose()
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--generations', type=int, default=300)
    parser.add_argument('--reads', type=int, default=3000)
    parser.add_argument('--layouts', default='1,2,web+worker', help='comma-separated: 1, 2, web+worker')
    args = parser.parse_args()
    layouts = {
        '1': ('1_instance', {'instances': 1}),
        '2': ('2_instances', {'instances': 2}),
        'web+worker': ('1_web_1_worker', {'instances': 1, 'workers': 1}),
    }
    results: dict = {}
    for layout in args.layouts.split(','):
        label, shape = layouts[layout]
        name = create_postgres_database()
        with tempfile.TemporaryDirectory() as tmp:
            cluster = Cluster(Path(tmp), postgres_url(name), **shape, max_concurrent_generations=8)
            try:
                cluster.start()
                results[label] = asyncio.run(measure(cluster, postgres_url(name), args.generations, args.reads))
            finally:
                cluster.stop()
                drop_postgres_database(name)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / 'cluster.json').write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2, default=str)[:6000])


if __name__ == '__main__':
    main()
