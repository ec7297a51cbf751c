"""Catalog look-ups shared by both planners and the pages.

`search_events` and `get_event` return compact `EventPublic` records (JSON-ready, so they can be handed
to an LLM as tool output). Cancelled and postponed events never come back from a search.
"""

from collections import namedtuple
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Interval, Result, Select, bindparam, case, func, literal, literal_column, or_
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from models.catalog import BOOKABLE_STATUSES, EVENT_SEARCH, City, Event, EventPublic, Price, Venue
from models.generation import TimeWindow
from services.catalog.clean import clean_url
from services.catalog.search_text import normalize_words

DEFAULT_SEARCH_LIMIT = 20
MAX_SEARCH_LIMIT = 100
# Planners read every candidate of a window at once; the cap keeps a huge catalog from flooding memory.
MAX_CANDIDATES = 1500
# Above this many matches a search word is common, and a LIKE scan of the window beats the text index.
TEXT_INDEX_MAX_MATCHES = 3000
# Candidates are read as plain rows and turned into tuples with named fields: `to_public` reads two dozen
# attributes per event, and each attribute of an SQLAlchemy Row costs about a microsecond (a field of a named
# tuple a few hundredths of one), a third of the read of 3,000 candidates.
# What an event's page and a plan never show (the import's bookkeeping, the search column) is not read.
_NOT_SHOWN = frozenset({'city_id', 'source_id', 'feed', 'search_text', 'updated_at'})
_SHOWN_COLUMNS = [column for column in Event.__table__.c if column.name not in _NOT_SHOWN]
EventRow = namedtuple('EventRow', [column.name for column in _SHOWN_COLUMNS])
VenueRow = namedtuple('VenueRow', [column.name for column in Venue.__table__.c])
_as_tuple = tuple.__new__


AREA_FAVOUR = 5.0  # an area the person named ("only Kreuzberg") outweighs any word: its events are read first


@dataclass(frozen=True)
class Favour:
    """What a capped read of candidates takes first in each day and kind: events whose search text holds these
    words (each with a weight: the taste's genres and kinds of place, the person's own words), and events at
    venues of these areas (the city's own names, as `list_neighborhoods` gives them)."""

    words: Mapping[str, float] = field(default_factory=dict)
    areas: frozenset[str] = frozenset()


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
    sort: Literal['time', 'price'] = 'time',
) -> list[EventPublic]:
    """Bookable events of `city` starting inside `window`, soonest (or cheapest) first.

    `genres` match whole words of the event's genres, title, description and venue tags (any genre);
    every word of `text` must start a word there too, so "under" finds "underground" but "house" never
    finds "warehouse". `max_price` keeps events whose cheapest ticket is at most that (0: free only).
    The words are looked up in the text index (FTS5 on SQLite, tsvector + GIN on Postgres), then the
    LIKE conditions are applied to what it found, so both paths return exactly the same events.
    """
    # Two steps: first the ids of the page, from narrow index columns only (the window, category, status and
    # price are all in ix_event_city_category_page), then the full rows of just that page.
    page = select(Event.id).where(*_window_conditions(city=city, window=window, categories=categories))
    page = page.where(*_price_conditions(max_price))
    phrases = [p for p in (normalize_words(g) for g in genres) if p]
    words = normalize_words(text or '').split()
    if phrases or words:
        indexed = _indexed_text_filter(session, page, phrases=phrases, words=words)
        page = indexed if indexed is not None else _text_filters(page, phrases=phrases, words=words)
    if neighborhood:
        page = page.join(Venue, col(Venue.id) == col(Event.venue_id))
        page = page.where(func.lower(Venue.neighborhood) == neighborhood.strip().lower())
    page = _in_order(page, sort).limit(max(1, min(limit, MAX_SEARCH_LIMIT)))
    query = select(Event, Venue).join(Venue, col(Venue.id) == col(Event.venue_id)).where(col(Event.id).in_(page))
    return [to_public(event, venue, city) for event, venue in session.exec(_in_order(query, sort)).all()]


def list_candidates(
    *,
    session: Session,
    city: City,
    window: TimeWindow,
    categories: Sequence[str] = (),
    max_price: float | None = None,
    limit: int | None = MAX_CANDIDATES,
    favour: Favour | None = None,
) -> list[EventPublic]:
    """Every bookable event a planner may consider (same rules as `search_events`, no 100-row cap), at most
    `limit` of them (None: every one, for a judge that must see the whole window). Over the cap, `favour`
    decides which events of each day and kind are read first."""
    # Thousands of rows on a big catalog: read as plain rows (their columns are the Event's attributes, so
    # `to_public` takes them as it takes an Event) and each venue once, not as ORM objects (half the time).
    conditions = [*_window_conditions(city=city, window=window, categories=categories), *_price_conditions(max_price)]
    query = select_columns(*_SHOWN_COLUMNS).where(*conditions)
    if limit is not None:
        cap = max(1, min(limit, MAX_CANDIDATES))
        over_cap = session.execute(select_columns(Event.id).where(*conditions).limit(1).offset(cap)).first()
        if over_cap is not None:  # a share of every day and kind, not only the window's first days
            spread = _spread(conditions, cap, day=_local_day(session, window), favour=favour or Favour())
            query = query.where(col(Event.id).in_(spread))
        query = query.limit(cap)  # an import between the probe and the read cannot push it over the cap
    rows = _named(session.execute(_in_order(query, 'time')), EventRow)
    venue_ids = sorted({row.venue_id for row in rows})
    found = session.execute(select_columns(*Venue.__table__.c).where(col(Venue.id).in_(venue_ids)))
    venues = {venue.id: venue for venue in _named(found, VenueRow)}
    return [to_public(row, venues[row.venue_id], city) for row in rows if row.venue_id in venues]


