"""Events catalog tables (cities, venues, events) and the compact records handed to planners and the UI."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel
from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime

# The catalog's vocabulary: preferences may only name these interests.
CATEGORIES: tuple[str, ...] = (
    'music',
    'nightlife',
    'food',
    'art',
    'theatre',
    'comedy',
    'film',
    'outdoors',
    'sports',
    'markets',
    'talks',
    'wellness',
)
EVENT_STATUSES: tuple[str, ...] = ('scheduled', 'cancelled', 'postponed', 'sold_out')
# Events a person can still go to; cancelled and postponed ones never reach a planner.
BOOKABLE_STATUSES: tuple[str, ...] = ('scheduled', 'sold_out')


class City(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    country: str = ''
    timezone: str  # IANA name, e.g. Europe/Berlin
    currency: str = 'EUR'
    is_demo: bool = False


class Venue(SQLModel, table=True):
    __table_args__ = (UniqueConstraint('source', 'source_id'),)

    id: int | None = Field(default=None, primary_key=True)
    city_id: int = Field(foreign_key='city.id', index=True)
    name: str
    neighborhood: str = ''
    address: str = ''
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    source: str = 'demo'
    source_id: str


class Event(SQLModel, table=True):
    # Every search is one city and a time range: this index serves it in time order without sorting.
    __table_args__ = (UniqueConstraint('source', 'source_id'), Index('ix_event_city_starts', 'city_id', 'starts_at'))

    id: str = Field(primary_key=True)  # stable across re-imports: derived from source + source_id
    city_id: int = Field(foreign_key='city.id', index=True)
    venue_id: int = Field(foreign_key='venue.id', index=True)
    title: str
    description: str = ''
    category: str = Field(index=True)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # genres, style
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    price_min: float | None = None  # None: price unknown; 0 and 0: free
    price_max: float | None = None
    currency: str = 'EUR'
    ticket_url: str = ''
    image_url: str = ''
    status: str = Field(default='scheduled', index=True)
    source: str = 'demo'
    source_id: str
    # Words of title, description, genres, venue name and tags, normalized and space-padded by
    # services.catalog.search_text_for: a portable LIKE search that matches at word starts.
    search_text: str = ''
    updated_at: datetime = Field(sa_type=UTCDateTime)


class CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True)


class Price(CamelModel):
    min: float
    max: float
    currency: str


class EventPublic(CamelModel):
    """One catalog event as planners (and the LLM's tools) see it: compact, grounded, JSON-ready."""

    event_id: str
    title: str
    description: str
    category: str
    tags: list[str]  # event genres + venue tags
    starts_at: datetime  # aware, in the city's time zone
    ends_at: datetime
    venue: str
    neighborhood: str
    venue_tags: list[str]
    price: Price | None
    url: str
    image_url: str
    status: str
