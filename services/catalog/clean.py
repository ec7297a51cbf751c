"""Text and links as sources write them, made safe and plain once, before they reach the catalog.

Descriptions come as HTML (Google Calendar writes `<a href=...>` and `&amp;` into .ics DESCRIPTION), so they
are turned into plain text for the cards and the search index. Links are kept only when they are absolute
http(s) URLs with nothing a calendar line or a browser could misread (whitespace, control characters);
relative ones are resolved against the page or feed that gave them; anything else is dropped, and the
importers report it.
"""

import html
import re
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml.etree import ParserError

_TAG = re.compile(r'<\s*/?\s*[a-zA-Z][^>]*>')
_BREAKS = re.compile(r'<\s*(br|/p|/div|/li|/h[1-6])\b[^>]*>', re.I)
_UNSAFE = re.compile(r'[\s\x00-\x1f\x7f]')
# "Name (street, city, zip)": the name is what comes before the brackets.
_BRACKETED = re.compile(r'^\s*([^()]+?)\s*\((.+)\)\s*$')
MAX_URL = 2000
# The shape nearly every stored link has: http(s), a plain host name, then no whitespace or control character.
# Such a link passes every check of `clean_url` as it is, so it skips the parse (a planner reads thousands).
_PLAIN_URL = re.compile(r'https?://[a-z0-9.-]+(?::[0-9]{1,5})?(?:[/?#][^\s\x00-\x1f\x7f]*)?', re.I)


def plain_text(value: str) -> str:
    """HTML (or text with entities) as plain text: tags dropped, entities decoded, lines kept, spaces squeezed."""
    if not value:
        return ''
    if _TAG.search(value):
        marked = _BREAKS.sub(lambda m: m.group(0) + '\n', value)
        try:
            value = lxml.html.fromstring(f'<div>{marked}</div>').text_content()
        except (ParserError, ValueError):  # not parseable as HTML: strip what looks like tags
            value = _TAG.sub(' ', marked)
    value = html.unescape(value).replace('\xa0', ' ')
    lines = (' '.join(line.split()) for line in value.splitlines())
    return '\n'.join(line for line in lines if line).strip()


def clean_url(value: str, *, base: str = '') -> str:
    """An absolute http(s) URL, resolved against `base` when relative; '' when it cannot be one safely."""
    url = (value or '').strip()
    if not url:
        return ''
    if len(url) <= MAX_URL and _PLAIN_URL.fullmatch(url):
        return url
    if base and not re.match(r'^[a-z][a-z0-9+.-]*:', url, re.I):
        url = urljoin(base, url)
    if len(url) > MAX_URL or _UNSAFE.search(url):
        return ''
    try:
        parts = urlsplit(url)
    except ValueError:
        return ''
    if parts.scheme.lower() not in ('http', 'https') or not parts.hostname:
        return ''
    return url


def absolute(value: str, base: str) -> str:
    """`value` resolved against `base` when it is a relative link; checked later, once, by the store."""
    url = (value or '').strip()
    if url and base and not re.match(r'^[a-z][a-z0-9+.-]*:', url, re.I):
        return urljoin(base, url)
    return url


def page_base(source: str) -> str:
    """The base a source's relative links resolve against: its URL, none for a local file."""
    return source if re.match(r'^(https?|webcal)://', source, re.I) else ''


def split_location(location: str) -> tuple[str, str]:
    """A place written as text, 'Name, street, city' or 'Name (street, city, zip)' -> (name, address)."""
    bracketed = _BRACKETED.match(location)
    if bracketed:
        return bracketed.group(1).strip(), bracketed.group(2).strip()
    name, _, address = location.partition(',')
    return (name.strip() or location.strip()), address.strip()