def _named(result: Result, kind: type[tuple]) -> list:
    """The result's rows as `kind` (EventRow, VenueRow), whose fields must be the result's columns in order."""
    if tuple(result.keys()) != kind._fields:  # type: ignore[attr-defined]
        raise RuntimeError(f'{kind.__name__} does not match the columns read: {list(result.keys())}')
    return [_as_tuple(kind, row) for row in result]


def _local_day(session: Session, window: TimeWindow) -> ColumnElement:
    """The city's calendar day of an event's start (stored in UTC): New York's evenings run past midnight UTC. The
    offset is the window's at its start (a clock change inside the window moves one night's hour, no more)."""
    offset = window.start.astimezone(ZoneInfo(window.timezone)).utcoffset() or timedelta(0)
    if session.get_bind().dialect.name == 'sqlite':
        return func.date(col(Event.starts_at), f'{int(offset.total_seconds() // 60):+d} minutes')
    return func.date(col(Event.starts_at) + literal(offset, Interval()))


def _spread(conditions: Sequence[ColumnElement[bool]], cap: int, *, day: ColumnElement, favour: Favour) -> Select:
    """The ids of `cap` events taken in turn from each day and category of the window: the first of each, then
    the second of each, and so on. In time order alone, the cap of a week-long window on a big catalog stops on
    its second or third day, and a kind with few events may fall behind a kind with many. Inside a day and kind,
    the events whose words weigh most in `favour` come first (then the soonest): on a big catalog the cap would
    otherwise keep a day's morning events and leave out the jazz night a jazz lover asked for. Ranked on the
    index's columns and the search text (read for every row of the window only when `favour` has words); the
    full rows are read for the chosen ids."""
    weight = sum(
        (
            case((col(Event.search_text).contains(f' {words} '), value), else_=0.0)
            for words, value in favour.words.items()
        ),
        literal(0.0),
    )
    if favour.areas:
        in_areas = select_columns(col(Venue.id)).where(col(Venue.neighborhood).in_(sorted(favour.areas)))
        weight = weight + case((col(Event.venue_id).in_(in_areas), AREA_FAVOUR), else_=0.0)
    turn = func.row_number().over(
        partition_by=(day, col(Event.category)), order_by=(weight.desc(), col(Event.starts_at), col(Event.id))
    )
    ranked = select_columns(col(Event.id), col(Event.starts_at), turn.label('turn')).where(*conditions).subquery()
    return select_columns(ranked.c.id).order_by(ranked.c.turn, ranked.c.starts_at, ranked.c.id).limit(cap)


def list_neighborhoods(*, session: Session, city: City) -> list[str]:
    """The city's neighbourhoods that have a venue, by name (a wish may name one)."""
    rows = session.exec(select(Venue.neighborhood).where(Venue.city_id == city.id).distinct()).all()
    return sorted(name for name in rows if name)


def get_event(*, session: Session, event_id: str) -> EventPublic | None:
    """Any event by id, whatever its status (a planner must see that an event it holds was cancelled)."""
    row = session.exec(
        select(Event, Venue, City)
        .join(Venue, col(Venue.id) == col(Event.venue_id))
        .join(City, col(City.id) == col(Event.city_id))
        .where(Event.id == event_id)
    ).first()
    return None if row is None else to_public(*row)


def get_events(*, session: Session, event_ids: Iterable[str]) -> dict[str, EventPublic]:
    """Several events by id in one query (the grounding check looks up every key event of a plan)."""
    ids = sorted(set(event_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(Event, Venue, City)
        .join(Venue, col(Venue.id) == col(Event.venue_id))
        .join(City, col(City.id) == col(Event.city_id))
        .where(col(Event.id).in_(ids))
    ).all()
    return {event.id: to_public(event, venue, city) for event, venue, city in rows}


# Built once (every POST reads its city): building a statement and its cache key cost more than running it.
_DEFAULT_CITY = select(City).order_by(col(City.is_demo).desc(), col(City.id))
_CITY_NAMED = select(City).where(func.lower(City.name) == bindparam('name'))


def get_city(*, session: Session, name: str | None = None) -> City | None:
    """The city called `name` (any case), or the catalog's default city when `name` is None."""
    if name is None:
        return session.exec(_DEFAULT_CITY).first()
    return session.exec(_CITY_NAMED, params={'name': name.strip().lower()}).first()


def list_cities(*, session: Session) -> list[City]:
    return list(session.exec(select(City).order_by(col(City.name))).all())


def to_public(event: Event | EventRow, venue: Venue | VenueRow, city: City) -> EventPublic:
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
        # Rows stored before links were checked at the store may hold anything: checked again on the way out.
        url=clean_url(event.ticket_url),
        image_url=clean_url(event.image_url),
        status=event.status,
        address=venue.address,
        lat=venue.lat,
        lon=venue.lon,
        opening_hours=venue.opening_hours,
        step_free=venue.step_free,
        source=event.source,
    )


