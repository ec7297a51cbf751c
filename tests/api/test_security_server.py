"""Abuse limits and security headers of the real server (`python app.py` in a subprocess, docs/SECURITY.md).

Proxy headers and the middleware order only exist in a served app: the User fixture has neither.
"""

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fakes.requests import seed_body
from tests.server import AppServer

pytestmark = pytest.mark.slow

BODY = seed_body(timeframe='Next 7 days')
LIMIT = 3


@pytest.fixture(scope='module')
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """Trusts no proxy (the default): the peer's own address is the client's."""
    server = AppServer(tmp_path_factory.mktemp('limited'), rate_limit_per_hour=LIMIT).start()
    yield server
    server.stop()


@pytest.fixture(scope='module')
def behind_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """Trusts 127.0.0.1 as its reverse proxy: X-Forwarded-For and X-Forwarded-Proto from it are believed."""
    server = AppServer(
        tmp_path_factory.mktemp('proxied'), rate_limit_per_hour=LIMIT, trusted_proxies='127.0.0.1'
    ).start()
    yield server
    server.stop()


def post(server: AppServer, **headers: str) -> httpx.Response:
    return httpx.post(f'{server.url}/api/generations', json=BODY, headers=headers, timeout=10)


def test_a_forged_x_forwarded_for_does_not_pick_a_new_bucket(limited: AppServer) -> None:
    answers = [post(limited, **{'X-Forwarded-For': f'203.0.113.{n}'}).status_code for n in range(LIMIT + 2)]
    assert answers == [200] * LIMIT + [429, 429]
    refused = post(limited, **{'X-Forwarded-For': '198.51.100.7'})
    assert refused.status_code == 429 and int(refused.headers['Retry-After']) > 0


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket(behind_proxy: AppServer) -> None:
    first = [post(behind_proxy, **{'X-Forwarded-For': '203.0.113.1'}).status_code for _ in range(LIMIT + 1)]
    assert first == [200] * LIMIT + [429]
    # Another client behind the proxy; a client's own forged entry before it is not believed (the proxy's
    # last entry is the address it saw).
    other = [post(behind_proxy, **{'X-Forwarded-For': '203.0.113.1, 203.0.113.2'}).status_code for _ in range(LIMIT)]
    assert other == [200] * LIMIT


def test_every_response_carries_the_security_headers(limited: AppServer) -> None:
    page = httpx.get(f'{limited.url}/')
    static = re.search(r'src="(/_nicegui/[^"]+/static/[^"]+\.js)"', page.text)
    assert static, page.text[:500]
    responses = {
        'page': page,
        'generation page': httpx.get(f'{limited.url}/generations/00000000-0000-4000-8000-000000000000'),
        'api': httpx.get(f'{limited.url}/api/generations/nope'),
        'health': httpx.get(f'{limited.url}/healthz'),
        'static': httpx.get(f'{limited.url}{static.group(1)}'),
        'style sheet': httpx.get(f'{limited.url}/_nicegui/auto/static/nope.css'),
        'openapi': httpx.get(f'{limited.url}/openapi.json'),
    }
    for name, response in responses.items():
        headers = response.headers
        policy = headers.get('content-security-policy', '')
        assert "frame-ancestors 'none'" in policy, name
        assert "default-src 'self'" in policy and "object-src 'none'" in policy, name
        assert 'https://tile.openstreetmap.org' in policy, name  # MAP_TILES_URL's host, for the map tiles
        assert headers.get('x-frame-options') == 'DENY', name
        assert headers.get('x-content-type-options') == 'nosniff', name
        assert headers.get('referrer-policy') == 'same-origin', name
    assert responses['static'].status_code == 200


def session_cookie(response: httpx.Response) -> str:
    cookies = response.headers.get_list('set-cookie')
    assert cookies, response.headers
    return cookies[0].lower()


def test_cookies_are_secure_when_the_trusted_proxy_says_https(behind_proxy: AppServer, limited: AppServer) -> None:
    assert '; secure' in session_cookie(httpx.get(f'{behind_proxy.url}/', headers={'X-Forwarded-Proto': 'https'}))
    assert '; secure' not in session_cookie(httpx.get(f'{behind_proxy.url}/'))  # plain http: a Secure cookie is lost
    # An untrusted peer saying https is not believed.
    assert '; secure' not in session_cookie(httpx.get(f'{limited.url}/', headers={'X-Forwarded-Proto': 'https'}))


def test_files_the_server_writes_are_its_own(limited: AppServer) -> None:
    data = Path(limited.data_dir)
    written = [p for p in data.rglob('*') if p.is_file() and not p.name.startswith('server-')]  # logs: the test's
    assert written
    assert {p.name: oct(p.stat().st_mode & 0o777) for p in written} == {p.name: '0o600' for p in written}


def test_gzip_only_for_clients_that_accept_it(behind_proxy: AppServer) -> None:
    created = post(behind_proxy, **{'X-Forwarded-For': '203.0.113.77'})  # a bucket of its own
    url = f'{behind_proxy.url}/api/generations/{created.json()["generationId"]}'
    for path in (url, f'{behind_proxy.url}/'):  # the API's own gzip, and the middleware's for a page
        refused = httpx.get(path, headers={'Accept-Encoding': 'gzip;q=0, identity'}, timeout=10)
        gzipped = httpx.get(path, headers={'Accept-Encoding': 'gzip'}, timeout=10)
        assert refused.status_code == gzipped.status_code == 200
        assert 'content-encoding' not in refused.headers, path
        assert gzipped.headers['content-encoding'] == 'gzip', path  # once, not twice: httpx decoded it
    assert (
        gzipped.text.lstrip().lower().startswith('<!doctype html>')
        and httpx.get(url, timeout=10).json()['generationId']
    )
