"""Links on their way into (and out of) the catalog: only absolute http(s) URLs a browser or a calendar line
cannot misread. The fast path for plain links must keep exactly what the full check keeps."""

from urllib.parse import urlsplit

from hypothesis import given
from hypothesis import strategies as st

from services.catalog.clean import MAX_URL, clean_url


def checked_in_full(value: str) -> str:
    """The full check, as written before the fast path: the reference the fast path must agree with."""
    url = value.strip()
    if not url or len(url) > MAX_URL or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return ''
    try:
        parts = urlsplit(url)
    except ValueError:
        return ''
    return url if parts.scheme.lower() in ('http', 'https') and parts.hostname else ''


def test_plain_links_are_kept_and_unsafe_ones_dropped() -> None:
    assert clean_url('https://tickets.example/event/42?seat=a#top') == 'https://tickets.example/event/42?seat=a#top'
    assert clean_url('  HTTP://Example.org:8080/x  ') == 'HTTP://Example.org:8080/x'
    assert clean_url('javascript:alert(1)') == ''
    assert clean_url('https://example.org/a b') == ''
    assert clean_url('https://example.org/\x00') == ''
    assert clean_url('https:///no-host') == ''
    assert clean_url('/relative', base='https://venue.example/listings/') == 'https://venue.example/relative'


PIECES = st.sampled_from(
    [
        *('http', 'https', 'HTTPS', 'ftp', ':', '//', '/', '?', '#', '[', ']', '@', 'a', 'host', '.', '-', '8080'),
        *(' ', '\t', '\x00', '\x7f', '\\', '%20', 'ü', 'x.example', ':99999', '::1'),
    ]
)


@given(st.lists(PIECES, max_size=12).map(''.join))
def test_the_fast_path_keeps_exactly_what_the_full_check_keeps(value: str) -> None:
    assert clean_url(value) == checked_in_full(value)
