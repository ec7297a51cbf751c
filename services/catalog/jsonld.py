"""Imports schema.org `Event`s (and subtypes: MusicEvent, TheaterEvent...) from the JSON-LD of HTML pages.

extruct finds the `<script type="application/ld+json">` blocks; each block is decoded on its own, so one
broken block is skipped and reported instead of losing the page. Items may be single objects, lists or
`@graph` containers, and places may list their `event`s. Dates keep their zone (a floating time or a bare
date is the city's). eventStatus: EventCancelled -> cancelled, EventPostponed -> postponed,
EventRescheduled -> scheduled at its new date; EventMovedOnline (and online-only attendance) is skipped
and reported: a trip bundle is a place to go to. An offer marked SoldOut makes the event sold_out.
Like every importer it reads everything first, then writes through `store.upsert_events` in the caller's
transaction, and withdraws the coming events this page listed before and lists no more.
"""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from extruct.jsonld import JsonLdExtractor
from extruct.utils import parse_html
from sqlmodel import Session

from models.catalog import CATEGORIES, City, Venue
from services.catalog.fetch import is_url, read_file_or_url
from services.catalog.ics_feed import feed_key
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
    zone_name,
)
from services.catalog.jsonld_values import as_list, geo, offers, plain_type, text
from services.catalog.search_text import search_text_for
from services.catalog.store import EventRecord

SOURCE = 'jsonld'
DEFAULT_DURATION = timedelta(hours=2)
STATUSES = {'EventCancelled': 'cancelled', 'EventPostponed': 'postponed', 'EventRescheduled': 'scheduled'}


def import_jsonld(
    *,
    session: Session,
    source: str,
    city_name: str,
    timezone: str | None = None,
    currency: str = 'EUR',
    default_category: str = 'music',
    now: datetime,
) -> ImportReport:
    if default_category not in CATEGORIES:
        raise ImportFailure(f'unknown category {default_category!r}; choose from: {", ".join(CATEGORIES)}')
    city = find_city(session, city_name, timezone)
    zone = ZoneInfo(city.timezone if city else zone_name(timezone))
    items, skipped = json_ld_items(read_file_or_url(source))
    events = [item for item in items if _is_event(item)]
    if not events:
        first = f'; first problem: {skipped[0]}' if skipped else ''
        raise ImportFailure(f'no schema.org Event in {source}{first}')
    readings = []
    for number, item in enumerate(events, start=1):
        try:
            reading = _read_event(item, zone, source)
        except (ValueError, TypeError, KeyError) as error:
            skipped.append(f'{text(item.get("name")) or f"event #{number}"}: {error}')
            continue
        if isinstance(reading, str):
            skipped.append(f'{text(item.get("name"))}: {reading}')
        elif reading['starts_at'] >= now:
            readings.append(reading)
    if not readings and skipped:
        raise ImportFailure(f'no event in {source} can be read; first: {skipped[0]}')
    city = ensure_city(session, city, city_name, timezone, currency)
    report = ImportReport(city=city.name, skipped=skipped)
    feed = feed_key(source)
    records = _records(session, city, feed, readings, default_category)
    store(session, SOURCE, records, now, report)
    if readings:
        end = max(r['starts_at'] for r in readings) + timedelta(seconds=1)
        produced = {r.source_id for r in records}
        withdraw_vanished(
            session, source=SOURCE, city=city, feeds=(feed,), produced=produced, start=now, end=end, now=now,
            report=report,
        )  # fmt: skip
    session.flush()
    return report


def json_ld_items(html: bytes) -> tuple[list[dict], list[str]]:
    """Every JSON-LD object of the page (lists and @graph flattened), and 'block N: reason' per broken block."""
    if not html.strip():
        raise ImportFailure('the page is empty')
    try:
        tree = parse_html(html, encoding='utf-8')
    except Exception as error:  # lxml raises several types for unparsable documents
        raise ImportFailure(f'not an HTML page ({error})') from None
    extractor = JsonLdExtractor()
    items: list[dict] = []
    skipped: list[str] = []
    # extruct's public extract() drops every block when one is broken: decode block by block (pinned version).
    for number, node in enumerate(extractor._xp_jsonld(tree), start=1):
        try:
            block = list(extractor._extract_items(node))
        except ValueError as error:
            skipped.append(f'JSON-LD block {number}: not valid JSON ({str(error).splitlines()[0][:120]})')
            continue
        items += _flatten(block)
    return items, skipped


def _flatten(values: list) -> list[dict]:
    found: list[dict] = []
    for value in values:
        if isinstance(value, list):
            found += _flatten(value)
        elif isinstance(value, dict):
            if '@graph' in value:
                found += _flatten(as_list(value['@graph']))
            if '@type' in value:
                found.append(value)
                if not _is_event(value):  # a Place or Organization listing its events
                    found += _flatten(as_list(value.get('event')) + as_list(value.get('events')))
    return found


