"""The map as people know it, in real Chromium: a pin leads to its stop, a stop's "Show on map" to its pin,
one route per day with a header per day, and overlapping pins spread out."""

import itertools
import math
from collections.abc import Callable
from datetime import datetime

from playwright.sync_api import BrowserContext, expect

from tests.e2e.conftest import PHONE, Server, screenshot
from tests.e2e.test_journeys import choose, expect_cards, submit


def test_pins_lead_to_stops_and_stops_to_pins(server: Server, new_context: Callable[..., BrowserContext]) -> None:
    page = new_context(PHONE).new_page()
    page.goto(server.base_url)
    choose(page, 'Music', 'Nightlife', 'Next 7 days')
    generation_id = submit(page)
    expect_cards(page)
    bundles = server.generation(generation_id).bundles
    card = page.locator('[data-plan="1"]')
    expect(card.locator('.tb-pin').first).to_be_visible()

    card.locator('.leaflet-marker-icon', has_text='2').first.click()  # a tap on pin 2
    stop = card.locator('[data-stop="1-2"]')
    expect(stop).to_have_class('tb-event tb-stop-active')
    expect(stop).to_be_focused()
    expect(stop).to_be_in_viewport()

    first_pin = card.locator('.leaflet-marker-icon').first
    first_pin.focus()
    page.keyboard.press('Enter')  # a pin works from the keyboard too
    expect(card.locator('.tb-stop-active')).to_have_count(1)

    card.locator('[data-stop="1-1"]').get_by_role('button', name='Show').click()
    active = card.locator('.leaflet-marker-icon.tb-pin-active')
    expect(active).to_have_count(1)
    expect(active).to_contain_text('1')
    expect(active).to_be_focused()
    screenshot(page, 'phone-pin-and-stop')

    # one dotted route per day; a header per day when a plan spans several days
    for index, bundle in enumerate(bundles):
        days: dict[str, int] = {}
        for event in bundle['keyEvents']:
            if event['lat'] is not None:
                day = datetime.fromisoformat(event['startsAt']).date().isoformat()
                days[day] = days.get(day, 0) + 1
        plan = page.locator(f'[data-plan="{index + 1}"]')
        expect(plan.locator('.leaflet-overlay-pane path')).to_have_count(sum(1 for n in days.values() if n > 1))
        distinct = {datetime.fromisoformat(e['startsAt']).date() for e in bundle['keyEvents']}
        expect(plan.locator('.tb-day-header')).to_have_count(len(distinct) if len(distinct) > 1 else 0)


def test_close_pins_do_not_hide_each_other(server: Server, new_context: Callable[..., BrowserContext]) -> None:
    page = new_context(PHONE).new_page()
    page.goto(server.base_url)
    choose(page, 'Food', 'Art', 'Next 30 days')
    submit(page)
    expect_cards(page)
    page.wait_for_timeout(1_000)  # fitted and spread
    for card in page.locator('.tb-bundle').all():
        boxes = [pin.bounding_box() for pin in card.locator('.tb-pin span').all()]
        centres = [(b['x'] + b['width'] / 2, b['y'] + b['height'] / 2) for b in boxes if b]
        for (ax, ay), (bx, by) in itertools.combinations(centres, 2):
            assert math.hypot(ax - bx, ay - by) >= 24, centres  # a thumb's target each (WCAG 2.2 target size)
