"""Bundle maps in real Chromium: one per bundle, a numbered pin per mapped event, travel between stops."""

from collections.abc import Callable

import httpx
from playwright.sync_api import BrowserContext, expect

from tests.e2e.conftest import LAPTOP, PHONE, Server, no_horizontal_scroll, screenshot
from tests.e2e.test_journeys import expect_cards
from tests.e2e.test_map_interactions import outings

# One day out: its stops follow one another, so the cards show the way between them (a week's plan may be one
# stop an evening).
BERLIN_PLAN = {'interests': ['music', 'nightlife', 'food'], 'musicProfile': 'House', 'timeframe': 'Tomorrow'}


def test_each_bundle_has_a_map_with_a_pin_per_mapped_event(
    server: Server, new_context: Callable[..., BrowserContext]
) -> None:
    response = httpx.post(f'{server.base_url}/api/generations', json={'preferences': {**BERLIN_PLAN, 'city': 'Berlin'}})
    assert response.status_code in (200, 201, 202), response.text
    generation_id = response.json()['generationId']
    for name, viewport in (('laptop', LAPTOP), ('phone', PHONE)):
        page = new_context(viewport).new_page()
        page.goto(f'{server.base_url}/generations/{generation_id}')
        expect_cards(page)
        bundles = server.generation(generation_id).bundles
        cards = page.locator('.tb-bundle')
        expect(cards).to_have_count(len(bundles))
        expect(page.locator('.leaflet-container')).to_have_count(len(bundles))
        for index, bundle in enumerate(bundles):
            card = cards.nth(index)
            mapped = [e for e in bundle['keyEvents'] if e['lat'] is not None and e['lon'] is not None]
            assert mapped, bundle['title']  # demo venues all have a position
            # One pin per place, numbered in visiting order once Leaflet is up in the browser; a venue visited
            # twice carries both numbers ("1·3") rather than two pins hiding each other.
            places: dict[tuple[float, float], list[str]] = {}
            for number, event in enumerate(mapped, start=1):
                places.setdefault((event['lat'], event['lon']), []).append(str(number))
            pins = card.locator('.leaflet-container .leaflet-marker-icon')
            expect(pins).to_have_count(len(places))
            # to_have_text waits, like the count above: Leaflet fills a pin's number after it adds the marker.
            expect(card.locator('.tb-pin')).to_have_text(['·'.join(numbers) for numbers in places.values()])
            days = outings(mapped)  # one line joining the stops of each day out, none between days
            expect(card.locator('.leaflet-overlay-pane path')).to_have_count(sum(1 for day in days if len(day) > 1))
            expect(card.locator('.leaflet-control-attribution')).to_contain_text('OpenStreetMap')
        hops = page.locator('.tb-travel').all_inner_texts()
        assert hops and all(h.endswith((' min walk', ' min by transit', 'next door', 'same place')) for h in hops)
        assert no_horizontal_scroll(page)
        screenshot(page, f'{name}-bundle-maps')


def test_maps_off_hides_them_but_keeps_the_travel(
    server_factory: Callable[..., Server], new_context: Callable[..., BrowserContext]
) -> None:
    server = server_factory(MAP_TILES_URL='off')
    response = httpx.post(f'{server.base_url}/api/generations', json={'preferences': {**BERLIN_PLAN, 'city': 'Berlin'}})
    page = new_context(PHONE).new_page()
    page.goto(f'{server.base_url}/generations/{response.json()["generationId"]}')
    expect_cards(page)
    expect(page.locator('.leaflet-container')).to_have_count(0)
    expect(page.locator('.tb-stop-num')).to_have_count(0)
    expect(page.locator('.tb-travel').first).to_be_visible()
