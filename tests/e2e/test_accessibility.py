"""axe-core over every page state, at laptop and phone widths, light and dark: no violation at any impact."""

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.axe import violations
from tests.e2e.conftest import PHONE, TEST_CITY, Server, screenshot
from tests.e2e.test_journeys import CARDS_TIMEOUT_MS, choose, choose_city, expect_cards, submit

WIDE = {'width': 1366, 'height': 900}
LOOKS = {
    'laptop-light': (WIDE, 'light'),
    'phone-light': (PHONE, 'light'),
    'laptop-dark': (WIDE, 'dark'),
    'phone-dark': (PHONE, 'dark'),
}


class Checker:
    """Runs axe on each state reached and collects what it finds, so one run lists every failing state."""

    def __init__(self, look: str) -> None:
        self.look = look
        self.found: dict[str, list[str]] = {}

    def check(self, page: Page, state: str) -> None:
        # No waiting for the maps: a map shows its pins only once they are fitted and fanned out (bundle_map.py).
        screenshot(page, f'a11y-{self.look}-{state}')
        problems = violations(page)
        if problems:
            self.found[state] = problems

    def report(self) -> str:
        return '\n'.join(f'{state}: {line}' for state, lines in self.found.items() for line in lines)


@pytest.mark.parametrize('look', list(LOOKS))
def test_every_page_state_passes_axe(
    look: str, slow_server: Server, server: Server, new_context: Callable[..., BrowserContext]
) -> None:
    viewport, scheme = LOOKS[look]
    checker = Checker(look)
    page = new_context(viewport, color_scheme=scheme).new_page()

    page.goto(slow_server.base_url)
    expect(page.get_by_text('What are you in the mood for?')).to_be_visible()
    checker.check(page, 'home-empty')
    page.get_by_role('button', name='Make my plans').click()
    expect(page.get_by_text('Pick at least one interest.')).to_be_visible()
    checker.check(page, 'home-errors')
    choose(page, 'Music', 'Nightlife', 'Custom dates')
    page.get_by_label('Budget').fill('40')
    checker.check(page, 'home-filled')
    choose(page, 'Next 7 days')

    generation_id = submit(page)
    expect(page.locator('.tb-step').first).to_be_visible(timeout=15_000)
    checker.check(page, 'planning')
    expect(page.locator('.tb-bundle').first).to_be_visible(timeout=CARDS_TIMEOUT_MS)
    checker.check(page, 'cards-landing')
    expect_cards(page)
    checker.check(page, 'completed')
    page.locator('[data-plan="1"] .tb-swap').first.click()
    expect(page.get_by_role('dialog')).to_be_visible()
    checker.check(page, 'swap-picker')
    page.get_by_role('button', name='Let the planner choose').click()
    expect(page.get_by_role('dialog')).to_be_hidden()  # its fade-out would cover a pin (seen on CI)
    expect(page.locator('.tb-working')).to_be_visible()
    checker.check(page, 'refining')
    expect(page.locator('.tb-changed')).to_be_visible(timeout=CARDS_TIMEOUT_MS)
    checker.check(page, 'refined')

    friend = new_context(viewport, color_scheme=scheme).new_page()
    friend.goto(f'{slow_server.base_url}/generations/{generation_id}?plan=2')
    expect(friend.locator('.tb-bundle').first).to_be_visible(timeout=CARDS_TIMEOUT_MS)
    checker.check(friend, 'shared')

    page.goto(f'{slow_server.base_url}/history')
    expect(page.locator('.tb-history-row').first).to_be_visible()
    checker.check(page, 'history')
    page.goto(f'{slow_server.base_url}/generations/00000000-0000-4000-8000-000000000000')
    expect(page.get_by_text("We can't find this plan")).to_be_visible()
    checker.check(page, 'not-found')

    page.goto(slow_server.base_url)
    choose(page, 'Music', 'Next 7 days')
    submit(page)
    page.get_by_role('button', name='Cancel').first.click()
    expect(page.get_by_role('dialog')).to_be_visible()
    checker.check(page, 'cancel-dialog')
    page.get_by_role('button', name='Stop').click()
    expect(page.get_by_role('heading', name='This plan was cancelled')).to_be_visible()
    expect(page.get_by_role('dialog')).to_be_hidden()
    checker.check(page, 'cancelled')

    page.goto(server.base_url)
    choose_city(page, TEST_CITY)
    choose(page, 'Wellness', 'Next 7 days')  # the test city has no wellness events
    submit(page)
    expect(page.get_by_role('heading', name="We couldn't make this plan")).to_be_visible(timeout=CARDS_TIMEOUT_MS)
    checker.check(page, 'failed')

    assert not checker.found, checker.report()
