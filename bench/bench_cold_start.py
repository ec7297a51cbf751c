"""Cold start of `make run` (not a test): from `python app.py` to the first page a newcomer sees.

    python bench/bench_cold_start.py [--runs 5]

Each run starts the app as `make run` does (embedded defaults: SQLite, the demo city, the offline planner) on
a free port and times, from the process start:
- fresh: a new data folder, so the database is created, migrated and the demo city written (a first `make run`);
- restart: the same folder again (a restart: the demo city is already there and only refreshed);
until `/healthz` answers 200 and until the home page (`/`) has been served. Prints medians of the runs and
writes them as JSON to bench/results/. Target (issue 21): the first page within 5 s on an idle machine.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def start_once(data_dir: Path) -> dict[str, float]:
    """Seconds from spawning the process to /healthz 200 and to the home page served."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(('OPENAI_', 'PYTEST_'))}
    env.update(PORT=str(port), DATA_DIR=str(data_dir), DATABASE_URL=f'sqlite:///{data_dir}/trip_bundles.db')
    url = f'http://127.0.0.1:{port}'
    started = time.perf_counter()
    log = (data_dir / 'server.log').open('ab')
    process = subprocess.Popen([sys.executable, 'app.py'], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        healthy = _first_ok(f'{url}/healthz', process)
        home = _first_ok(f'{url}/', process)
        return {'healthz_s': round(healthy - started, 3), 'home_s': round(home - started, 3)}
    finally:
        process.terminate()
        process.wait(15)
        log.close()


def _first_ok(url: str, process: subprocess.Popen) -> float:
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f'the app exited with {process.returncode}')
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return time.perf_counter()
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f'{url} did not answer in {TIMEOUT_S} s')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=5)
    args = parser.parse_args()
    runs: dict[str, list[dict[str, float]]] = {'fresh': [], 'restart': []}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            data_dir = Path(folder)
            runs['fresh'].append(start_once(data_dir))
            runs['restart'].append(start_once(data_dir))
    report = {
        kind: {key: statistics.median(r[key] for r in results) for key in ('healthz_s', 'home_s')}
        for kind, results in runs.items()
    }
    for kind, figures in report.items():
        healthz, home = figures['healthz_s'], figures['home_s']
        print(f'{kind:8} healthz {healthz:5.2f} s   home page {home:5.2f} s   (median of {args.runs})')
    out = ROOT / 'bench' / 'results' / f'bench_cold_start-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json'
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({'medians': report, 'runs': runs}, indent=2))
    print(f'written to {out}')


if __name__ == '__main__':
    main()
