"""What a person relies on, in real Chromium: the keyboard alone, honest progress, keeping the plans made when
cancelling, a plan shared with a friend, a kept plan outliving the clean-up, the card's address and directions,
and a form that says what is wrong where it is wrong."""

import re
from collections.abc import Callable
from datetime import timedelta

from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session

from services import clock
from services.generations import store
from settings import settings
from tests.e2e.conftest import ARTIFACTS, PHONE, TEST_CITY, Server, no_horizontal_scroll, screenshot
from tests.e2e.test_journeys import (
    CARDS_TIMEOUT_MS,
    GENERATION_URL,
    choose,
    choose_city,
    expect_cards,
    generation_id_of,
    submit,
)

MAX_TABS = 120
PRIVATE = 'only quiet places near my flat'


def tab_to(page: Page, name: str, *, exact: bool = False) -> None:
    """Presses Tab until the focused element's accessible name is (or starts with) `name`; fails if it never is."""
    for _ in range(MAX_TABS):
        page.keyboard.press('Tab')
        focused = page.evaluate(
            """() => { const e = document.activeElement; if (!e) return '';
              if (e.getAttribute('aria-label')) return e.getAttribute('aria-label').trim();
              const copy = e.cloneNode(true);
              copy.querySelectorAll('[aria-hidden="true"], .q-icon').forEach((n) => n.remove());
              return (copy.textContent || e.title || '').trim(); }"""
        )
        if focused == name or (not exact and focused.startswith(name)):
            return
    raise AssertionError(f'{name!r} cannot be reached with Tab')


def focus_ring(page: Page) -> str:
    """'solid' when the focused element shows a ring: an outline, or (Quasar's buttons) a ring drawn around it."""
    return page.evaluate(
        """() => { const e = document.activeElement;
          const ring = getComputedStyle(e, '::after').borderTopStyle === 'solid';
          return getComputedStyle(e).outlineStyle === 'solid' || ring ? 'solid' : 'none'; }"""
    )


def test_keyboard_only_from_form_to_every_card_control(
    server: Server, new_context: Callable[..., BrowserContext]
) -> None:
    page = new_context().new_page()
    page.goto(server.base_url)
    expect(page.get_by_role('heading', level=1, name='What are you in the mood for?')).to_be_visible()

    tab_to(page, 'Music', exact=True)
    assert focus_ring(page) == 'solid'  # a visible focus on the chip
    page.keyboard.press('Space')  # Space toggles, and does not scroll the page
    music = page.get_by_role('button', name='Music', exact=True)
    expect(music).to_have_attribute('aria-pressed', 'true')
    page.keyboard.press('Space')
    expect(music).to_have_attribute('aria-pressed', 'false')
    page.keyboard.press('Enter')
    expect(music).to_have_attribute('aria-pressed', 'true')
    tab_to(page, 'Next 7 days', exact=True)
    page.keyboard.press('Enter')
    expect(page.get_by_role('button', name='Next 7 days')).to_have_attribute('aria-pressed', 'true')
    tab_to(page, 'Make my plans')
    page.keyboard.press('Enter')
    page.wait_for_url(GENERATION_URL)
    expect_cards(page)

    for name in (
        'Share these plans',
        'Keep this plan',
        'Directions to',  # demo events have no ticket link: their cards say so instead of a Tickets link
        'Swap',
        'Cheaper',
        'Closer together',
        'Change this plan',
        'Add to calendar',
        'Share',
    ):
        tab_to(page, name)
        assert focus_ring(page) == 'solid', name
    generation_id = generation_id_of(page)
    page.get_by_role('button', name='Share these plans').focus()  # from the top again, operating this time
    tab_to(page, 'Keep this plan')
    page.keyboard.press('Enter')
    expect(page.get_by_role('button', name='Kept')).to_have_attribute('aria-pressed', 'true', timeout=15_000)
    assert server.generation(generation_id).kept
    tab_to(page, 'Swap')
    page.keyboard.press('Enter')  # a swap from the keyboard: the picker takes the focus, Enter picks
    picker = page.get_by_role('dialog')
    expect(picker.get_by_role('button', name=re.compile('^Swap in ')).first).to_be_visible()
    tab_to(page, 'Swap in')
    assert focus_ring(page) == 'solid', 'Swap in'
    page.keyboard.press('Enter')
    page.wait_for_url(lambda url: generation_id not in url)
    expect(page.get_by_text('Refined from:')).to_be_visible(timeout=CARDS_TIMEOUT_MS)


