"""Imports a city's coming events from Ticketmaster's Discovery API v2 (`/discovery/v2/events.json`).

Pages are read to the end (`page.totalPages`) within the API's deep-paging limit (size * page < 1000;
beyond it the import says so and withdraws nothing, since unread pages are no evidence). The documented
rate limit (5 requests a second) is kept by spacing requests; a 429 (or a 5xx) is retried with tenacity,
waiting what Retry-After asks when it is there, else backing off. Everything is fetched and read before
the first write, so a malformed page or a refused key leaves the catalog untouched.
Classifications (segment, genre, subGenre) give the category and tags ("Miscellaneous" and "Undefined" are
`other`, never music); priceRanges the price (ranges of one kind and currency only: "standard" before
"standard including fees"); the venue its name, address and position (`location`, signed); the widest 16:9
image the picture; dates.end the end (else a default length for the kind); dates.status cancelled/
postponed/rescheduled the status; a start whose time is to be announced (`timeTBA`, `noSpecificTime`)
gives status `time_tba`, which no planner offers as if its time were known. An event listed on two pages
is stored once.
"""

import time as clock_time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlmodel import Session
from tenacity import RetryCallState, retry, retry_if_exception_type, stop_after_attempt

from models.catalog import City, Venue
from services.catalog.clean import plain_text
from services.catalog.importing import (
    OTHER,
    ImportFailure,
    ImportLimits,
    ImportReport,
    category_and_tags,
    default_end,
    ensure_city,
    find_city,
    stable_id,
    store,
    venue_for,
    withdraw_vanished,
)
from services.catalog.jsonld_values import geo, number, text
from services.catalog.places import Centre, city_centre, judge
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
    fill: bool = False,
    limits: ImportLimits | None = None,
) -> ImportReport:
    if not settings.ticketmaster_api_key:
        raise ImportFailure('TICKETMASTER_API_KEY is not set')
    if not 1 <= days <= 366:
        raise ImportFailure('--days must be between 1 and 366')
    find_city(session, city_name, timezone)
    end = now + timedelta(days=days)
    items, complete = _fetch_all(city_name.strip(), now, end, page_size)
    return store_items(
        session=session, city_name=city_name, timezone=timezone, currency=currency, items=items, complete=complete,
        now=now, end=end, fill=fill, limits=limits,
    )  # fmt: skip


def store_items(
    *,
    session: Session,
    city_name: str,
    timezone: str | None,
    currency: str,
    items: list[dict],
    complete: bool,
    now: datetime,
    end: datetime,
    fill: bool = False,
    limits: ImportLimits | None = None,
) -> ImportReport:
    """Reads the Discovery API's events (fetched, or recorded answers) and stores them in the city."""
    city = find_city(session, city_name, timezone)
    zone = city.timezone if city else (timezone or 'UTC')
    readings: list[dict] = []
    skipped: list[str] = []
    for item in items:
        try:
            readings.append(_read(item))
        except Exception as error:  # whatever one event's data makes fail is that event's skip, never the import's
            reason = str(error).splitlines()[0][:160] if str(error) else type(error).__name__
            skipped.append(f'{text(item.get("id")) or text(item.get("name")) or "an event"}: {reason}')
    centre = city_centre(session, city, zone, [r['geo'] for r in readings if r['geo']])
    city = ensure_city(session, city, city_name, timezone, currency)
    report = ImportReport(city=city.name, skipped=skipped)
    readings = [r for r in readings if _placed(r, centre, city, report)]
    feed = f'tm-{city.id}'
    records = _records(session, city, feed, readings)
    store(session, SOURCE, records, now, report, fill=fill, limits=limits)
    if complete and not report.capped:
        produced = {r.source_id for r in records}
        withdraw_vanished(
            session, source=SOURCE, city=city, feeds=(feed,), produced=produced, start=now, end=end, now=now,
            report=report,
        )  # fmt: skip
    elif not complete:
        report.capped.append(f'more than {DEEP_PAGING_LIMIT} events: the API pages no further; use fewer --days')
    session.flush()
    return report


