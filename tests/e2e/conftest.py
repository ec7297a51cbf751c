"""End-to-end fixtures: `python app.py` as a subprocess on a free port with its own data, and Debian's Chromium.

Run in their own pytest invocation (sync Playwright breaks async tests run after it):
    python -m pytest -q -o addopts= tests/e2e
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models import schema
from models.db import build_engine
from models.generation import Generation
from services import clock
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / 'test-artifacts'
CHROMIUM = os.environ.get('CHROMIUM', '/usr/bin/chromium')
CHROMIUM_ARGS = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
]
LAPTOP = {'width': 1280, 'height': 800}
PHONE = {'width': 390, 'height': 844}
TEST_CITY = 'Testville'
XSS_TITLE = '<img src=x onerror="window.__xss=1">'
START_TIMEOUT_S = 30


@dataclass
class Server:
    base_url: str
    database_url: str
    process: subprocess.Popen
    log_path: Path
    engine: Engine = field(init=False)

    def __post_init__(self) -> None:
        self.engine = build_engine(self.database_url)

    def generations(self, *, client_id: str | None = None) -> list[Generation]:
        with Session(self.engine) as session:
            query = select(Generation)
            if client_id is not None:
                query = query.where(Generation.client_id == client_id)
            return list(session.exec(query).all())

    def generation(self, generation_id: str) -> Generation | None:
        with Session(self.engine) as session:
            return session.get(Generation, generation_id)

    def log_tail(self, lines: int = 40) -> str:
        return '\n'.join(self.log_path.read_text(errors='replace').splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def seed_test_city(database_url: str) -> None:
    """A small non-demo city whose events the planner must use: one has an XSS payload as its title."""
    engine = build_engine(database_url)
    schema.create_db_and_tables(engine)  # migrated, as the app will find it
    now = clock.now()
    with Session(engine) as session:
        city = factories.add_city(session, TEST_CITY)
        city.is_demo = False
        session.add(city)
        session.commit()
        club = factories.add_venue(session, city, 'Kellerbar', 'Altstadt', tags=['underground', 'basement'])
        hall = factories.add_venue(session, city, 'Halle 7', 'Hafen', tags=['warehouse'])
        for day in range(1, 6):
            start = (now + timedelta(days=day)).replace(hour=21, minute=0, second=0, microsecond=0)
            factories.add_event(
                session,
                club if day % 2 else hall,
                title=XSS_TITLE if day == 1 else f'Basement Session {day}',
                description=XSS_TITLE,
                starts_at=start,
                tags=['house', 'techno'],
                category='music',
            )
            factories.add_event(
                session,
                hall,
                title=f'Late Bar Crawl {day}',
                starts_at=start - timedelta(hours=3),
                hours=2,
                tags=['bar'],
                category='nightlife',
            )
    engine.dispose()


def add_wellness_event(server: Server) -> None:
    with Session(server.engine) as session:
        city = factories.add_city(session, TEST_CITY)
        venue = factories.add_venue(session, city, 'Quiet Baths', 'Altstadt', tags=['calm'])
        for day, title in ((2, 'Morning Sauna'), (3, 'Sound Bath')):
            start = (clock.now() + timedelta(days=day)).replace(hour=10, minute=0, second=0, microsecond=0)
            factories.add_event(session, venue, title=title, starts_at=start, category='wellness', tags=['spa'])


def start_server(tmp: Path, **env: str) -> Server:
    port = free_port()
    data_dir = tmp / 'data'
    data_dir.mkdir(parents=True, exist_ok=True)
    database_url = f'sqlite:///{data_dir}/e2e.db'
    seed_test_city(database_url)
    child_env = {k: v for k, v in os.environ.items() if not k.startswith('PYTEST_') and k != 'OPENAI_API_KEY'}
    child_env.update(
        HOST='127.0.0.1',
        PORT=str(port),
        DATA_DIR=str(data_dir),
        DATABASE_URL=database_url,
        PLANNER='offline',
        STORAGE_SECRET='e2e-secret',
        RATE_LIMIT_PER_HOUR='0',
        NICEGUI_STORAGE_PATH=str(tmp / 'nicegui'),
        PYTHONUNBUFFERED='1',
        # Map tiles from the app itself (404s): the browser never reaches for the internet in tests.
        MAP_TILES_URL=f'http://127.0.0.1:{port}/no-tiles/{{z}}/{{x}}/{{y}}.png',
    )
    child_env.update(env)
    log_path = tmp / 'server.log'
    entry = os.environ.get('E2E_ENTRY', 'app.py')  # tests/e2e/scripted_app.py swaps in the scripted planner
    process = subprocess.Popen(
        [sys.executable, entry],
        cwd=ROOT,
        env=child_env,
        stdout=log_path.open('wb'),
        stderr=subprocess.STDOUT,
    )
    server = Server(base_url=f'http://127.0.0.1:{port}', database_url=database_url, process=process, log_path=log_path)
    wait_until_ready(server)
    return server


def wait_until_ready(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f'server exited with {server.process.returncode}:\n{server.log_tail()}')
        try:
            healthy = httpx.get(f'{server.base_url}/healthz', timeout=1).status_code == 200
            # start-up hooks run as tasks: wait until the demo catalog is there too
            if healthy and 'Berlin' in httpx.get(server.base_url, timeout=2).text:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f'server did not start in {START_TIMEOUT_S} s:\n{server.log_tail()}')


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    server.engine.dispose()


@pytest.fixture(scope='session')
def server_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Server]]:
    started: list[Server] = []

    def make(**env: str) -> Server:
        server = start_server(tmp_path_factory.mktemp('server'), **env)
        started.append(server)
        return server

    yield make
    for server in started:
        stop_server(server)


@pytest.fixture(scope='session')
def server(server_factory: Callable[..., Server]) -> Server:
    """A server whose offline planner takes a moment per step, so the loading page can be seen."""
    return server_factory(OFFLINE_STEP_DELAY_S='0.4')


@pytest.fixture(scope='session')
def slow_server(server_factory: Callable[..., Server]) -> Server:
    """A server slow enough to reload, go offline or cancel mid-generation."""
    return server_factory(OFFLINE_STEP_DELAY_S='2.5')


@pytest.fixture(scope='session')
def pw() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope='session')
def chromium(pw: Playwright) -> Iterator[Browser]:
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_context(chromium: Browser) -> Iterator[Callable[..., BrowserContext]]:
    contexts: list[BrowserContext] = []

    def make(viewport: dict | None = None, **options) -> BrowserContext:
        context = chromium.new_context(viewport=viewport or LAPTOP, **options)
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    return new_context().new_page()


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(300)  # let transitions settle
    page.screenshot(path=str(ARTIFACTS / f'{name}.png'), full_page=True)


def no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate('document.scrollingElement.scrollWidth <= window.innerWidth')