def test_landing_cards_never_promise_a_plan_that_will_not_come(
    slow_server: Server, new_context: Callable[..., BrowserContext]
) -> None:
    page = new_context(PHONE).new_page()
    page.goto(slow_server.base_url)
    choose(page, 'Music', 'Nightlife', 'Next 7 days')
    submit(page)
    seen: set[str] = set()
    ready = page.get_by_text('Your plans are ready')
    while not ready.is_visible():  # the badges, counts and placeholders while planning
        texts = {t for selector in ('.tb-badge', '.tb-eyebrow', '.tb-placeholder', '.tb-sticky-text')
                 for t in page.locator(selector).all_inner_texts()}  # fmt: skip
        if not ready.is_visible():  # read while still planning (the finished page rightly says "Plan 1 of 3")
            seen.update(texts)
        page.wait_for_timeout(250)
    assert not any(re.search(r'\bof [0-9]\b', text) for text in seen), seen
    assert not any('is on its way' in text for text in seen), seen
    count = page.locator('.tb-bundle').count()
    expect(page.locator('.tb-badge', has_text=f'Plan 1 of {count}')).to_have_count(1)


def test_cancel_keeps_the_plans_already_made(
    server_factory: Callable[..., Server], new_context: Callable[..., BrowserContext]
) -> None:
    slow_server = server_factory(OFFLINE_STEP_DELAY_S='6')  # time to stop between the first plan and the last
    page = new_context(PHONE).new_page()
    page.goto(slow_server.base_url)
    choose(page, 'Music', 'Nightlife', 'Next 7 days')
    generation_id = submit(page)
    expect(page.locator('.tb-bundle').first).to_be_visible(timeout=CARDS_TIMEOUT_MS)
    bar = page.locator('.tb-sticky-status')
    page.mouse.wheel(0, 1500)  # far down the page, the status and Cancel stay in reach
    expect(bar).to_be_in_viewport()
    screenshot(page, 'phone-planning-sticky')
    bar.get_by_role('button', name='Cancel').click()
    dialog = page.get_by_role('dialog', name='Stop planning?')
    expect(dialog).to_be_visible()
    stop = dialog.get_by_role('button', name=re.compile(r'^Stop here, keep \d plans?$'))
    kept = int(re.search(r'keep (\d)', stop.inner_text()).group(1))
    stop.click()
    expect(page.get_by_text(re.compile(r'^Planning stopped · \d plans? kept$'))).to_be_visible()
    row = slow_server.generation(generation_id)
    assert row.status == 'cancelled'
    assert len(row.bundles) >= kept >= 1  # what was there when asked, and any that landed meanwhile
    count = len(row.bundles)
    expect(page.get_by_text(f'Planning stopped · {count} plan{"s" if count != 1 else ""} kept')).to_be_visible()
    expect(page.locator('.tb-bundle')).to_have_count(len(row.bundles))
    screenshot(page, 'phone-cancelled-kept')


def test_a_friend_opens_plan_2_without_the_senders_inputs(
    server: Server, new_context: Callable[..., BrowserContext]
) -> None:
    page = new_context().new_page()
    page.goto(server.base_url)
    choose(page, 'Music', 'Nightlife', 'Next 7 days')
    page.get_by_label('Budget').fill('80')
    page.get_by_label('Anything else').fill(PRIVATE)
    generation_id = submit(page)
    expect_cards(page)
    expect(page.get_by_text(PRIVATE).first).to_be_visible()  # quoted in the summary (and as a wish not used)

    friend = new_context(PHONE).new_page()
    friend.goto(f'{server.base_url}/generations/{generation_id}?plan=2')
    expect(friend.get_by_text('Plans shared with you')).to_be_visible()
    second = friend.locator('[data-plan="2"]')
    expect(second).to_have_class(re.compile('tb-opened'))
    expect(second).to_be_focused()
    expect(second).to_be_in_viewport()
    expect(friend.get_by_text(PRIVATE)).to_have_count(0)
    expect(friend.get_by_text(re.compile('Up to .80 per plan'))).to_have_count(0)
    expect(friend.get_by_role('button', name='Keep this plan')).to_have_count(0)
    assert no_horizontal_scroll(friend)
    screenshot(friend, 'phone-shared-plan-2')


