"""axe-core in the page: the accessibility rules (WCAG 2.2 A/AA and axe's best practices) over what is shown.

axe-core comes from npm (`tests/e2e/package.json`, installed by `make axe`) and is injected into the page as a
script, so it checks the page exactly as Chromium renders it: light or dark, laptop or phone.
"""

import json
from pathlib import Path

from playwright.sync_api import Page

AXE_SCRIPT = Path(__file__).parent / 'node_modules' / 'axe-core' / 'axe.min.js'
# WCAG 2.0-2.2 A and AA and axe's best practices (headings, landmarks, unique names).
TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']
RUN_OPTIONS = json.dumps({'runOnly': {'type': 'tag', 'values': TAGS}})


def violations(page: Page) -> list[str]:
    """One line per violated rule: its id, impact, and the first nodes that break it, over the whole page."""
    page.wait_for_timeout(400)  # let transitions (and Quasar's ripples) settle: axe reads computed colours
    if not page.evaluate('typeof window.axe !== "undefined"'):
        page.add_script_tag(path=str(AXE_SCRIPT))
    found = page.evaluate(f'async () => (await axe.run(document, {RUN_OPTIONS})).violations')
    return [
        f'{v["id"]} ({v["impact"]}): {v["help"]} -> '
        + ' | '.join(f'{n["target"]} {n["html"][:140]!r} {n.get("failureSummary", "")[:160]!r}' for n in v['nodes'][:4])
        for v in found
    ]