def _window_conditions(*, city: City, window: TimeWindow, categories: Sequence[str]) -> list[ColumnElement[bool]]:
    # (city_id, starts_at) is indexed: the window is one index range, already in time order.
    conditions = [
        col(Event.city_id) == city.id,
        col(Event.starts_at) >= window.start,
        col(Event.starts_at) < window.end,
        col(Event.status).in_(BOOKABLE_STATUSES),
    ]
    if categories:
        conditions.append(col(Event.category).in_(sorted({c.strip().lower() for c in categories})))
    return conditions


def _price_conditions(max_price: float | None) -> list[ColumnElement[bool]]:
    if max_price is None:
        return []
    return [col(Event.price_min).is_not(None), col(Event.price_min) <= max_price]


def _in_order(query: Select, sort: Literal['time', 'price']) -> Select:
    if sort == 'price':
        query = query.order_by(col(Event.price_min).is_(None), col(Event.price_min), col(Event.starts_at))
    return query.order_by(col(Event.starts_at), col(Event.id))


def _indexed_text_filter(
    session: Session, query: Select, *, phrases: Sequence[str], words: Sequence[str]
) -> Select | None:
    """The text index narrows the rows, the LIKE filters then keep exactly what they would have kept alone."""
    if not _has_search_index(session):
        return None
    if session.get_bind().dialect.name == 'postgresql':
        return _text_filters(_tsvector_filter(query, phrases=phrases, words=words), phrases=phrases, words=words)
    return _fts5_filter(session, query, phrases=phrases, words=words)


def _tsvector_filter(query: Select, *, phrases: Sequence[str], words: Sequence[str]) -> Select:
    """Postgres: the GIN index over to_tsvector('simple', search_text) (migrations/versions/0001_baseline.py).

    A phrase per genre (words in a row, any genre), a prefix per text word. Postgres's planner chooses
    between the index and the window scan itself, so there is no probe as on SQLite.
    """
    terms = ['(' + ' | '.join(' <-> '.join(f"'{w}'" for w in p.split()) for p in phrases) + ')'] if phrases else []
    terms.extend(f"'{word}':*" for word in words)
    # Words are \w runs only (no quotes, no operators), so quoting them is all the escaping needed; the
    # expression is the indexed one, word for word, or Postgres would not use the index.
    vector = func.to_tsvector(literal_column("'simple'::regconfig"), col(Event.search_text))
    return query.where(vector.op('@@')(func.to_tsquery(literal_column("'simple'::regconfig"), ' & '.join(terms))))


def _fts5_filter(session: Session, query: Select, *, phrases: Sequence[str], words: Sequence[str]) -> Select | None:
    """The FTS5 twin of `_text_filters` (a quoted phrase per genre, a prefix query per word), or None when
    there is no index or the words are too common for it to help.

    The index pays when matches are rare: it hands over the few matching rows instead of a LIKE over every
    row of the window. A common word is the opposite case: reading its thousands of matches costs more than
    scanning the window in time order, where LIKE meets enough of them within the first rows.
    """
    terms = ['(' + ' OR '.join(f'"{p}"' for p in phrases) + ')'] if phrases else []
    terms.extend(f'"{word}"*' for word in words)
    # Words are \w runs only (no quotes, no operators), so quoting them is all the escaping needed.
    matching = select(EVENT_SEARCH.c.rowid).where(EVENT_SEARCH.c.search_text.op('MATCH')(' AND '.join(terms)))
    probe = select(func.count()).select_from(matching.limit(TEXT_INDEX_MAX_MATCHES + 1).subquery())
    if session.exec(probe).one() > TEXT_INDEX_MAX_MATCHES:
        return None
    return query.where(literal_column('event.rowid').in_(matching))


def _has_search_index(session: Session) -> bool:
    dialect = session.get_bind().dialect.name
    if dialect == 'postgresql':
        return True  # made by the baseline migration, like every table
    if dialect != 'sqlite':
        return False
    found = session.connection().exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'event_search'")
    return found.first() is not None


def _text_filters(query: Select, *, phrases: Sequence[str], words: Sequence[str]) -> Select:
    if phrases:
        query = query.where(or_(*(col(Event.search_text).contains(f' {p} ') for p in phrases)))
    for word in words:
        query = query.where(col(Event.search_text).contains(f' {word}'))
    return query
