"""The map as people know it, in real Chromium: a pin leads to its stop, a stop's "Show on map" to its pin,
one route per day with a header per day, and overlapping pins spread out."""

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
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

    # one dotted route per day out; a header per day when a plan spans several
    for index, bundle in enumerate(bundles):
        mapped = outings([e for e in bundle['keyEvents'] if e['lat'] is not None])
        plan = page.locator(f'[data-plan="{index + 1}"]')
        expect(plan.locator('.leaflet-overlay-pane path')).to_have_count(sum(1 for day in mapped if len(day) > 1))
        days = len(outings(bundle['keyEvents']))
        expect(plan.locator('.tb-day-header')).to_have_count(days if days > 1 else 0)


def outings(events: list[dict]) -> list[list[dict]]:
    """Events split where more than 6 h pass between one's end and the next's start (a night past midnight is
    one day out)."""
    days: list[list[dict]] = []
    for event in events:
        gap = (
            datetime.fromisoformat(event['startsAt']) - datetime.fromisoformat(days[-1][-1]['endsAt']) if days else None
        )
        if gap is None or gap > timedelta(hours=6):
            days.append([])
        days[-1].append(event)
    return days


# Music and theatre over a week had a fanned-out pin under the attribution bar at 390 px (demo data of 6 Dec).
@pytest.mark.parametrize('wishes', [('Food', 'Art', 'Next 30 days'), ('Music', 'Theatre', 'Next 7 days')])
def test_close_pins_do_not_hide_each_other(
    wishes: tuple[str, ...], server: Server, new_context: Callable[..., BrowserContext]
) -> None:
    page = new_context(PHONE).new_page()  # a phone's small map, where pins crowd most
    page.goto(server.base_url)
    choose(page, *wishes)
    submit(page)
    expect_cards(page)
    page.wait_for_timeout(1_000)  # fitted and spread
    for card in page.locator('.tb-bundle').all():
        # Each pin as drawn (a "1·3" pin is wider than a round one): no two touch, and each is a thumb's target
        # (WCAG 2.2 target size, 24 px).
        boxes = [b for b in (pin.bounding_box() for pin in card.locator('.tb-pin span').all()) if b]
        assert all(b['width'] >= 24 and b['height'] >= 24 for b in boxes), boxes
        for a, b in itertools.combinations(boxes, 2):
            assert apart(a, b), (a, b)
        # A pin fanned out must not land on the zoom buttons (top left) or the attribution bar (bottom right).
        controls = card.locator('.leaflet-control-zoom, .leaflet-control-attribution').all()
        assert len(controls) == 2
        for control in (c.bounding_box() for c in controls):
            assert control
            for box in boxes:
                assert apart(box, control), (box, control)


def apart(a: dict, b: dict) -> bool:
    """Two boxes (`bounding_box()`) that do not overlap (touching edges are apart)."""
    return (
        a['x'] + a['width'] <= b['x']
        or b['x'] + b['width'] <= a['x']
        or a['y'] + a['height'] <= b['y']
        or b['y'] + b['height'] <= a['y']
    )
