"""Security in real Chromium (docs/SECURITY.md): the app works under its Content-Security-Policy, no other
site can frame it, and the form's rate limit holds for a browser that clears its cookies."""

import re
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import Server, free_port
from tests.e2e.test_journeys import GENERATION_URL, choose, expect_cards, submit
from tests.fakes.requests import seed_body

# Every violation the browser reports, whatever directive it broke (console messages can be missed).
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
    e => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""
APP_HEADING = 'What are you in the mood for?'
LIMIT = 3


def watched_page(context: BrowserContext) -> tuple[Page, list[str]]:
    """A page recording CSP violations and errors, from the console and from the DOM event."""
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    errors: list[str] = []
    page.on('console', lambda message: errors.append(message.text) if message.type == 'error' else None)
    page.on('pageerror', lambda error: errors.append(str(error)))
    return page, errors


def violations(page: Page, errors: list[str]) -> list[str]:
    reported = [e for e in errors if 'Content Security Policy' in e or 'Refused to' in e]
    return reported + page.evaluate('window.__violations')


# A 1x1 PNG: what the stand-in tile server answers.
TILE_PNG = bytes.fromhex(
    '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cf'
    'c0f01f0005000201a5e8f1b20000000049454e44ae426082'
)


class OtherSite:
    """A server on another site than the app (`localhost` is not `127.0.0.1`'s site): map tiles, and a page
    framing the app next to a page of its own (the control that frames do work there)."""

    def __init__(self) -> None:
        self.app_url = ''
        self.tile_requests: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # http.server's name
                kind, body = site.answer(self.path)
                self.send_response(200)
                self.send_header('Content-Type', kind)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(('127.0.0.1', free_port()), Handler)
        self.url = f'http://localhost:{self.httpd.server_address[1]}'
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def answer(self, path: str) -> tuple[str, bytes]:
        if path.startswith('/tiles/'):
            self.tile_requests.append(path)
            return 'image/png', TILE_PNG
        if path == '/inner':
            return 'text/html', b'<p id="inner">framed fine</p>'
        frames = f'<iframe id="app" src="{self.app_url}"></iframe><iframe id="control" src="/inner"></iframe>'
        return 'text/html', frames.encode()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope='module')
def other_site() -> Iterator[OtherSite]:
    site = OtherSite()
    yield site
    site.close()


@pytest.fixture(scope='module')
def tiled_server(server_factory: Callable[..., Server], other_site: OtherSite) -> Server:
    """Map tiles from another host, as with a real tile server: the policy must let them in."""
    return server_factory(MAP_TILES_URL=f'{other_site.url}/tiles/{{z}}/{{x}}/{{y}}.png')


def test_home_and_plan_pages_work_under_the_policy(
    tiled_server: Server, other_site: OtherSite, new_context: Callable[..., BrowserContext]
) -> None:
    page, errors = watched_page(new_context())
    response = page.goto(tiled_server.base_url)
    assert "frame-ancestors 'none'" in response.headers['content-security-policy']
    expect(page.get_by_text(APP_HEADING)).to_be_visible()
    choose(page, 'Music', 'Nightlife', 'Next 7 days')
    submit(page)  # the form's websocket round trip works
    expect_cards(page)
    expect(page.locator('.leaflet-container').first).to_be_visible()  # Leaflet's scripts and styles ran
    expect(page.locator('.leaflet-marker-icon').first).to_be_visible()
    expect(page.locator('.leaflet-control-attribution').first).to_contain_text('OpenStreetMap')
    expect(page.locator('img.leaflet-tile-loaded').first).to_be_attached()  # tiles from the tile host
    assert other_site.tile_requests
    page.reload()  # a page opened directly, not through the form, too
    expect_cards(page)
    expect(page.locator('.leaflet-marker-icon').first).to_be_visible()
    assert violations(page, errors) == []


def test_another_site_cannot_frame_the_app(server: Server, other_site: OtherSite, page: Page) -> None:
    other_site.app_url = f'{server.base_url}/'
    page.goto(other_site.url)
    expect(page.frame_locator('#control').locator('#inner')).to_have_text('framed fine')  # frames work there
    page.wait_for_timeout(2000)  # time for the app to render, were it allowed to
    expect(page.frame_locator('#app').get_by_text(APP_HEADING)).to_have_count(0)
    app_frame = next(f for f in page.frames if f != page.main_frame and 'inner' not in f.url)
    assert not app_frame.url.startswith('http://127.0.0.1'), app_frame.url  # blocked: an error page instead


def test_the_form_limit_holds_when_cookies_are_cleared(
    server_factory: Callable[..., Server], new_context: Callable[..., BrowserContext]
) -> None:
    limited = server_factory(RATE_LIMIT_PER_HOUR=str(LIMIT))
    outcomes = []
    for _ in range(LIMIT + 2):
        page = new_context().new_page()  # a fresh context: no cookies, a new browser to the app
        page.goto(limited.base_url)
        choose(page, 'Music')
        page.get_by_role('button', name='Make my plans').click()
        refused = page.get_by_text('Too many plans started from here')
        for _ in range(100):
            if GENERATION_URL.match(page.url) or refused.count():
                break
            page.wait_for_timeout(100)
        outcomes.append('started' if GENERATION_URL.match(page.url) else 'refused' if refused.count() else page.url)
    assert outcomes == ['started'] * LIMIT + ['refused'] * 2
    assert len({g.client_id for g in limited.generations()}) == LIMIT  # three browsers, one address
    # The API from the same address meets the same full bucket.
    api = httpx.post(f'{limited.base_url}/api/generations', json=seed_body(timeframe='Next 7 days'))
    assert api.status_code == 429


def test_browser_storage_holding_owner_tokens_is_private(server: Server, page: Page) -> None:
    page.goto(server.base_url)
    choose(page, 'Music')
    generation_id = submit(page)
    storage = server.log_path.parent / 'data' / '.nicegui'
    files = wait_for_files(storage, containing=generation_id)
    assert {f.name: oct(f.stat().st_mode & 0o777) for f in files} == {f.name: '0o600' for f in files}
    assert oct(storage.stat().st_mode & 0o777) == '0o700'


def wait_for_files(folder: Path, *, containing: str, timeout: float = 10) -> list[Path]:
    """NiceGUI writes browser storage in the background: wait until the plan's id is on disk."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = list(folder.glob('*.json')) if folder.exists() else []
        if any(re.search(containing, f.read_text(errors='replace')) for f in files):
            return files
        time.sleep(0.1)
    raise AssertionError(f'no storage file in {folder} holds {containing}')
