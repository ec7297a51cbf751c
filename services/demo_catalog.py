"""The demo catalog (placeholder until the full data file lands): Berlin, a few venues, nightly events."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from models.catalog import City, Event, Venue

DEMO_DAYS = 30


def refresh_demo_catalog(*, session: Session, now: datetime) -> None:
    city = session.exec(select(City).where(City.name == 'Berlin')).first()
    if city is None:
        city = City(name='Berlin', country='DE', timezone='Europe/Berlin', currency='EUR', is_demo=True)
        session.add(city)
        session.flush()
    venue = session.exec(select(Venue).where(Venue.source_id == 'tresor-like')).first()
    if venue is None:
        venue = Venue(
            city_id=city.id,
            name='Kraftwerk Hall',
            neighborhood='Mitte',
            tags=['underground', 'warehouse'],
            source_id='tresor-like',
        )
        session.add(venue)
        session.flush()
    zone = ZoneInfo(city.timezone)
    for offset in range(DEMO_DAYS):
        day = now.astimezone(zone).date() + timedelta(days=offset)
        source_id = f'night-{day.isoformat()}'
        if session.exec(select(Event).where(Event.source_id == source_id)).first():
            continue
        start = datetime.combine(day, time(23, 0), tzinfo=zone)
        session.add(
            Event(
                id=f'demo-{source_id}',
                city_id=city.id,
                venue_id=venue.id,
                title='Deep House Night',
                category='music',
                tags=['house', 'electronic'],
                starts_at=start,
                ends_at=start + timedelta(hours=6),
                price_min=12,
                price_max=18,
                source_id=source_id,
                search_text='deep house night house electronic kraftwerk hall underground warehouse',
                updated_at=now,
            )
        )
    session.commit()
