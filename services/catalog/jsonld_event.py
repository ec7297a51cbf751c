"""Reads one schema.org Event (from JSON-LD, microdata or RDFa) into the values the catalog stores.

Dates keep their zone (a floating time or a bare date is the city's); a date-only endDate is inclusive (the
event runs through that day). eventStatus: EventCancelled -> cancelled, EventPostponed -> postponed,
EventRescheduled -> scheduled at its new date; EventMovedOnline, online-only attendance and a location that
is only a VirtualLocation or a link are skipped and reported: a trip bundle is a place to go to. A location
may be a Place, a list, or plain text. An offer marked SoldOut makes the event sold_out. Links and images
are resolved against the page; descriptions are HTML made plain.
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.catalog.clean import absolute, plain_text, split_location
from services.catalog.jsonld_read import NOT_ATTENDED, types_of
from services.catalog.jsonld_values import as_list, geo, offers, plain_type, text

STATUSES = {'EventCancelled': 'cancelled', 'EventPostponed': 'postponed', 'EventRescheduled': 'scheduled'}


def read_event(item: dict, zone: ZoneInfo, page_key: str, base: str) -> dict | str:
    """The event's values, or why it is skipped (a ValueError names what is missing or unreadable)."""
    title = plain_text(text(item.get('name')))
    if not title:
        raise ValueError('no name')
    if not item.get('startDate'):
        raise ValueError('no startDate')
    types = types_of(item)
    not_attended = next((NOT_ATTENDED[t] for t in types if t in NOT_ATTENDED), '')
    if not_attended:
        return not_attended
    status = plain_type(text(item.get('eventStatus')))
    online = plain_type(text(item.get('eventAttendanceMode'))) == 'OnlineEventAttendanceMode'
    place = _place(item.get('location'))
    if status == 'EventMovedOnline' or online or place == 'online':
        return 'online (nowhere to go)'
    starts_at, all_day = instant(text(item['startDate']), zone)
    ends_at = None
    if item.get('endDate'):
        ends_at, end_is_date = instant(text(item['endDate']), zone)
        if end_is_date:
            ends_at += timedelta(days=1)  # "endDate": "2025-12-07" runs through the 7th
    if ends_at is not None and ends_at <= starts_at:
        ends_at = None
    price = offers(item.get('offers'))
    words = [t for t in types if t != 'Event'] + _words(item.get('genre')) + _words(item.get('keywords'))
    page = absolute(text(item.get('url')) if isinstance(item.get('url'), str) else '', base)
    place = place if isinstance(place, dict) else {}
    return {
        # The start as an instant, so one event written with two offsets (+01:00, Z) has one key.
        'key': text(item.get('@id')) or f'{page or page_key}|{title}|{starts_at.astimezone(UTC).isoformat()}',
        'title': title,
        'description': _description(item),
        'words': words,
        'starts_at': starts_at,
        'ends_at': ends_at,
        'all_day': all_day,
        'venue': plain_text(text(place.get('name'))),
        'address': _address(place.get('address')),
        'geo': geo(place.get('geo')),
        'price': price,
        'ticket_url': absolute(price['url'], base) or page or base,
        'image_url': _image(item.get('image'), base),
        'status': 'sold_out' if price['sold_out'] and not status else STATUSES.get(status, 'scheduled'),
    }


def _place(value: Any) -> dict | str | None:
    """The first physical place; 'online' when the location is only virtual (a VirtualLocation or a link)."""
    virtual = False
    for place in as_list(value):
        if isinstance(place, str) and place.strip():
            if place.strip().lower().startswith(('http://', 'https://')):
                virtual = True
                continue
            name, address = split_location(plain_text(place))
            return {'name': name, 'address': address}
        if isinstance(place, dict):
            if plain_type(text(place.get('@type'))) == 'VirtualLocation':
                virtual = True
                continue
            return place
    return 'online' if virtual else None


def instant(value: str, zone: ZoneInfo) -> tuple[datetime, bool]:
    """An aware instant and whether it was a bare date; ValueError names a date that cannot be read."""
    value = value.strip()
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(0), zone), True
        moment = datetime.fromisoformat(value.replace('Z', '+00:00'))
    except ValueError:
        raise ValueError(f'unreadable date {value[:40]!r}') from None
    return (moment.replace(tzinfo=zone) if moment.tzinfo is None else moment), False


def _description(item: dict) -> str:
    description = plain_text(text(item.get('description')))
    performers = [text(p.get('name') if isinstance(p, dict) else p) for p in as_list(item.get('performer'))]
    performers = [p for p in performers if p]
    if performers and not all(p in description for p in performers):
        description = ' '.join(filter(None, [description, f'With {", ".join(performers)}.']))
    return description


def _address(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ''
    if isinstance(value, dict):
        parts = [text(value.get(k)) for k in ('streetAddress', 'postalCode', 'addressLocality')]
        return ', '.join(p for p in parts if p)
    return plain_text(text(value))


def _image(value: Any, base: str) -> str:
    """The first http(s) image, else the first image of any kind (which the store then drops and reports)."""
    urls = [
        absolute(text(image.get('url') or image.get('contentUrl')) if isinstance(image, dict) else text(image), base)
        for image in as_list(value)
    ]
    return next((u for u in urls if u.startswith(('http://', 'https://'))), next((u for u in urls if u), ''))


def _words(value: Any) -> list[str]:
    words: list[str] = []
    for item in as_list(value):
        words += [w.strip() for w in text(item).split(',') if w.strip()]
    return words
