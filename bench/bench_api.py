"""API latency under load, and a burst of generations, against a real server started by this script.

    .venv/bin/python bench/bench_api.py [--requests 3000] [--burst 1000] [--postgres]

--postgres runs each phase on a fresh database of the local Postgres (TEST_POSTGRES_URL) instead of SQLite.

1. 100 generations kept in flight (a slowed offline planner), then GET /api/generations/{id} at 32
   concurrent connections, compared with GET /healthz measured in the same run (rounds interleaved).
   POST /api/generations is compared with /healthz too. Targets: GET median <= 1.5x and p99 <= 3x
   healthz; POST median <= 3x healthz; zero errors, zero "database is locked".
2. A burst of generations created at 50 concurrency with the offline planner: all must complete.

Prints the figures and writes bench/results/api.json. The load comes from this process; the server is
its own process.
"""

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, pool, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.databases import create_postgres_database, drop_postgres_database, postgres_url
from tests.fakes.requests import seed_body
from tests.server import AppServer

BODY = seed_body(timeframe='Next 7 days')
RESULTS = Path(__file__).resolve().parent / 'results'


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(latencies: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in latencies]
    return {
        'n': len(ms),
        'median_ms': statistics.median(ms),
        'p95_ms': percentile(ms, 0.95),
        'p99_ms': percentile(ms, 0.99),
    }


async def hammer(client: httpx.AsyncClient, method: str, urls: list[str], concurrency: int, body=None):
    latencies: list[float] = []
    errors: list[str] = []
    queue = list(urls)

    async def worker() -> None:
        while queue:
            url = queue.pop()
            started = time.perf_counter()
            try:
                response = await client.request(method, url, json=body)
                if response.status_code != 200:
                    errors.append(f'{response.status_code} {response.text[:100]}')
            except httpx.HTTPError as error:
                errors.append(repr(error))
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, errors


async def latency_under_load(server: AppServer, requests: int) -> dict:
    # Idle connections are dropped before the server's own 5 s keep-alive limit, so the client never reuses a
    # connection the server is closing (a load-generator artefact, not a server error).
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64, keepalive_expiry=4)
    async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=30) as client:
        _, errors = await hammer(client, 'POST', ['/api/generations'] * 100, 8, BODY)  # the 100 in flight
        ids = await _created_ids(client, server)
        await asyncio.sleep(3)
        health, reads, health_posts, posts, all_errors = [], [], [], [], list(errors)
        rounds = 6
        for _ in range(rounds):  # interleaved so each pair sees the same machine state
            h, e1 = await hammer(client, 'GET', ['/healthz'] * (requests // rounds), 32)
            r, e2 = await hammer(
                client, 'GET', [f'/api/generations/{random.choice(ids)}' for _ in range(requests // rounds)], 32
            )
            # Every slot is taken, so these new generations wait as pending: this times the POST itself.
            hp, e3 = await hammer(client, 'GET', ['/healthz'] * 20, 8)
            p, e4 = await hammer(client, 'POST', ['/api/generations'] * 20, 8, BODY)
            health, reads, health_posts, posts = health + h, reads + r, health_posts + hp, posts + p
            all_errors += e1 + e2 + e3 + e4
        in_flight = _open_rows(server)
        post_latencies = posts
    return {
        'healthz': summary(health),
        'get_generation': summary(reads),
        'healthz_at_8': summary(health_posts),
        'post_generation_at_8': summary(post_latencies),
        'in_flight_after': in_flight,
        'errors': all_errors,
    }


def _query(server: AppServer, sql: str) -> list:
    engine = create_engine(server.env['DATABASE_URL'], poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text(sql)).all())
    finally:
        engine.dispose()


async def _created_ids(client: httpx.AsyncClient, server: AppServer) -> list[str]:
    return [row[0] for row in _query(server, 'SELECT id FROM generation')]


def _open_rows(server: AppServer) -> int:
    return _query(server, "SELECT count(*) FROM generation WHERE status IN ('pending', 'processing')")[0][0]


def _statuses(server: AppServer) -> dict[str, int]:
    return {
        status: count for status, count in _query(server, 'SELECT status, count(*) FROM generation GROUP BY status')
    }


def _database(postgres: bool, made: list[str]) -> dict[str, str]:
    if not postgres:
        return {}
    made.append(create_postgres_database())
    return {'database_url': postgres_url(made[-1])}


async def burst(server: AppServer, count: int) -> dict:
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64, keepalive_expiry=4)
    async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=60) as client:
        started = time.perf_counter()
        latencies, errors = await hammer(client, 'POST', ['/api/generations'] * count, 50, BODY)
        ids = await _created_ids(client, server)
        while _open_rows(server) and time.perf_counter() - started < 600:
            await asyncio.sleep(0.5)
        statuses = _statuses(server)
        elapsed = time.perf_counter() - started
    return {
        'created': len(ids),
        'statuses': statuses,
        'seconds': elapsed,
        'generations_per_second': statuses.get('completed', 0) / elapsed,
        'post': summary(latencies),
        'errors': errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--requests', type=int, default=3000)
    parser.add_argument('--burst', type=int, default=1000)
    parser.add_argument('--postgres', action='store_true', help='a fresh Postgres database for each phase')
    args = parser.parse_args()
    results: dict = {'database': 'postgres' if args.postgres else 'sqlite'}
    made: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        database = _database(args.postgres, made)
        server = AppServer(
            Path(tmp) / 'load', offline_step_delay_s=20, max_concurrent_generations=100, **database
        ).start()
        try:
            results['under_load'] = asyncio.run(latency_under_load(server, args.requests))
        finally:
            server.stop()
        results['under_load']['database_locked'] = server.log_text().count('database is locked')

        database = _database(args.postgres, made)
        server = AppServer(Path(tmp) / 'burst', max_concurrent_generations=8, **database).start()
        try:
            results['burst'] = asyncio.run(burst(server, args.burst))
        finally:
            server.stop()
        results['burst']['database_locked'] = server.log_text().count('database is locked')
    for name in made:
        drop_postgres_database(name)

    load = results['under_load']
    load['ratios'] = {
        'get_median_vs_healthz': load['get_generation']['median_ms'] / load['healthz']['median_ms'],
        'get_p99_vs_healthz': load['get_generation']['p99_ms'] / load['healthz']['p99_ms'],
        'post_median_vs_healthz': load['post_generation_at_8']['median_ms'] / load['healthz_at_8']['median_ms'],
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / 'api.json').write_text(json.dumps(results, indent=2))
    print(json.dumps({k: v for k, v in results.items()}, indent=2, default=str)[:6000])


if __name__ == '__main__':
    main()
