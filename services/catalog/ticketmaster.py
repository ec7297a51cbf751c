"""Imports a city's coming events from Ticketmaster's Discovery API v2 (`/discovery/v2/events.json`).

Pages are read to the end (`page.totalPages`) within the API's deep-paging limit (size * page < 1000;
beyond it the import says so and withdraws nothing, since unread pages are no evidence). The documented
rate limit (5 requests a second) is kept by spacing requests; a 429 (or a 5xx) is retried with tenacity,
waiting what Retry-After asks when it is there, else backing off. Everything is fetched and read before
the first write, so a malformed page or a refused key leaves the catalog untouched.
Classifications (segment, genre, subGenre) give the category and tags; priceRanges the price; the venue
its name, address and position; the widest 16:9 image the picture; dates.status cancelled/postponed/
rescheduled the status.
"""

import time as clock_time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlmodel import Session
from tenacity import RetryCallState, retry, retry_if_exception_type, stop_after_attempt

from models.catalog import CATEGORIES, City, Venue
from services.catalog.importing import (
    ImportFailure,
    ImportReport,
    category_and_tags,
    ensure_city,
    find_city,
    stable_id,
    store,
    venue_for,
    withdraw_vanished,
)
from services.catalog.jsonld_values import geo, number, text
from services.catalog.search_text import search_text_for
from services.catalog.store import EventRecord
from settings import settings

SOURCE = 'ticketmaster'
PATH = '/discovery/v2/events.json'
PAGE_SIZE = 200
DEEP_PAGING_LIMIT = 1000  # the API answers only while size * page < 1000
MIN_INTERVAL_S = 0.2  # 5 requests a second
MAX_ATTEMPTS = 5
MAX_WAIT_S = 60.0
STATUSES = {'cancelled': 'cancelled', 'canceled': 'cancelled', 'postponed': 'postponed'}


class _Retryable(Exception):
    def __init__(self, status: int, retry_after: float | None) -> None:
        super().__init__(f'HTTP {status}')
        self.status, self.retry_after = status, retry_after


def _wait(state: RetryCallState) -> float:
    error = state.outcome.exception() if state.outcome else None
    if isinstance(error, _Retryable) and error.retry_after is not None:
        return min(error.retry_after, MAX_WAIT_S)
    return min(0.5 * 2 ** (state.attempt_number - 1), MAX_WAIT_S)


def import_ticketmaster(
    *,
    session: Session,
    city_name: str,
    days: int = 30,
    timezone: str | None = None,
    currency: str = 'EUR',
    page_size: int = PAGE_SIZE,
    now: datetime,
) -> ImportReport:
    if not settings.ticketmaster_api_key:
        raise ImportFailure('TICKETMASTER_API_KEY is not set')
    if not 1 <= days <= 366:
        raise ImportFailure('--days must be between 1 and 366')
    city = find_city(session, city_name, timezone)
    end = now + timedelta(days=days)
    items, complete = _fetch_all(city_name.strip(), now, end, page_size)
    readings: list[dict] = []
    skipped: list[str] = []
    for item in items:
        try:
            readings.append(_read(item))
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            skipped.append(f'{text(item.get("id")) or text(item.get("name")) or "an event"}: {error}')
    city = ensure_city(session, city, city_name, timezone, currency)
    report = ImportReport(city=city.name, skipped=skipped)
    feed = f'tm-{city.id}'
    records = _records(session, city, feed, readings)
    store(session, SOURCE, records, now, report)
    if complete:
        produced = {r.source_id for r in records}
        withdraw_vanished(
            session, source=SOURCE, city=city, feeds=(feed,), produced=produced, start=now, end=end, now=now,
            report=report,
        )  # fmt: skip
    else:
        report.skipped.append(f'more than {DEEP_PAGING_LIMIT} events: the API pages no further; use fewer --days')
    session.flush()
    return report


def _fetch_all(city: str, start: datetime, end: datetime, size: int) -> tuple[list[dict], bool]:
    """Every event of every page, and whether the last page was reached."""
    params: dict[str, Any] = {
        'apikey': settings.ticketmaster_api_key.get_secret_value() if settings.ticketmaster_api_key else '',
        'city': city,
        'startDateTime': start.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ'),
        'endDateTime': end.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ'),
        'size': size,
        'sort': 'date,asc',
    }
    events: list[dict] = []
    last_request = [0.0]
    with httpx.Client(base_url=settings.ticketmaster_base_url, timeout=20) as client:
        page = 0
        while True:
            body = _get_page(client, params | {'page': page}, last_request)
            try:
                events += list(body.get('_embedded', {}).get('events', []))
                total_pages = int(body['page']['totalPages'])
            except (AttributeError, KeyError, TypeError, ValueError):
                raise ImportFailure(f'Ticketmaster page {page} is malformed (no page.totalPages)') from None
            page += 1
            if page >= total_pages:
                return events, True
            if page * size >= DEEP_PAGING_LIMIT:  # the documented rule: size * page < 1000
                return events, False


