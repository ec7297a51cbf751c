"""Plans that grow and change, in real Chromium: cards land one by one, a swap changes the card in place."""

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect

from tests.e2e.conftest import LAPTOP, PHONE, Server, no_horizontal_scroll, screenshot
from tests.e2e.test_journeys import choose, expect_cards, submit

LANDED = '.tb-bundle:not(.tb-placeholder)'
CHILD_URL = re.compile(r'.*/generations/([0-9a-f-]{36})\?plan=1$')


def test_cards_land_one_by_one_and_a_swap_changes_the_card_in_place(
    slow_server: Server, new_context: Callable[..., BrowserContext]
) -> None:
    for name, viewport in (('laptop', LAPTOP), ('phone', PHONE)):
        page = new_context(viewport).new_page()
        page.goto(slow_server.base_url)
        choose(page, 'Music', 'Nightlife', 'Next 7 days')
        parent_id = submit(page)

        # each bundle shows as soon as it is stored, with planning continuing below the cards
        expect(page.locator('.tb-eyebrow', has_text='1 plan ready so far')).to_be_visible(timeout=30_000)
        expect(page.locator(LANDED)).to_have_count(1)
        expect(page.locator('.tb-placeholder')).to_have_count(1)  # one more looked for, none promised
        expect(page.get_by_role('heading', name='Planning your bundles')).to_be_visible()
        assert slow_server.generation(parent_id).status == 'processing'
        screenshot(page, f'{name}-cards-landing')
        # the second lands too; the third may follow it within one poll on a busy machine (seen on CI)
        second = page.locator('.tb-eyebrow', has_text='2 plans ready so far')
        expect(second.or_(page.get_by_text('Your plans are ready'))).to_be_visible(timeout=30_000)
        expect(page.locator(LANDED).nth(1)).to_be_visible()
        assert no_horizontal_scroll(page)
        expect_cards(page)

        parent = slow_server.generation(parent_id)
        swapped = parent.bundles[0]['keyEvents'][0]
        card = page.locator('.tb-bundle').first
        card.get_by_role('button', name=f'Swap {swapped["title"]} for another event').click()
        picker = page.get_by_role('dialog', name=f'Swap {swapped["title"]}')
        expect(picker).to_be_visible()
        choices = picker.get_by_role('button', name=re.compile('^Swap in '))
        expect(choices.first).to_be_visible()
        assert 1 <= choices.count() <= 3
        picked = choices.last.locator('.tb-event-title').inner_text()
        assert no_horizontal_scroll(page)
        screenshot(page, f'{name}-swap-picker')
        choices.last.click()
        # the same page: the changed plan takes the card's place, and its link replaces the address
        expect(page.locator('.tb-changed')).to_be_visible(timeout=30_000)
        page.wait_for_url(lambda url, old=parent_id: old not in url and url.endswith('?plan=1'))
        child_id = CHILD_URL.match(page.url).group(1)
        expect(page.get_by_text('Refined from:')).to_be_visible()
        expect(page.locator('[data-plan="1"]')).to_be_in_viewport()
        expect(page.locator('.tb-changed').get_by_role('link', name=re.compile('^Undo'))).to_have_attribute(
            'href', f'/generations/{parent_id}?plan=1'
        )
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
        assert picked in [e['title'] for e in child.bundles[0]['keyEvents']]  # the one picked, nothing else

        page.get_by_role('link', name=parent.bundles[0]['title']).click()  # "Refined from: <title>" leads back
        page.wait_for_url(f'**/generations/{parent_id}')
