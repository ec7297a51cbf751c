"""Events catalog tables (cities, venues, events) and the compact records handed to planners and the UI."""

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Integer, MetaData, String, Table, UniqueConstraint
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel

from models.base import CamelModel, UTCDateTime, empty_list

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
EVENT_STATUSES: tuple[str, ...] = ('scheduled', 'cancelled', 'postponed', 'sold_out', 'time_tba')
# Events a person can still go to; cancelled, postponed and time-TBA ones (a date without a known time)
# never reach a planner.
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
    # Position in WGS84 degrees; None when the source gave none (such a venue is listed but not mapped).
    lat: float | None = None
    lon: float | None = None
    tags: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    # When a place people drop into (bar, cafe, market, gallery, museum) is open, in OpenStreetMap's
    # `opening_hours` syntax ("Tu-Su 12:00-18:00"); '' when unknown or not such a place.
    opening_hours: str = Field(default='', sa_column_kwargs={'server_default': ''})
    # Entrance and main room reachable without steps: True, False, or None when not known.
    step_free: bool | None = None
    source: str = 'demo'
    source_id: str


class Event(SQLModel, table=True):
    # Every search is one city and a time range: the first index serves it in time order without sorting;
    # the second serves searches by category (the planners' usual case) without reading other categories,
    # and holds every column a search filters and sorts on, so a page of ids never touches the table.
    __table_args__ = (
        UniqueConstraint('source', 'source_id'),
        Index('ix_event_city_starts', 'city_id', 'starts_at'),
        Index('ix_event_city_category_page', 'city_id', 'category', 'starts_at', 'status', 'price_min', 'id'),
    )

    id: str = Field(primary_key=True)  # stable across re-imports: derived from source + source_id
    city_id: int = Field(foreign_key='city.id', index=True)
    venue_id: int = Field(foreign_key='venue.id', index=True)
    title: str
    description: str = ''
    category: str = Field(index=True)
    tags: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))  # genres, style
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
    # The feed an imported event came from (services.catalog.ics_feed.feed_key: a hash of its URL or path), so a
    # re-import can withdraw what that feed no longer lists; '' for other sources. The default lets an
    # existing database gain the column.
    feed: str = Field(default='', sa_column_kwargs={'server_default': ''})
    # Words of title, description, genres, venue name and tags, normalized and space-padded by
    # services.catalog.search_text.search_text_for: a portable LIKE search that matches at word starts.
    search_text: str = ''
    updated_at: datetime = Field(sa_type=UTCDateTime)


class EventLink(SQLModel, table=True):
    """Another source's listing of a stored event (same venue, start and a close title), kept once.

    The event belongs to the source that stored it first; a re-import of the linking source finds its
    listing here instead of creating a duplicate (services.catalog.store.upsert_events).
    """

    __table_args__ = (UniqueConstraint('source', 'source_id'),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(foreign_key='event.id', index=True)
    source: str
    source_id: str
    url: str = ''  # the listing's own page (a ticket shop, the venue site)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class SourceRun(SQLModel, table=True):
    """One run of a configured source (services.catalog.sources): when, what it changed, what went wrong."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    kind: str
    started_at: datetime = Field(sa_type=UTCDateTime, index=True)
    finished_at: datetime = Field(sa_type=UTCDateTime)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    skipped: int = 0
    error: str = ''
    # What the run's report said beyond its counts, one line each: every skip with its reason, what a limit
    # capped, positions flagged, notes (services.catalog.sources keeps at most REPORT_CHARS of it).
    report: str = Field(default='', sa_column_kwargs={'server_default': ''})


# SQLite only: an FTS5 index over Event.search_text, so free-text and genre searches read the matching
# rows instead of scanning every event of the window with LIKE. It is an "external content" index keyed
# by the event table's rowid and kept in step by triggers, so every writer (demo refresh, .ics import,
# bulk inserts, tests) keeps it current without knowing it exists. VACUUM may renumber the rowids of a
# table without an integer key: run `python -m services.catalog rebuild-search-index` after one.
# Postgres has a GIN index over to_tsvector('simple', search_text) instead. Both are made by the baseline
# migration (migrations/versions/0001_baseline.py), outside the models: this table has its own MetaData
# so neither create_all nor Alembic's comparison sees it.
EVENT_SEARCH = Table('event_search', MetaData(), Column('rowid', Integer), Column('search_text', String))


def rebuild_search_index(engine: Engine) -> bool:
    """Re-reads SQLite's whole text index from the event table (after a VACUUM, or to repair it).

    False when there is none to rebuild (another database, or a SQLite without FTS5). Postgres's index
    follows the table by itself.
    """
    if engine.dialect.name != 'sqlite':
        return False
    with engine.begin() as connection:
        if not connection.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'event_search'").first():
            return False
        connection.exec_driver_sql("INSERT INTO event_search(event_search) VALUES ('rebuild')")
    return True


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
    address: str = ''
    lat: float | None = None
    lon: float | None = None
    opening_hours: str = ''  # the venue's, OSM syntax ('' unknown)
    step_free: bool | None = None  # the venue's: None when not known
    source: str = 'demo'
