"""Event-loop lag and memory with many generations in flight against a slow fake LLM, and per open page.

    .venv/bin/python bench/bench_inflight.py [--generations 200] [--pages 40]

Phase 1: `--generations` generations run at once with PLANNER=openai against the fake Responses server
(three tool turns and an answer, each reply taking ~1 s). The server's own event-loop lag probe
(`trip_bundles_event_loop_lag_seconds` in /metrics) is read before (idle baseline) and after; the
server's RSS is sampled throughout. Target: lag p99 under 25 ms.
Phase 2: `--pages` loading pages of running generations opened in headless Chromium; the server's
RSS before and after gives the memory per open page.

Prints the figures and writes bench/results/inflight.json.
"""

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.fakes.responses_policies import searching_policy
from tests.fakes.responses_server import FakeResponsesServer
from tests.fakes.responses_steps import Hang
from tests.server import AppServer

BODY = {'preferences': {'interests': ['music', 'nightlife'], 'musicProfile': 'Techno', 'timeframe': 'Next 7 days'}}
RESULTS = Path(__file__).resolve().parent / 'results'


def rss_bytes(pid: int) -> int:
    for line in Path(f'/proc/{pid}/status').read_text().splitlines():
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) * 1024
    return 0


def lag_buckets(server: AppServer) -> dict[float, float]:
    text = httpx.get(f'{server.url}/metrics', timeout=60).text
    buckets = {}
    for family in text_string_to_metric_families(text):
        if family.name == 'trip_bundles_event_loop_lag_seconds':
            for sample in family.samples:
                if sample.name.endswith('_bucket'):
                    buckets[float(sample.labels['le'])] = sample.value
    return buckets


def lag_percentiles(before: dict[float, float], after: dict[float, float]) -> dict[str, float]:
    """Upper bucket bounds (ms) of the median, p95 and p99 of the lag observed between two scrapes."""
    counts = {bound: after[bound] - before.get(bound, 0) for bound in after}
    total = counts[float('inf')]
    result = {'samples': total}
    for name, q in (('median_ms_at_most', 0.5), ('p95_ms_at_most', 0.95), ('p99_ms_at_most', 0.99)):
        bound = next(b for b in sorted(counts) if counts[b] >= q * total)
        result[name] = bound * 1000
    result['share_under_25ms'] = counts[0.025] / total if total else 0
    return result


def wait_idle(server: AppServer, ids: list[str], timeout: float) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        statuses = [httpx.get(f'{server.url}/api/generations/{i}', timeout=60).json()['status'] for i in ids]
        if all(s not in ('pending', 'processing') for s in statuses):
            break
        time.sleep(1)
    return {s: statuses.count(s) for s in set(statuses)}


def phase_generations(server: AppServer, count: int) -> dict:
    pid = server.process.pid
    time.sleep(3)
    idle_before = lag_buckets(server)
    time.sleep(5)
    idle_after = lag_buckets(server)
    rss_idle = rss_bytes(pid)

    peak = [rss_idle]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak.append(rss_bytes(pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        ids = [client.post('/api/generations', json=BODY).json()['generationId'] for _ in range(count)]
    statuses = wait_idle(server, ids, timeout=300)
    elapsed = time.monotonic() - started
    loaded_after = lag_buckets(server)
    stop.set()
    sampler.join()
    return {
        'generations': count,
        'statuses': statuses,
        'seconds': elapsed,
        'lag_idle': lag_percentiles(idle_before, idle_after),
        'lag_under_load': lag_percentiles(idle_after, loaded_after),
        'rss_idle_mb': rss_idle / 2**20,
        'rss_peak_mb': max(peak) / 2**20,
        'kb_per_generation_in_flight': (max(peak) - rss_idle) / count / 1024,
    }


def phase_pages(server: AppServer, count: int) -> dict:
    from playwright.sync_api import sync_playwright

    with httpx.Client(base_url=server.url, timeout=30) as client:
        ids = [client.post('/api/generations', json=BODY).json()['generationId'] for _ in range(count)]
    time.sleep(2)
    pid = server.process.pid
    rss_before = rss_bytes(pid)
    before = lag_buckets(server)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context()
        pages = []
        for generation_id in ids:
            page = context.new_page()
            page.goto(f'{server.url}/generations/{generation_id}')
            pages.append(page)
        time.sleep(10)  # let every page's timer poll a few times
        rss_open = rss_bytes(pid)
        after = lag_buckets(server)
        browser.close()
    return {
        'pages': count,
        'rss_before_mb': rss_before / 2**20,
        'rss_with_pages_mb': rss_open / 2**20,
        'kb_per_open_page': (rss_open - rss_before) / count / 1024,
        'lag_with_pages': lag_percentiles(before, after),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--generations', type=int, default=200)
    parser.add_argument('--pages', type=int, default=20)
    args = parser.parse_args()
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        with FakeResponsesServer(policy=searching_policy(tool_turns=3), latency_s=1.0) as fake:
            server = AppServer(
                Path(tmp) / 'llm',
                planner='openai',
                openai_api_key='bench-key',
                openai_base_url=fake.url,
                max_concurrent_generations=args.generations,
            ).start()
            try:
                results['in_flight'] = phase_generations(server, args.generations)
            finally:
                server.stop()
        print(json.dumps(results, indent=2), flush=True)
        # Phase 2: generations that stay running (the fake never answers in time) keep their pages polling.
        with FakeResponsesServer(policy=lambda body: Hang(120)) as fake:
            server = AppServer(
                Path(tmp) / 'pages',
                planner='openai',
                openai_api_key='bench-key',
                openai_base_url=fake.url,
                openai_timeout_s=110,
                max_concurrent_generations=args.pages,
            ).start()
            try:
                results['open_pages'] = phase_pages(server, args.pages)
            finally:
                server.stop()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / 'inflight.json').write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == '__main__':
    main()
