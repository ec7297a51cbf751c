"""Bundles as iCalendar (.ics): one VEVENT per key event, times in the city's zone (service layer, no UI).

Links are written only when they are clean http(s) URLs, so no catalog content can make the export fail.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from models.generation import Bundle, GenerationPublic, KeyEvent
from services.catalog.clean import clean_url

PRODUCT_ID = '-//Trip Bundles//Trip Bundles 1.0//EN'


class BundleNotFound(LookupError):
    """The generation has no bundle with that number (or no bundles yet)."""


def build_calendar(generation: GenerationPublic, *, bundle: int | None = None, now: datetime) -> bytes:
    """The generation's bundles (all, or the one with 0-based index `bundle`) as an .ics document."""
    bundles = select_bundles(generation, bundle)
    calendar = Calendar()
    calendar.add('prodid', PRODUCT_ID)
    calendar.add('version', '2.0')
    calendar.add('calscale', 'GREGORIAN')
    calendar.add('method', 'PUBLISH')
    calendar.add('x-wr-calname', bundles[0][1].title if len(bundles) == 1 else 'Trip Bundles')
    # Stored times carry only an offset; the city's named zone gives calendars a real TZID (and DST rules).
    zone = ZoneInfo(generation.window.timezone)
    for number, item in bundles:
        for key_event in item.key_events:
            calendar.add_component(_vevent(generation.generation_id, number, item, key_event, zone, now))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def select_bundles(generation: GenerationPublic, bundle: int | None) -> list[tuple[int, Bundle]]:
    bundles = list(enumerate(generation.bundles or []))
    if not bundles:
        raise BundleNotFound('This plan has no bundles yet')
    if bundle is None:
        return bundles
    if not 0 <= bundle < len(bundles):
        raise BundleNotFound(f'No bundle {bundle}; this plan has bundles 0 to {len(bundles) - 1}')
    return [bundles[bundle]]


def filename_for(generation: GenerationPublic, bundle: int | None) -> str:
    title = select_bundles(generation, bundle)[0][1].title if bundle is not None else 'trip-bundles'
    slug = re.sub(r'[^a-z0-9]+', '-', title.lower()).strip('-')[:60] or 'trip-bundles'
    return f'{slug}.ics'


def location_of(key_event: KeyEvent) -> str:
    """'Kesselhaus Ost, Rummelsburger Ufer 12, Friedrichshain': what a calendar app shows and searches a map for."""
    return ', '.join(part for part in (key_event.venue, key_event.address, key_event.neighborhood) if part)


def _vevent(
    generation_id: str, number: int, bundle: Bundle, key_event: KeyEvent, zone: ZoneInfo, now: datetime
) -> Event:
    event = Event()
    event.add('uid', f'{generation_id}-{number}-{key_event.event_id}@trip-bundles')
    event.add('dtstamp', now)
    # A drop-in is in the calendar for the slot the plan spends there; its description says when it runs.
    event.add('dtstart', key_event.attended_from.astimezone(zone))
    event.add('dtend', key_event.attended_until.astimezone(zone))
    event.add('summary', key_event.title)
    event.add('location', location_of(key_event))
    if key_event.lat is not None and key_event.lon is not None:
        event.add('geo', (key_event.lat, key_event.lon))  # calendar apps then place it without geocoding
    lines = [f'Part of “{bundle.title}”.', key_event.why]
    if key_event.visit_start is not None:
        runs = f'{key_event.starts_at.astimezone(zone):%H:%M}-{key_event.ends_at.astimezone(zone):%H:%M}'
        lines.append(f'A drop-in visit: the event runs {runs}.')
    # Plans stored before links were checked at the catalog's store may name any text as a link: a line
    # break in one made this export fail, so only a clean http(s) URL is written.
    url = clean_url(key_event.url)
    if url:
        event.add('url', url)
        lines.append(f'Tickets: {url}')
    event.add('description', '\n'.join(line for line in lines if line))
    event.add('categories', [key_event.category])
    return event
