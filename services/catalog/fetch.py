"""Reads what an importer imports: a local file or an http(s) URL, size-capped, errors as one line.

A URL is fetched only from public addresses: its host is resolved and refused when any address is loopback,
private, link-local or otherwise not global, and redirects are followed one by one so each new target is
checked the same way (IMPORT_ALLOW_PRIVATE=true lifts this, e.g. for a feed on the same network). Error
messages name the source and the reason, never the content read.
"""

import ipaddress
import re
import socket
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from services.catalog.importing import ImportFailure
from settings import settings

MAX_BYTES = 20 * 1024 * 1024
TIMEOUT_S = 20
MAX_REDIRECTS = 5


def is_url(source: str) -> bool:
    return bool(re.match(r'^https?://', source, re.I))


def read_file_or_url(source: str) -> bytes:
    if is_url(source):
        return _fetch(source)
    path = Path(source)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ImportFailure(f'{source} is larger than {MAX_BYTES // 1024 // 1024} MB')
        return path.read_bytes()
    except FileNotFoundError:
        raise ImportFailure(f'no such file: {source}') from None
    except IsADirectoryError:
        raise ImportFailure(f'{source} is a folder, not a file') from None
    except OSError as error:
        raise ImportFailure(f'cannot read {source}: {error.strerror or type(error).__name__}') from None


def check_public(url: str) -> None:
    """ImportFailure unless every address the URL's host resolves to is a public one (or private is allowed)."""
    if settings.import_allow_private:
        return
    host = urlsplit(url).hostname
    if not host:
        raise ImportFailure(f'{url} names no host')
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise ImportFailure(f'cannot fetch {url}: unknown host {host}') from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split('%')[0])
        mapped = getattr(address, 'ipv4_mapped', None)
        if not (mapped or address).is_global:
            raise ImportFailure(
                f'refused to fetch {url}: {host} is a loopback, private or link-local address '
                '(set IMPORT_ALLOW_PRIVATE=true to allow it)'
            )


def _fetch(url: str) -> bytes:
    try:
        with httpx.Client(
            timeout=TIMEOUT_S, follow_redirects=False, headers={'User-Agent': 'trip-bundles-import'}
        ) as client:
            for _ in range(MAX_REDIRECTS + 1):
                check_public(url)
                with client.stream('GET', url) as response:
                    if response.is_redirect and response.headers.get('location'):
                        url = urljoin(url, response.headers['location'])
                        if not is_url(url):
                            raise ImportFailure('a redirect led to something that is not an http(s) URL')
                        continue
                    if response.status_code >= 400:
                        raise ImportFailure(f'{url} answered HTTP {response.status_code}')
                    return _body(url, response)
            raise ImportFailure(f'{url}: more than {MAX_REDIRECTS} redirects')
    except httpx.HTTPError as error:
        raise ImportFailure(f'cannot fetch {url}: {type(error).__name__}') from None


def _body(url: str, response: httpx.Response) -> bytes:
    body = b''
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > MAX_BYTES:
            raise ImportFailure(f'{url} is larger than {MAX_BYTES // 1024 // 1024} MB')
    return body
