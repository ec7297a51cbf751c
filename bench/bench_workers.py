"""Planning off the web process (issue 23): the web process's latency while generations plan, and throughput.

    .venv/bin/python bench/bench_workers.py [--processes 2] [--throughput 24] [--baseline]

Against a real server started by this script (SQLite, offline planner, the demo catalog), with
PLANNER_PROCESSES=--processes (0: planning in the web process's threads, as before issue 23):

1. Submit -> first card: one generation on the idle server, POST until GET shows its first bundle.
2. /healthz p99 at one connection, idle and while 8 broad generations (8 interests, Next 30 days,
   1,000 characters of free text) run. Target: busy <= 2x idle.
3. POST /api/generations p50 at 8 connections while the generations it starts run, against /healthz at
   the same 8 connections (rounds interleaved). Target <= 2x.
4. GET /api/generations/{id} p50 at 16 connections against /healthz at 16, while those generations run.
   Target <= 1.2x.
5. Throughput of the offline planner: --throughput broad generations posted at once, with 1 and with 2
   planner processes (MAX_CONCURRENT_GENERATIONS=8), generations per minute until all completed.

--baseline first runs phases 1-4 with PLANNER_PROCESSES=0 too (planning in the web process's threads, as
before issue 23). Prints the figures and writes bench/results/workers.json. The load comes from this process.
"""

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench_api import _open_rows, _statuses, hammer, summary

from tests.fakes.requests import BROADEST_PREFERENCES, seed_body
from tests.server import AppServer

RESULTS = Path(__file__).resolve().parent / 'results'
BROAD = {'preferences': BROADEST_PREFERENCES}
LIMITS = httpx.Limits(max_connections=64, max_keepalive_connections=64, keepalive_expiry=4)


async def first_card(client: httpx.AsyncClient) -> float:
    started = time.perf_counter()
    generation_id = (await client.post('/api/generations', json=seed_body())).json()['generationId']
    while not (await client.get(f'/api/generations/{generation_id}')).json()['bundles']:
        await asyncio.sleep(0.02)
    return time.perf_counter() - started


async def healthz_while(client: httpx.AsyncClient, server: AppServer) -> list[float]:
    """/healthz one request after the other, for as long as generations are open."""
    latencies: list[float] = []
    while _open_rows(server):
        more, _ = await hammer(client, 'GET', ['/healthz'] * 20, 1)
        latencies += more
    return latencies


async def latency(server: AppServer) -> dict:
    async with httpx.AsyncClient(base_url=server.url, limits=LIMITS, timeout=60) as client:
        await hammer(client, 'GET', ['/healthz'] * 50, 1)  # warm-up
        cards = [await first_card(client) for _ in range(5)]
        while _open_rows(server):
            await asyncio.sleep(0.2)
        idle, errors = await hammer(client, 'GET', ['/healthz'] * 600, 1)
        started = time.perf_counter()
        _, more = await hammer(client, 'POST', ['/api/generations'] * 8, 8, BROAD)
        errors += more
        busy = await healthz_while(client, server)
        eight_broad_s = time.perf_counter() - started

        ids = []
        health_8, posts, health_16, reads = [], [], [], []
        for _ in range(5):  # interleaved rounds, each pair under the same load
            h, e1 = await hammer(client, 'GET', ['/healthz'] * 40, 8)
            p, e2 = await _posts(client, 8, ids)
            health_8, posts, errors = health_8 + h, posts + p, errors + e1 + e2
        for round_ in range(10):  # each kind first in every other round: neither gets the quieter moments
            pings = hammer(client, 'GET', ['/healthz'] * 80, 16)
            gets = hammer(client, 'GET', [f'/api/generations/{ids[n % len(ids)]}' for n in range(80)], 16)
            if round_ % 2:
                (r, e2), (h, e1) = await gets, await pings
            else:
                (h, e1), (r, e2) = await pings, await gets
            health_16, reads, errors = health_16 + h, reads + r, errors + e1 + e2
        open_after = _open_rows(server)
    return {
        'submit_to_first_card_s': cards,
        'healthz_idle': summary(idle),
        'healthz_during_8_broad': summary(busy),
        'eight_broad_generations_s': eight_broad_s,
        'healthz_at_8': summary(health_8),
        'post_at_8': summary(posts),
        'healthz_at_16': summary(health_16),
        'get_at_16': summary(reads),
        'still_open_after_get_rounds': open_after,
        'errors': errors,
    }


