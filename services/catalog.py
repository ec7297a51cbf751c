"""The events catalog: look-ups shared by both planners and the pages.

`search_events` and `get_event` return compact `EventPublic` records (JSON-ready, so they can be handed
to an LLM as tool output). Cancelled and postponed events never come back from a search.
"""

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from models.catalog import BOOKABLE_STATUSES, City, Event, EventPublic, Price, Venue
from models.generation import TimeWindow

DEFAULT_SEARCH_LIMIT = 20
MAX_SEARCH_LIMIT = 100


def search_events(
    *,
    session: Session,
    city: City,
    window: TimeWindow,
    categories: Sequence[str] = (),
    genres: Sequence[str] = (),
    text: str | None = None,
    neighborhood: str | None = None,
    max_price: float | None = None,
    limit: int = DEFAULT_SEARCH_LIMIT,
) -> list[EventPublic]:
    """Bookable events of `city` starting inside `window`, soonest first.

    `genres` and the words of `text` match loosely (any genre; every word) against title, description,
    genres, venue name and venue tags.
    """
    query = (
        select(Event, Venue)
        .join(Venue, col(Venue.id) == col(Event.venue_id))
        .where(
            Event.city_id == city.id,
            col(Event.starts_at) >= window.start,
            col(Event.starts_at) < window.end,
            col(Event.status).in_(BOOKABLE_STATUSES),
        )
    )
    if categories:
        query = query.where(col(Event.category).in_([c.lower() for c in categories]))
    if genres:
        from sqlalchemy import or_

        query = query.where(or_(*(col(Event.search_text).contains(g.lower()) for g in genres)))
    for word in (text or '').lower().split():
        query = query.where(col(Event.search_text).contains(word))
    if neighborhood:
        query = query.where(col(Venue.neighborhood).ilike(neighborhood))
    if max_price is not None:
        query = query.where(col(Event.price_min).is_not(None), col(Event.price_min) <= max_price)
    limit = max(1, min(limit, MAX_SEARCH_LIMIT))
    rows = session.exec(query.order_by(col(Event.starts_at), col(Event.id)).limit(limit)).all()
    return [to_public(event, venue, city) for event, venue in rows]


def get_event(*, session: Session, event_id: str) -> EventPublic | None:
    row = session.exec(
        select(Event, Venue, City)
        .join(Venue, col(Venue.id) == col(Event.venue_id))
        .join(City, col(City.id) == col(Event.city_id))
        .where(Event.id == event_id)
    ).first()
    return None if row is None else to_public(*row)


def get_city(*, session: Session, name: str | None = None) -> City | None:
    """The city called `name` (any case), or the catalog's default city when `name` is None."""
    if name is None:
        return session.exec(select(City).order_by(col(City.is_demo).desc(), col(City.id))).first()
    return session.exec(select(City).where(col(City.name).ilike(name))).first()


def list_cities(*, session: Session) -> list[City]:
    return list(session.exec(select(City).order_by(col(City.name))).all())


def to_public(event: Event, venue: Venue, city: City) -> EventPublic:
    zone = ZoneInfo(city.timezone)
    price = None
    if event.price_min is not None:
        price = Price(min=event.price_min, max=event.price_max or event.price_min, currency=event.currency)
    return EventPublic(
        event_id=event.id,
        title=event.title,
        description=event.description,
        category=event.category,
        tags=list(dict.fromkeys([*event.tags, *venue.tags])),
        starts_at=event.starts_at.astimezone(zone),
        ends_at=event.ends_at.astimezone(zone),
        venue=venue.name,
        neighborhood=venue.neighborhood,
        venue_tags=venue.tags,
        price=price,
        url=event.ticket_url,
        image_url=event.image_url,
        status=event.status,
    )