def _get_page(client: httpx.Client, params: dict, last_request: list[float]) -> dict:
    @retry(retry=retry_if_exception_type(_Retryable), wait=_wait, stop=stop_after_attempt(MAX_ATTEMPTS), reraise=True)
    def attempt() -> httpx.Response:
        pause = last_request[0] + MIN_INTERVAL_S - clock_time.monotonic()
        if pause > 0:
            clock_time.sleep(pause)
        last_request[0] = clock_time.monotonic()
        response = client.get(PATH, params=params)
        if response.status_code == 429 or response.status_code >= 500:
            raise _Retryable(response.status_code, number(response.headers.get('Retry-After')))
        return response

    try:
        response = attempt()
    except _Retryable as error:
        raise ImportFailure(f'Ticketmaster still answers {error} after {MAX_ATTEMPTS} attempts') from None
    except httpx.HTTPError as error:
        raise ImportFailure(f'cannot reach Ticketmaster: {error or type(error).__name__}') from None
    if response.status_code in (401, 403):
        raise ImportFailure(f'Ticketmaster refused the API key (HTTP {response.status_code})')
    if response.status_code >= 400:
        raise ImportFailure(f'Ticketmaster answered HTTP {response.status_code}')
    try:
        body = response.json()
    except ValueError:
        raise ImportFailure(f'Ticketmaster page {params["page"]} is malformed (not JSON)') from None
    if not isinstance(body, dict):
        raise ImportFailure(f'Ticketmaster page {params["page"]} is malformed (not an object)')
    return body


def _read(item: dict) -> dict:
    dates = item.get('dates') or {}
    start = dates.get('start') or {}
    if start.get('dateTime'):
        starts_at = datetime.fromisoformat(start['dateTime'].replace('Z', '+00:00'))
    elif start.get('localDate') and dates.get('timezone'):
        local = f'{start["localDate"]}T{start.get("localTime") or "00:00:00"}'
        starts_at = datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(dates['timezone']))
    else:
        raise ValueError('no start date')
    title = text(item.get('name'))
    if not item.get('id') or not title:
        raise ValueError('no id or name')
    classification = (item.get('classifications') or [{}])[0]
    words = [text(classification.get(k)) for k in ('segment', 'genre', 'subGenre')]
    venue = ((item.get('_embedded') or {}).get('venues') or [{}])[0]
    address = ', '.join(p for p in (text(venue.get('address', {}).get('line1')), text(venue.get('postalCode'))) if p)
    location = venue.get('location') or {}
    prices = item.get('priceRanges') or []
    lows = [number(p.get('min')) for p in prices if number(p.get('min')) is not None]
    highs = [number(p.get('max')) for p in prices if number(p.get('max')) is not None]
    return {
        'id': text(item['id']),
        'title': title,
        'description': text(item.get('info')) or text(item.get('pleaseNote')),
        'words': [w for w in words if w],
        'starts_at': starts_at,
        'venue': text(venue.get('name')) or 'Venue to be announced',
        'address': address,
        'geo': geo(location),
        'price': (min(lows), max(highs or lows)) if lows else None,
        'currency': text(prices[0].get('currency')).upper() if prices else '',
        'url': text(item.get('url')),
        'image': _best_image(item.get('images') or []),
        'status': STATUSES.get(text((dates.get('status') or {}).get('code')).lower(), 'scheduled'),
    }


def _best_image(images: list[dict]) -> str:
    """The widest 16:9 image (cards are wide), else the widest of any ratio."""
    usable = [i for i in images if isinstance(i, dict) and text(i.get('url')).startswith('https://')]
    wide = [i for i in usable if i.get('ratio') == '16_9'] or usable
    return text(max(wide, key=lambda i: number(i.get('width')) or 0)['url']) if wide else ''


def _records(session: Session, city: City, feed: str, readings: list[dict]) -> list[EventRecord]:
    venues: dict[str, Venue] = {}
    records = []
    for r in readings:
        lat, lon = r['geo'] or (None, None)
        venue = venue_for(
            session, city, source=SOURCE, name=r['venue'], address=r['address'], lat=lat, lon=lon, cache=venues
        )
        category, tags = category_and_tags(r['words'], 'music')
        values = {
            'city_id': city.id,
            'venue_id': venue.id,
            'title': r['title'],
            'description': r['description'],
            'category': category if category in CATEGORIES else 'music',
            'tags': tags,
            'starts_at': r['starts_at'],
            'ends_at': r['starts_at'] + timedelta(hours=2),  # the API rarely gives an end
            'price_min': r['price'][0] if r['price'] else None,
            'price_max': r['price'][1] if r['price'] else None,
            'currency': r['currency'] or city.currency,
            'ticket_url': r['url'],
            'image_url': r['image'],
            'status': r['status'],
            'feed': feed,
            'search_text': search_text_for(title=r['title'], description=r['description'], tags=tags, venue=venue),
        }
        records.append(EventRecord(event_id=stable_id('tm', r['id']), source_id=r['id'], values=values))
    return records