def _is_event(item: dict) -> bool:
    return any(t == 'Event' or t.endswith('Event') for t in map(plain_type, as_list(item.get('@type'))))


def _read_event(item: dict, zone: ZoneInfo, source: str) -> dict | str:
    """The event's values, or why it is skipped."""
    title = text(item.get('name'))
    if not title:
        raise ValueError('no name')
    if not item.get('startDate'):
        raise ValueError('no startDate')
    status = plain_type(text(item.get('eventStatus')))
    online = plain_type(text(item.get('eventAttendanceMode'))) == 'OnlineEventAttendanceMode'
    if status == 'EventMovedOnline' or online:
        return 'moved online (nowhere to go)'
    starts_at, all_day = _instant(text(item['startDate']), zone)
    ends_at = _instant(text(item['endDate']), zone)[0] if item.get('endDate') else None
    if ends_at is None or ends_at < starts_at:
        ends_at = starts_at + (timedelta(days=1) if all_day else DEFAULT_DURATION)
    place = next((p for p in as_list(item.get('location')) if plain_type(text(p.get('@type'))) != 'VirtualLocation')
                 if all(isinstance(p, dict) for p in as_list(item.get('location'))) else None, None)  # fmt: skip
    if place is None and isinstance(item.get('location'), str):
        place = {'name': item['location']}
    price = offers(item.get('offers'))
    types = [plain_type(t) for t in as_list(item.get('@type'))]
    words = [t for t in types if t != 'Event'] + _words(item.get('genre')) + _words(item.get('keywords'))
    performers = [text(p.get('name') if isinstance(p, dict) else p) for p in as_list(item.get('performer'))]
    description = text(item.get('description'))
    if performers and not all(p in description for p in performers):
        description = ' '.join(filter(None, [description, f'With {", ".join(filter(None, performers))}.']))
    page = item.get('url') if isinstance(item.get('url'), str) else ''
    return {
        'key': text(item.get('@id')) or f'{page or feed_key(source)}|{title}|{starts_at.isoformat()}',
        'title': title,
        'description': description,
        'words': words,
        'starts_at': starts_at,
        'ends_at': ends_at,
        'all_day': all_day,
        'venue': text(place.get('name')) if place else '',
        'address': _address(place.get('address')) if place else '',
        'geo': geo(place.get('geo')) if place else None,
        'price': price,
        'ticket_url': price['url'] or page or (source if is_url(source) else ''),
        'image_url': _image(item.get('image')),
        'status': 'sold_out' if price['sold_out'] and not status else STATUSES.get(status, 'scheduled'),
    }


def _records(session: Session, city: City, feed: str, readings: list[dict], default_category: str) -> list:
    venues: dict[str, Venue] = {}
    records = []
    for r in readings:
        lat, lon = r['geo'] or (None, None)
        venue = venue_for(
            session, city, source=SOURCE, name=r['venue'] or 'Venue to be announced', address=r['address'],
            lat=lat, lon=lon, cache=venues,
        )  # fmt: skip
        category, tags = category_and_tags(r['words'], default_category)
        if r['all_day']:
            tags.append('all-day')
        key = f'{city.id}|{r["key"]}'
        values = {
            'city_id': city.id,
            'venue_id': venue.id,
            'title': r['title'],
            'description': r['description'],
            'category': category,
            'tags': tags,
            'starts_at': r['starts_at'],
            'ends_at': r['ends_at'],
            'price_min': r['price']['min'],
            'price_max': r['price']['max'],
            'currency': r['price']['currency'] or city.currency,
            'ticket_url': r['ticket_url'],
            'image_url': r['image_url'],
            'status': r['status'],
            'feed': feed,
            'search_text': search_text_for(title=r['title'], description=r['description'], tags=tags, venue=venue),
        }
        records.append(EventRecord(event_id=stable_id('jsonld', key), source_id=key, values=values))
    return records


def _instant(value: str, zone: ZoneInfo) -> tuple[datetime, bool]:
    """An aware instant and whether it was a bare date; ValueError names a date that cannot be read."""
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(0), zone), True
        moment = datetime.fromisoformat(value.replace('Z', '+00:00'))
    except ValueError:
        raise ValueError(f'unreadable date {value!r}') from None
    return (moment.replace(tzinfo=zone) if moment.tzinfo is None else moment), False


def _address(value: Any) -> str:
    if isinstance(value, dict):
        parts = [text(value.get(k)) for k in ('streetAddress', 'postalCode', 'addressLocality')]
        return ', '.join(p for p in parts if p)
    return text(value)


def _image(value: Any) -> str:
    for image in as_list(value):
        url = text(image.get('url') or image.get('contentUrl')) if isinstance(image, dict) else text(image)
        if url.startswith(('http://', 'https://')):
            return url
    return ''


def _words(value: Any) -> list[str]:
    words: list[str] = []
    for item in as_list(value):
        words += [w.strip() for w in text(item).split(',') if w.strip()]
    return words
