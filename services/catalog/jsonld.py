"""Imports schema.org `Event`s (every subtype: MusicEvent, Festival, EventSeries...) from web pages.

`jsonld_read` finds the items (JSON-LD, microdata and RDFa, through extruct), `jsonld_event` reads each
one. Here the readings are checked against the city and stored: an event whose venue position is far from
the city (an artist page listing a whole tour) is skipped as "not in <city>", one written lon/lat the
wrong way round keeps its event but not its position; past events are skipped as "already over", while a
long event still running (a festival, an exhibition) is imported; the same event listed twice on one page
(a JSON-LD block and its microdata) is stored once. Like every importer it reads everything first, then
writes through `store.upsert_events` in the caller's transaction, and withdraws the coming events this page
listed before and lists no more.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from models.catalog import CATEGORIES, City, Venue
from services.catalog.clean import page_base
from services.catalog.fetch import read_file_or_url
from services.catalog.ics_feed import feed_key
from services.catalog.importing import (
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
    worth_importing,
    zone_name,
)
from services.catalog.jsonld_event import read_event
from services.catalog.jsonld_read import is_event, page_items
from services.catalog.jsonld_values import text
from services.catalog.places import Centre, city_centre, judge
from services.catalog.search_text import search_text_for
from services.catalog.store import TITLE_SIMILARITY, VENUE_SIMILARITY, EventRecord, similarity

SOURCE = 'jsonld'
UNKNOWN_VENUE = 'Venue to be announced'

__all__ = ['import_jsonld']


def import_jsonld(
    *,
    session: Session,
    source: str,
    city_name: str,
    timezone: str | None = None,
    currency: str = 'EUR',
    default_category: str = 'music',
    now: datetime,
    fill: bool = False,
    limits: ImportLimits | None = None,
) -> ImportReport:
    if default_category not in CATEGORIES:
        raise ImportFailure(f'unknown category {default_category!r}; choose from: {", ".join(CATEGORIES)}')
    city = find_city(session, city_name, timezone)
    zone_key = city.timezone if city else zone_name(timezone)
    base = page_base(source)
    items, skipped = page_items(read_file_or_url(source), base)
    events = [item for item in items if is_event(item)]
    if not events:
        first = f'; first problem: {skipped[0]}' if skipped else ''
        raise ImportFailure(f'no schema.org Event in {source}{first}')
    readings, notes = _read_all(events, ZoneInfo(zone_key), feed_key(source), base, default_category, now, skipped)
    if not readings and skipped and not any(': already over' in s for s in skipped):
        raise ImportFailure(f'no event in {source} can be read; first: {skipped[0]}')
    positions = [r['geo'] for r in readings if r['geo']]
    centre = city_centre(session, city, zone_key, positions)
    city = ensure_city(session, city, city_name, timezone, currency)
    report = ImportReport(city=city.name, skipped=skipped, notes=notes)
    readings = [r for r in readings if _placed(r, centre, city, report)]
    feed = feed_key(source)
    records = _records(session, city, feed, readings)
    store(session, SOURCE, records, now, report, fill=fill, limits=limits)
    if readings and not report.capped:
        end = max(r['starts_at'] for r in readings) + timedelta(seconds=1)
        produced = {r.source_id for r in records}
        withdraw_vanished(
            session, source=SOURCE, city=city, feeds=(feed,), produced=produced, start=now, end=end, now=now,
            report=report,
        )  # fmt: skip
    session.flush()
    return report


def _read_all(
    events: list[dict], zone: ZoneInfo, page_key: str, base: str, default_category: str, now: datetime,
    skipped: list[str],
) -> tuple[list[dict], list[str]]:  # fmt: skip
    """Readings worth importing, each once; skips appended to `skipped` with their reason."""
    readings: list[dict] = []
    notes: list[str] = []
    for number, item in enumerate(events, start=1):
        name = text(item.get('name'))[:100] or f'event #{number}'
        try:
            reading = read_event(item, zone, page_key, base)
        except Exception as error:  # whatever one event's data makes fail is that event's skip, never the page's
            skipped.append(f'{name}: {str(error).splitlines()[0][:160] if str(error) else type(error).__name__}')
            continue
        if isinstance(reading, str):
            skipped.append(f'{name}: {reading}')
            continue
        reading['category'], reading['tags'] = category_and_tags(reading['words'], default_category)
        reading['ends_at'] = reading['ends_at'] or default_end(
            reading['starts_at'], reading['category'], reading['all_day']
        )
        if not worth_importing(reading['starts_at'], reading['ends_at'], now):
            skipped.append(f'{name}: already over ({reading["starts_at"]:%Y-%m-%d})')
            continue
        twin = next((r for r in readings if _same_event(r, reading)), None)
        if twin is None:
            readings.append(reading)
        else:
            notes.append(f'{name}: listed twice on the page, kept once')
            for key, value in reading.items():
                if twin.get(key) in (None, '', []) and value not in (None, '', []):
                    twin[key] = value
            if twin['price']['min'] is None and reading['price']['min'] is not None:
                twin['price'] = reading['price']
    return readings, notes


def _same_event(a: dict, b: dict) -> bool:
    return a['key'] == b['key'] or (
        a['starts_at'] == b['starts_at']
        and similarity(a['title'], b['title']) >= TITLE_SIMILARITY
        and (not a['venue'] or not b['venue'] or similarity(a['venue'], b['venue']) >= VENUE_SIMILARITY)
    )


def _placed(reading: dict, centre: Centre | None, city: City, report: ImportReport) -> bool:
    """Whether the reading stays: far from the city it is skipped; the wrong way round it loses its position."""
    if not reading['geo']:
        return True
    label = f'{reading["title"]} ({reading["starts_at"]:%Y-%m-%d})'
    verdict, km = judge(reading['geo'], centre)
    if verdict == 'far':
        report.skipped.append(f'{label}: not in {city.name} ({reading["venue"] or "its venue"} is {km:.0f} km away)')
        return False
    report.positions += 1
    if verdict == 'swapped':
        report.flagged.append(f'{label}: position {reading["geo"]} looks swapped (lon, lat): not mapped')
        reading['geo'] = None
    return True


def _records(session: Session, city: City, feed: str, readings: list[dict]) -> list[EventRecord]:
    venues: dict[str, Venue] = {}
    records = []
    for r in readings:
        lat, lon = r['geo'] or (None, None)
        venue = venue_for(
            session, city, source=SOURCE, name=r['venue'] or UNKNOWN_VENUE, address=r['address'],
            lat=lat, lon=lon, cache=venues,
        )  # fmt: skip
        tags = r['tags'] + (['all-day'] if r['all_day'] else [])
        key = f'{city.id}|{r["key"]}'
        values = {
            'city_id': city.id,
            'venue_id': venue.id,
            'title': r['title'],
            'description': r['description'],
            'category': r['category'],
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