def test_a_kept_plan_survives_the_ttl_sweep(server: Server, new_context: Callable[..., BrowserContext]) -> None:
    context = new_context()
    context.grant_permissions(['clipboard-read', 'clipboard-write'])
    page = context.new_page()
    page.goto(server.base_url)
    choose(page, 'Art', 'Next 7 days')
    generation_id = submit(page)
    expect_cards(page)
    page.get_by_role('button', name='Keep this plan').click()
    expect(page.get_by_role('button', name='Kept')).to_be_visible()
    page.locator('[data-plan="1"]').get_by_role('button', name='Share').click()  # a laptop: copied
    expect(page.get_by_text('Link copied')).to_be_visible()
    assert page.evaluate('navigator.clipboard.readText()') == f'{server.base_url}/generations/{generation_id}?plan=1'

    later = clock.now() + timedelta(hours=settings.generation_ttl_hours + 1)
    with Session(server.engine) as session:
        store.delete_expired(session=session, now=later)  # the sweep, a day ahead
    assert server.generation(generation_id) is not None
    page.goto(f'{server.base_url}/history')
    expect(page.locator('.tb-history-row').first.get_by_text('Kept')).to_be_visible()


def test_a_card_shows_the_address_directions_and_price_per_person(
    server: Server, new_context: Callable[..., BrowserContext]
) -> None:
    for name, viewport in (('laptop', {'width': 1366, 'height': 900}), ('phone', PHONE)):
        page = new_context(viewport).new_page()
        page.goto(server.base_url)
        choose(page, 'Music', 'Next 7 days')
        generation_id = submit(page)
        expect_cards(page)
        event = server.generation(generation_id).bundles[0]['keyEvents'][0]
        card = page.locator('[data-plan="1"]')
        expect(card.get_by_text(event['address'])).to_be_visible()
        directions = card.get_by_role('link', name=re.compile('^Directions to')).first
        expect(directions).to_have_attribute(
            'href', f'https://www.openstreetmap.org/directions?to={event["lat"]:.6f}%2C{event["lon"]:.6f}'
        )
        expect(card.get_by_text(re.compile(r'per person$')).first).to_be_visible()
        card.scroll_into_view_if_needed()
        ARTIFACTS.mkdir(exist_ok=True)
        card.screenshot(path=str(ARTIFACTS / f'{name}-card-address.png'))


def test_form_errors_are_tied_to_their_field_and_focused(
    server: Server, new_context: Callable[..., BrowserContext]
) -> None:
    page = new_context(PHONE).new_page()
    page.goto(server.base_url)
    page.get_by_role('button', name='Make my plans').click()
    error = page.get_by_text('Pick at least one interest.')
    expect(error).to_be_visible()
    group = page.get_by_role('group', name=re.compile('^What are you into'))
    expect(group).to_have_attribute('aria-invalid', 'true')
    error_id = error.get_attribute('id')
    expect(group).to_have_attribute('aria-describedby', error_id)
    expect(page.get_by_role('button', name='Music', exact=True)).to_be_focused()  # the first problem, in view
    expect(page.get_by_role('button', name='Music', exact=True)).to_be_in_viewport()

    choose(page, 'Music')
    page.get_by_label('Budget').fill('-5')
    page.get_by_role('button', name='Make my plans').click()
    expect(page.get_by_text('Pick at least one interest.')).to_be_hidden()
    budget_error = page.get_by_text('The budget cannot be negative.')
    expect(budget_error).to_be_visible()
    expect(page.get_by_label('Budget')).to_have_attribute('aria-invalid', 'true')
    expect(page.get_by_label('Budget')).to_be_focused()
    assert page.get_by_label('Budget').input_value() == '-5'  # never quietly turned into 0
    assert not GENERATION_URL.match(page.url)

    choose(page, 'Custom dates')
    page.set_viewport_size({'width': 320, 'height': 700})
    assert no_horizontal_scroll(page)
    box = page.locator('.q-date').bounding_box()
    assert box is not None and box['x'] >= 0 and box['x'] + box['width'] <= 320
    screenshot(page, 'phone-320-dates')


def test_a_refused_change_is_said_on_the_card_which_keeps_the_plan(
    server: Server, new_context: Callable[..., BrowserContext]
) -> None:
    page = new_context(PHONE).new_page()
    page.goto(server.base_url)
    choose_city(page, TEST_CITY)
    choose(page, 'Nightlife', 'Next 7 days')  # bar crawls, all at one price: nothing cheaper exists
    generation_id = submit(page)
    expect_cards(page)
    card = page.locator('[data-plan="1"]')
    titles = card.locator('.tb-event-title').all_inner_texts()
    card.get_by_role('button', name='Cheaper').click()
    note = card.locator('.tb-refused')
    expect(note).to_be_visible(timeout=CARDS_TIMEOUT_MS)
    expect(note).to_contain_text('This change could not be made')
    expect(note).to_contain_text('Your plan is unchanged.')
    assert generation_id in page.url  # the same page and plan
    assert card.locator('.tb-event-title').all_inner_texts() == titles
    expect(page.get_by_text("We couldn't make this plan")).to_have_count(0)
    note.scroll_into_view_if_needed()
    screenshot(page, 'phone-refused-change')
