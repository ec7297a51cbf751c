"""Runs pytest once per test clock, a few at a time, and sums up (`make test-clocks`, and `make test`'s two).

    python -m tests.clock_runs --all [--jobs 2] TESTS...     every clock of tests.clocks.MATRIX
    python -m tests.clock_runs --today 2 TESTS...            two clocks chosen by today's date

Each run's output goes to test-artifacts/clocks/<clock>.log; a failing run's tail is printed at the end.
"""

import argparse
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tests.clocks import MATRIX, picked_for

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / 'test-artifacts' / 'clocks'
COUNTS = re.compile(r'(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)')


@dataclass
class Run:
    clock: str
    returncode: int
    seconds: float
    counts: dict[str, int]
    log: Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument('--all', action='store_true', help='every clock of the matrix')
    which.add_argument('--today', type=int, metavar='N', help='N clocks chosen by the date')
    parser.add_argument('--jobs', type=int, default=2, help='runs at once (default 2)')
    parser.add_argument('tests', nargs='+', help='test paths, as given to pytest')
    args = parser.parse_args()
    clocks = MATRIX if args.all else picked_for(date.today(), args.today)  # the real date picks, on purpose
    LOGS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        runs = list(pool.map(lambda clock: run_at(clock, args.tests), clocks))
    return report(runs, time.monotonic() - started)


def run_at(clock: str, tests: list[str]) -> Run:
    log = LOGS / f'{clock.replace(":", "")}.log'
    env = {**os.environ, 'TEST_CLOCK': clock}
    started = time.monotonic()
    with log.open('wb') as out:
        done = subprocess.run(
            [sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', *tests],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    seconds = time.monotonic() - started
    last = log.read_text(errors='replace').strip().splitlines()[-1:] or ['']
    counts = {kind.rstrip('s'): int(n) for n, kind in COUNTS.findall(last[0])}
    print(f'  {clock}: {last[0].strip("= ")} ({seconds:.0f} s)', flush=True)
    return Run(clock, done.returncode, seconds, counts, log)


def report(runs: list[Run], seconds: float) -> int:
    failed = [run for run in runs if run.returncode != 0]
    for run in failed:
        tail = '\n'.join(run.log.read_text(errors='replace').splitlines()[-40:])
        print(f'\n--- TEST_CLOCK={run.clock} failed (full log: {run.log.relative_to(ROOT)}) ---\n{tail}')
    passed = sum(run.counts.get('passed', 0) for run in runs)
    failures = sum(run.counts.get('failed', 0) + run.counts.get('error', 0) for run in runs)
    if failed and not failures:
        failures = len(failed)  # a run that failed without a count (collection or usage error) still fails
    print(f'{len(runs)} clocks, {len(failed)} failed, in {seconds:.0f} s')
    print(f'clocks: {passed} passed, {failures} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