async def _posts(client: httpx.AsyncClient, concurrency: int, ids: list[str]) -> tuple[list[float], list[str]]:
    """40 POSTs at `concurrency`; the ids they create join `ids` (the GET rounds read them while they run)."""
    latencies: list[float] = []
    errors: list[str] = []
    remaining = 40

    async def one() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            started = time.perf_counter()
            response = await client.post('/api/generations', json=BROAD)
            latencies.append(time.perf_counter() - started)
            if response.status_code == 200:
                ids.append(response.json()['generationId'])
            else:
                errors.append(f'{response.status_code} {response.text[:100]}')

    await asyncio.gather(*(one() for _ in range(concurrency)))
    return latencies, errors


async def throughput(server: AppServer, count: int) -> dict:
    async with httpx.AsyncClient(base_url=server.url, limits=LIMITS, timeout=60) as client:
        started = time.perf_counter()
        _, errors = await hammer(client, 'POST', ['/api/generations'] * count, 8, BROAD)
        while _open_rows(server):
            await asyncio.sleep(0.2)
        elapsed = time.perf_counter() - started
    statuses = _statuses(server)
    return {
        'generations': count,
        'statuses': statuses,
        'seconds': elapsed,
        'per_minute': statuses.get('completed', 0) / elapsed * 60,
        'errors': errors,
    }


def run(folder: Path, phase, *args, **settings) -> dict:
    server = AppServer(folder, **settings).start()
    deadline = time.monotonic() + 60
    # The web process answers before its planner processes are up: measure from when they are.
    while server.log_text().count('started: up to') < settings['planner_processes'] and time.monotonic() < deadline:
        time.sleep(0.2)
    try:
        result = asyncio.run(phase(server, *args))
    finally:
        server.stop()
    result['database_locked'] = server.log_text().count('database is locked')
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--processes', type=int, default=2, help='PLANNER_PROCESSES of the latency phases')
    parser.add_argument('--throughput', type=int, default=24, help='broad generations per throughput run')
    parser.add_argument('--baseline', action='store_true', help='also the latency phases with PLANNER_PROCESSES=0')
    args = parser.parse_args()
    results: dict = {'planner_processes': args.processes}
    with tempfile.TemporaryDirectory() as tmp:
        if args.baseline:  # planning in the web process's threads, as before issue 23
            results['latency_in_process'] = run(Path(tmp) / 'baseline', latency, planner_processes=0)
        results['latency'] = run(Path(tmp) / 'latency', latency, planner_processes=args.processes)
        for processes in (1, 2):
            results[f'throughput_{processes}_processes'] = run(
                Path(tmp) / f'throughput-{processes}', throughput, args.throughput, planner_processes=processes
            )
    load = results['latency']
    results['ratios'] = {
        'healthz_p99_busy_vs_idle': load['healthz_during_8_broad']['p99_ms'] / load['healthz_idle']['p99_ms'],
        'post_p50_vs_healthz_at_8': load['post_at_8']['median_ms'] / load['healthz_at_8']['median_ms'],
        'get_p50_vs_healthz_at_16': load['get_at_16']['median_ms'] / load['healthz_at_16']['median_ms'],
    }
    if args.baseline:
        base = results['latency_in_process']
        results['ratios_in_process'] = {
            'healthz_p99_busy_vs_idle': base['healthz_during_8_broad']['p99_ms'] / base['healthz_idle']['p99_ms'],
            'post_p50_vs_healthz_at_8': base['post_at_8']['median_ms'] / base['healthz_at_8']['median_ms'],
            'get_p50_vs_healthz_at_16': base['get_at_16']['median_ms'] / base['healthz_at_16']['median_ms'],
        }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / 'workers.json').write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == '__main__':
    main()
