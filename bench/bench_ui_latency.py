"""Time from a generation completing in the database to its bundle cards on screen, in headless Chromium.

Starts `python app.py` on a free port with a temp database (offline planner slowed so the loading page is
open before the generation finishes), submits the form N times, and for each run compares the row's
`finished_at` with the moment the first card appears in the page (both wall clock, same machine).
The median must be at most POLL_INTERVAL_S + 1 s.

    python bench/bench_ui_latency.py [--runs 9] [--poll 2]
"""

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, LAPTOP, Server, start_server, stop_server  # noqa: E402

RESULTS = ROOT / 'bench' / 'results'
CARDS_APPEAR_JS = """() => new Promise(resolve => {
  const found = () => document.querySelector('.tb-bundle');
  if (found()) return resolve({at: Date.now(), already: true});
  new MutationObserver((_, observer) => {
    if (found()) { observer.disconnect(); resolve({at: Date.now(), already: false}); }
  }).observe(document.body, {childList: true, subtree: true});
})"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=9)
    parser.add_argument('--poll', type=float, default=2.0, help='POLL_INTERVAL_S of the server')
    parser.add_argument('--step-delay', type=float, default=1.5, help='OFFLINE_STEP_DELAY_S of the server')
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(Path(tmp), POLL_INTERVAL_S=str(args.poll), OFFLINE_STEP_DELAY_S=str(args.step_delay))
        try:
            samples = measure(server, args.runs, args.poll)
        finally:
            stop_server(server)

    median = statistics.median(samples)
    limit = args.poll + 1
    result = {
        'benchmark': 'ui_latency',
        'what': 'seconds from finished_at in the database to the first bundle card in the DOM (Chromium)',
        'poll_interval_s': args.poll,
        'runs': len(samples),
        'samples_s': [round(s, 3) for s in samples],
        'median_s': round(median, 3),
        'p90_s': round(sorted(samples)[max(0, int(len(samples) * 0.9) - 1)], 3),
        'max_s': round(max(samples), 3),
        'limit_s': limit,
        'ok': median <= limit,
        'at': time.strftime('%Y-%m-%dT%H:%M:%S%z'),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f'ui_latency-{time.strftime("%Y%m%d-%H%M%S")}.json'
    out.write_text(json.dumps(result, indent=2))
    print(
        f'completed in DB -> cards on screen: median {median:.3f} s, max {max(samples):.3f} s '
        f'over {len(samples)} runs (poll {args.poll:g} s, limit {limit:g} s): {"OK" if result["ok"] else "TOO SLOW"}'
    )
    print(f'wrote {out.relative_to(ROOT)}')
    sys.exit(0 if result['ok'] else 1)


def measure(server: Server, runs: int, poll: float) -> list[float]:
    samples: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for run in range(runs):
                context = browser.new_context(viewport=LAPTOP)
                page = context.new_page()
                page.goto(server.base_url)
                page.get_by_text('Music', exact=True).click()
                page.get_by_role('button', name='Make my plans').click()
                page.wait_for_url('**/generations/*')
                generation_id = page.url.rsplit('/', 1)[1]
                # A second viewer opens the link at a random moment, so its poll timer has a random phase
                # relative to the planner's steps (the submitting page's timer is locked to them).
                time.sleep(random.uniform(0, poll))
                viewer = context.new_page()
                viewer.goto(page.url)
                viewer.wait_for_selector('.tb-orbit')
                appeared = viewer.evaluate(CARDS_APPEAR_JS)
                row = server.generation(generation_id)
                if appeared['already'] or row.finished_at is None:
                    raise RuntimeError('the generation finished before the page watched it; raise --step-delay')
                latency = appeared['at'] / 1000 - row.finished_at.timestamp()
                samples.append(latency)
                print(f'run {run + 1}: {latency:.3f} s')
                context.close()
        finally:
            browser.close()
    return samples


if __name__ == '__main__':
    main()
