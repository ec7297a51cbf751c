"""Plans that grow and change, in real Chromium: cards land one by one, a swap from a card opens a new plan."""

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect

from tests.e2e.conftest import LAPTOP, PHONE, Server, no_horizontal_scroll, screenshot
from tests.e2e.test_journeys import choose, expect_cards, generation_id_of, submit

LANDED = '.tb-bundle:not(.tb-placeholder)'


def test_cards_land_one_by_one_and_a_swap_opens_a_new_plan(
    slow_server: Server, new_context: Callable[..., BrowserContext]
) -> None:
    for name, viewport in (('laptop', LAPTOP), ('phone', PHONE)):
        page = new_context(viewport).new_page()
        page.goto(slow_server.base_url)
        choose(page, 'Music', 'Nightlife', 'Next 7 days')
        parent_id = submit(page)

        # each bundle shows as soon as it is stored, with planning continuing below the cards
        expect(page.get_by_text(re.compile('1 plan ready so far', re.I))).to_be_visible(timeout=30_000)
        expect(page.locator(LANDED)).to_have_count(1)
        expect(page.locator('.tb-placeholder')).to_have_count(1)  # one more looked for, none promised
        expect(page.get_by_role('heading', name='Planning your bundles')).to_be_visible()
        assert slow_server.generation(parent_id).status == 'processing'
        screenshot(page, f'{name}-cards-landing')
        expect(page.get_by_text(re.compile('2 plans ready so far', re.I))).to_be_visible(timeout=30_000)
        expect(page.locator(LANDED)).to_have_count(2)
        assert no_horizontal_scroll(page)
        expect_cards(page)

        parent = slow_server.generation(parent_id)
        swapped = parent.bundles[0]['keyEvents'][0]
        card = page.locator('.tb-bundle').first
        card.get_by_role('button', name=f'Swap {swapped["title"]} for another event').click()
        page.wait_for_url(lambda url, old=parent_id: old not in url and '/generations/' in url)
        child_id = generation_id_of(page)
        expect(page.get_by_text('Refined from:')).to_be_visible()
        expect_cards(page)
        expect(page.get_by_text('Changed', exact=True)).to_be_visible()
        assert no_horizontal_scroll(page)
        screenshot(page, f'{name}-refined')

        child = slow_server.generation(child_id)
        assert child.parent_id == parent_id and child.status == 'completed'
        new_ids = [e['eventId'] for e in child.bundles[0]['keyEvents']]
        assert swapped['eventId'] not in new_ids
        assert {e['eventId'] for e in parent.bundles[0]['keyEvents'][1:]} <= set(new_ids)
        assert child.bundles[1:] == parent.bundles[1:]
        titles = page.locator('.tb-event-title').all_inner_texts()
        assert swapped['title'] not in titles[: len(new_ids)]

        page.get_by_role('link', name=parent.bundles[0]['title']).click()  # "Refined from: <title>" leads back
        page.wait_for_url(f'**/generations/{parent_id}')
