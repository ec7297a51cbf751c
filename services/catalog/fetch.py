"""Reads what an importer imports: a local file or an http(s) URL, size-capped, errors as one line."""

import re
from pathlib import Path

import httpx

from services.catalog.importing import ImportFailure

MAX_BYTES = 20 * 1024 * 1024
TIMEOUT_S = 20


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
    except OSError as error:
        raise ImportFailure(f'cannot read {source}: {error.strerror or error}') from None


def _fetch(url: str) -> bytes:
    try:
        with httpx.stream(
            'GET', url, timeout=TIMEOUT_S, follow_redirects=True, headers={'User-Agent': 'trip-bundles-import'}
        ) as response:
            if response.status_code >= 400:
                raise ImportFailure(f'{url} answered HTTP {response.status_code}')
            body = b''
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_BYTES:
                    raise ImportFailure(f'{url} is larger than {MAX_BYTES // 1024 // 1024} MB')
            return body
    except httpx.HTTPError as error:
        raise ImportFailure(f'cannot fetch {url}: {error or type(error).__name__}') from None
