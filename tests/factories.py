"""Small builders for catalog rows, so a test states only what it cares about."""

import itertools
from datetime import datetime, timedelta

from sqlmodel import Session, select

from models.catalog import City, Event, Venue
from services import clock
from services.catalog.search_text import search_text_for

_ids = itertools.count(1)


def add_city(session: Session, name: str = 'Berlin', timezone: str = 'Europe/Berlin', currency: str = 'EUR') -> City:
    existing = session.exec(select(City).where(City.name == name)).first()
    if existing:
        return existing
    city = City(name=name, timezone=timezone, currency=currency, is_demo=True)
    session.add(city)
    session.commit()
    return city


def add_venue(session: Session, city: City, name: str = 'Test Hall', neighborhood: str = 'Mitte', tags=()) -> Venue:
    venue = Venue(city_id=city.id, name=name, neighborhood=neighborhood, tags=list(tags), source_id=f'v{next(_ids)}')
    session.add(venue)
    session.commit()
    return venue


def add_event(
    session: Session,
    venue: Venue,
    *,
    title: str = 'Test Night',
    starts_at: datetime,
    hours: float = 3,
    category: str = 'music',
    tags=(),
    price: tuple[float, float] | None = (10, 15),
    status: str = 'scheduled',
    description: str = '',
    url: str | None = None,
    source: str = 'test',
) -> Event:
    number = next(_ids)
    event = Event(
        id=f'test-{number}',
        city_id=venue.city_id,
        venue_id=venue.id,
        title=title,
        description=description,
        category=category,
        tags=list(tags),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        price_min=price[0] if price else None,
        price_max=price[1] if price else None,
        ticket_url=url if url is not None else f'https://tickets.example.com/{number}',
        status=status,
        source=source,
        source_id=str(number),
        search_text=search_text_for(title=title, description=description, tags=tags, venue=venue),
        updated_at=clock.now(),
    )
    session.add(event)
    session.commit()
    return event