def _placed(reading: dict, centre: Centre | None, city: City, report: ImportReport) -> bool:
    if not reading['geo']:
        return True
    verdict, km = judge(reading['geo'], centre)
    label = f'{reading["id"]} {reading["title"][:60]}'
    if verdict == 'far':
        report.skipped.append(f'{label}: not in {city.name} ({reading["venue"]} is {km:.0f} km away)')
        return False
    report.positions += 1
    if verdict == 'swapped':
        report.flagged.append(f'{label}: venue location looks swapped: not mapped')
        reading['geo'] = None
    return True


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
    zone = ZoneInfo(dates['timezone']) if dates.get('timezone') else None
    starts_at, time_tba = _moment(start, zone)
    if starts_at is None:
        raise ValueError('no start date')
    ends_at = _moment(dates.get('end') or {}, zone)[0]
    title = plain_text(text(item.get('name')))
    if not item.get('id') or not title:
        raise ValueError('no id or name')
    venue = ((item.get('_embedded') or {}).get('venues') or [{}])[0]
    address = ', '.join(
        p for p in (text((venue.get('address') or {}).get('line1')), text(venue.get('postalCode'))) if p
    )
    low, high, currency = _prices(item.get('priceRanges') or [])
    status = STATUSES.get(text((dates.get('status') or {}).get('code')).lower(), 'scheduled')
    return {
        'id': text(item['id']),
        'title': title,
        'description': plain_text(text(item.get('info')) or text(item.get('pleaseNote'))),
        'words': _words((item.get('classifications') or [{}])[0]),
        'starts_at': starts_at,
        'ends_at': ends_at if ends_at and ends_at > starts_at else None,
        'time_tba': time_tba,
        'venue': plain_text(text(venue.get('name'))) or 'Venue to be announced',
        'address': address,
        'geo': geo(venue.get('location')),
        'price': (low, high) if low is not None else None,
        'currency': currency,
        'url': text(item.get('url')),
        'image': _best_image(item.get('images') or []),
        'status': 'time_tba' if time_tba and status == 'scheduled' else status,
    }


def _moment(part: dict, zone: ZoneInfo | None) -> tuple[datetime | None, bool]:
    """A start or end: its UTC dateTime, else its local date and time in the venue's zone; and whether the
    time is to be announced (the date alone is known)."""
    tba = bool(part.get('timeTBA') or part.get('noSpecificTime') or part.get('dateTBA'))
    if part.get('dateTime') and not tba:
        return datetime.fromisoformat(part['dateTime'].replace('Z', '+00:00')), False
    if part.get('localDate') and zone is not None:
        local_time = part.get('localTime') if not tba else None
        moment = datetime.fromisoformat(f'{part["localDate"]}T{local_time or "00:00:00"}').replace(tzinfo=zone)
        return moment, tba or not local_time
    return None, tba


def _words(classification: dict) -> list[str]:
    """Segment first ("Music", "Sports"), except where the genre says more ("Arts & Theatre": Comedy)."""
    segment, genre, sub = (text(classification.get(k)) for k in ('segment', 'genre', 'subGenre'))
    ordered = [genre, sub, segment] if segment.lower() in ('arts & theatre', 'miscellaneous', 'undefined') else [
        segment, genre, sub
    ]  # fmt: skip
    return [w for w in ordered if w]


def _prices(ranges: list) -> tuple[float | None, float | None, str]:
    """The lowest and highest price of one kind of range ('standard' first) in one currency."""
    usable = [r for r in ranges if isinstance(r, dict) and number(r.get('min')) is not None]
    if not usable:
        return None, None, ''
    kinds = [text(r.get('type')).lower() for r in usable]
    kind = 'standard' if 'standard' in kinds else kinds[0]
    chosen = [r for r in usable if text(r.get('type')).lower() == kind]
    currency = text(chosen[0].get('currency')).upper()
    chosen = [r for r in chosen if text(r.get('currency')).upper() == currency]
    lows = [number(r.get('min')) for r in chosen]
    highs = [number(r.get('max')) for r in chosen if number(r.get('max')) is not None]
    return min(lows), max(highs or lows), currency


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
        category, tags = category_and_tags(r['words'], OTHER)
        if r['time_tba']:
            tags.append('time-tba')
        values = {
            'city_id': city.id,
            'venue_id': venue.id,
            'title': r['title'],
            'description': r['description'],
            'category': category,
            'tags': tags,
            'starts_at': r['starts_at'],
            'ends_at': r['ends_at'] or default_end(r['starts_at'], category, r['time_tba']),
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
