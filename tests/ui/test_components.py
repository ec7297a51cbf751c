"""Formatting and safety helpers of the pages."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from models.catalog import Price
from models.generation import Bundle, KeyEvent
from pages import theme
from pages.bundle_card import bundle_days
from pages.components import format_elapsed, format_price, safe_url, time_ago


@pytest.mark.parametrize(
    ('url', 'expected'),
    [
        ('https://tickets.example.com/1', 'https://tickets.example.com/1'),
        ('http://example.com', 'http://example.com'),
        ('javascript:alert(1)', None),
        ('JaVaScRiPt:alert(1)', None),
        ('data:text/html,<script>alert(1)</script>', None),
        ('/relative/path', None),
        ('//evil.example.com', None),
        ('', None),
        (None, None),
    ],
)
def test_only_absolute_http_links_survive(url: str | None, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_prices() -> None:
    assert format_price(Price(min=0, max=0, currency='EUR')) == 'Free'
    assert format_price(Price(min=12, max=18, currency='EUR')) == '€12\u201318'
    assert format_price(Price(min=9.5, max=9.5, currency='GBP')) == '£9.50'
    assert format_price(Price(min=20, max=20, currency='CHF')) == 'CHF 20'
    assert format_price(None) == 'Price TBA'


def test_elapsed_and_relative_times() -> None:
    assert format_elapsed(0) == '0:00'
    assert format_elapsed(83) == '1:23'
    assert format_elapsed(3725) == '1:02:05'
    now = datetime(2026, 12, 5, 12, tzinfo=UTC)
    assert time_ago(now - timedelta(seconds=20), now) == 'just now'
    assert time_ago(now - timedelta(minutes=5), now) == '5 min ago'
    assert time_ago(now - timedelta(hours=3), now) == '3 h ago'
    assert time_ago(now - timedelta(days=1), now) == '1 day ago'


def test_covers_are_deterministic_and_varied() -> None:
    assert theme.cover_gradient('Warehouse Weekend') == theme.cover_gradient('Warehouse Weekend')
    covers = {theme.cover_gradient(f'Plan {n}') for n in range(20)}
    assert len(covers) > 5
    assert theme.category_icon('music') == 'music_note'
    assert theme.category_icon('unknown') == theme.DEFAULT_CATEGORY_ICON


def test_the_card_days_are_the_key_events_days_in_the_city() -> None:
    """Titles name a theme; the days go on their own line, in the city's time (00:30 Sunday is not Saturday)."""
    berlin = ZoneInfo('Europe/Berlin')

    def key(day: int, hour: int, minute: int = 0) -> KeyEvent:
        start = datetime(2025, 12, day, hour, minute, tzinfo=berlin)
        return KeyEvent(
            event_id=f'e{day}', title='Show', starts_at=start, ends_at=start + timedelta(hours=2), venue='Kino',
            neighborhood='Mitte', price=None, category='film', tags=[], url='u', why='',
        )  # fmt: skip

    def days(*events: KeyEvent) -> str:
        return bundle_days(Bundle(title='A', description='', key_events=list(events), estimated_cost=None))

    assert days(key(5, 19), key(7, 0, 30)) == 'Fri 5 - Sun 7 Dec'
    assert days(key(6, 16), key(6, 20)) == 'Sat 6 Dec'
