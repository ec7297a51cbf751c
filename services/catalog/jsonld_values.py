"""Reading schema.org values as pages write them: a thing or a list, text or an object, numbers as text."""

from typing import Any

AVAILABILITY_SOLD_OUT = ('SoldOut', 'OutOfStock')


def as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def text(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ''
    if isinstance(value, dict):
        value = value.get('@value') or value.get('@id') or value.get('name') or ''
    return str(value).strip() if value is not None else ''


def plain_type(value: str) -> str:
    """'http://schema.org/EventCancelled', 'schema:MusicEvent' -> the bare name."""
    return value.rstrip('/').rsplit('/', 1)[-1].rsplit(':', 1)[-1] if value else ''


def number(value: Any) -> float | None:
    raw = text(value).replace(',', '.')
    if raw.lower() in ('free', 'gratis'):
        return 0.0
    try:
        amount = float(raw)
    except ValueError:
        return None
    return amount if amount >= 0 else None


def signed(value: Any) -> float | None:
    """A number that may be negative (a coordinate: west of Greenwich, south of the equator)."""
    try:
        return float(text(value).replace(',', '.'))
    except ValueError:
        return None


def geo(value: Any) -> tuple[float, float] | None:
    """(lat, lon) of a GeoCoordinates (or Ticketmaster's location), signed; None when missing or out of range."""
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, dict):
        return None
    lat, lon = signed(value.get('latitude')), signed(value.get('longitude'))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat, lon) == (0, 0):
        return None
    return lat, lon


def offers(value: Any) -> dict:
    """Lowest and highest price, currency, first ticket URL, and whether every offer is sold out."""
    prices: list[float] = []
    currency, url, availability = '', '', []
    for offer in as_list(value):
        if not isinstance(offer, dict):
            continue
        nested = offers(offer['offers']) if offer.get('offers') else None  # an AggregateOffer's own offers
        for key in ('price', 'lowPrice', 'highPrice'):
            amount = number(offer.get(key))
            if amount is not None:
                prices.append(amount)
        if nested:
            prices += [p for p in (nested['min'], nested['max']) if p is not None]
        currency = currency or text(offer.get('priceCurrency')).upper() or (nested['currency'] if nested else '')
        url = url or text(offer.get('url')) or (nested['url'] if nested else '')
        if offer.get('availability'):
            availability.append(plain_type(text(offer.get('availability'))))
    return {
        'min': min(prices) if prices else None,
        'max': max(prices) if prices else None,
        'currency': currency[:3] if len(currency) >= 3 else '',
        'url': url,  # resolved against the page by the reader, checked by the store
        'sold_out': bool(availability) and all(a in AVAILABILITY_SOLD_OUT for a in availability),
    }
