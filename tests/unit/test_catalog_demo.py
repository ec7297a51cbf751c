"""The demo catalog: big and varied enough for real plans, and safe to refresh every day."""

from collections import Counter
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from models.catalog import BOOKABLE_STATUSES, CATEGORIES, City, Event, SourceRun, Venue
from services.catalog import demo, queries
from services.timeframes import resolve_window

NOW = datetime(2025, 12, 3, 11, 0, tzinfo=UTC)  # a Wednesday


def refresh(session: Session, now: datetime = NOW) -> demo.RefreshReport:
    return demo.refresh_demo_catalog(session=session, now=now)


def coming_events(session: Session, now: datetime = NOW, days: int = 30) -> list[Event]:
    return list(
        session.exec(select(Event).where(Event.starts_at >= now, Event.starts_at < now + timedelta(days=days))).all()
    )


def test_demo_city_is_labelled_demo(session: Session) -> None:
    refresh(session)
    city = session.exec(select(City)).one()
    assert (city.name, city.timezone, city.currency, city.is_demo) == ('Berlin', 'Europe/Berlin', 'EUR', True)
    assert {e.source for e in session.exec(select(Event)).all()} == {'demo'}


def test_venues_span_neighbourhoods_and_carry_tags(session: Session) -> None:
    refresh(session)
    venues = session.exec(select(Venue)).all()
    assert len(venues) >= 40
    assert len({v.neighborhood for v in venues}) >= 8
    tags = Counter(t for v in venues for t in v.tags)
    for tag in ('underground', 'warehouse', 'rooftop', 'late-license', 'cosy', 'outdoor'):
        assert tags[tag] >= 1, tag


def test_the_next_30_days_are_full_and_varied(session: Session) -> None:
    refresh(session)
    events = coming_events(session)
    bookable = [e for e in events if e.status in BOOKABLE_STATUSES]
    assert len(bookable) >= 300
    assert {e.category for e in bookable} == set(CATEGORIES)
    genres = {t for e in bookable if e.category in ('music', 'nightlife') for t in e.tags}
    assert {'techno', 'house', 'jazz', 'indie', 'hip-hop', 'classical'} <= genres
    assert any(e.price_min == 0 for e in bookable) and any((e.price_min or 0) > 0 for e in bookable)
    statuses = Counter(e.status for e in events)
    assert 1 <= statuses['cancelled'] <= 20


def test_club_nights_cross_midnight(session: Session) -> None:
    refresh(session)
    berlin = ZoneInfo('Europe/Berlin')
    crossing = [
        e
        for e in coming_events(session)
        if e.category == 'nightlife' and e.ends_at.astimezone(berlin).date() > e.starts_at.astimezone(berlin).date()
    ]
    assert len(crossing) >= 10


def test_titles_read_like_listings_and_demo_events_sell_no_tickets(session: Session) -> None:
    refresh(session)
    events = coming_events(session)
    titles = Counter(e.title for e in events)
    assert len(titles) >= 150  # rotating editions: not the same name every night
    assert all(e.ticket_url == '' for e in events)  # fictional: no link to a shop that does not exist
    assert all(len(e.description) >= 40 for e in events)


@pytest.mark.parametrize('day', range(7))
def test_every_weekend_has_music_and_nightlife(session: Session, day: int) -> None:
    now = NOW + timedelta(days=day)
    refresh(session, now)
    city = queries.get_city(session=session)
    window = resolve_window('This weekend', timezone=city.timezone, now=now)
    found = queries.search_events(session=session, city=city, window=window, categories=['music', 'nightlife'])
    # On a Sunday afternoon only the rest of Sunday is left; otherwise a whole weekend is.
    assert len(found) >= (10 if window.end - window.start > timedelta(days=1) else 3)


@pytest.mark.parametrize('day', range(30))
def test_every_evening_has_a_programme_from_early_to_late(session: Session, day: int) -> None:
    refresh(session)
    berlin = ZoneInfo('Europe/Berlin')
    evening = datetime.combine((NOW + timedelta(days=day)).astimezone(berlin).date(), time(17), berlin)
    events = [
        e
        for e in session.exec(
            select(Event).where(Event.starts_at >= evening, Event.starts_at < evening + timedelta(hours=13))
        )
        if e.status in BOOKABLE_STATUSES
    ]
    for category in ('music', 'nightlife', 'food', 'art', 'comedy', 'film', 'theatre'):
        mine = sorted((e for e in events if e.category == category), key=lambda e: e.starts_at)
        assert mine, (evening.date(), category)
        # Two that follow one another: an early step and a later one, not four things at 20:00.
        fits = any(b.starts_at >= a.ends_at + timedelta(minutes=30) for a in mine for b in mine)
        assert fits or category == 'theatre', (evening.date(), category)
    starts = Counter(e.starts_at.astimezone(berlin).hour for e in events)
    assert {17, 18, 19, 20, 21, 22, 23} <= set(starts), starts


def test_refresh_is_idempotent(session: Session) -> None:
    first = refresh(session)
    ids = sorted(e.id for e in session.exec(select(Event)).all())
    second = refresh(session)
    assert first.created == len(ids) and second.created == 0 and second.updated == 0
    assert sorted(e.id for e in session.exec(select(Event)).all()) == ids
    assert len(session.exec(select(Venue)).all()) == len(demo.load_demo_data()['venues'])
    assert len(session.exec(select(City)).all()) == 1


def test_daily_refresh_extends_and_forgets_the_past(session: Session) -> None:
    refresh(session)
    later = NOW + timedelta(days=10)
    report = refresh(session, later)
    assert report.created > 0 and report.removed > 0
    events = session.exec(select(Event)).all()
    assert min(e.ends_at for e in events) >= later - timedelta(days=demo.KEEP_PAST_DAYS)
    assert max(e.starts_at for e in events) >= later + timedelta(days=30)
    assert len({(e.source, e.source_id) for e in events}) == len(events)


def test_one_offs_keep_their_date_across_refreshes(session: Session) -> None:
    refresh(session)
    one_off = session.exec(select(Event).where(Event.source_id.startswith('kessel-festival-warmup@'))).first()
    assert one_off is not None
    refresh(session, NOW + timedelta(days=1))
    again = session.exec(select(Event).where(Event.source_id.startswith('kessel-festival-warmup@'))).all()
    assert [e.id for e in again] == [one_off.id]


def test_an_edited_data_file_updates_and_drops_events(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    refresh(session)
    data = demo.load_demo_data()
    edited = {**data, 'series': [dict(s) for s in data['series'] if s['key'] != 'kessel-weekender']}
    edited['series'][0]['editions'] = [{'title': 'Renamed night', 'description': 'A new description, long enough.'}]
    monkeypatch.setattr(demo, 'load_demo_data', lambda: edited)
    report = refresh(session)
    assert report.removed > 0 and report.updated > 0
    assert not session.exec(select(Event).where(Event.source_id.startswith('kessel-weekender@'))).first()
    renamed = session.exec(select(Event).where(Event.source_id.startswith(edited['series'][0]['key']))).all()
    assert renamed and {e.title for e in renamed} == {'Renamed night'}


def test_data_file_mistakes_fail_loudly() -> None:
    data = demo.load_demo_data()
    broken = {**data, 'series': [*data['series'], {**data['series'][0], 'key': 'x', 'venue': 'nowhere'}]}
    with pytest.raises(ValueError, match='unknown venue'):
        demo._check(broken)


def test_search_text_is_filled(session: Session) -> None:
    refresh(session)
    event = session.exec(select(Event).where(Event.source_id.startswith('kessel-weekender@'))).first()
    assert ' underground ' in event.search_text and ' techno ' in event.search_text
    assert event.search_text.startswith(' ')


def test_both_search_paths_find_the_same_events(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    refresh(session)
    city = queries.get_city(session=session)
    month = resolve_window('Next 30 days', timezone=city.timezone, now=NOW)
    searches = [
        {'genres': ['techno', 'deep house']},
        {'genres': ['Hip-Hop'], 'text': 'live'},
        {'text': 'under base'},
        {'text': 'kö'},
        {'text': 'supper club', 'categories': ['food'], 'sort': 'price'},
        {'text': '303 acid'},
        {'genres': ['jazz'], 'neighborhood': 'Neukölln', 'limit': 100},
    ]

    def results() -> list[list[str]]:
        return [
            [e.event_id for e in queries.search_events(session=session, city=city, window=month, **query)]
            for query in searches
        ]

    indexed = results()
    monkeypatch.setattr(queries, 'TEXT_INDEX_MAX_MATCHES', 0)  # every word "common": LIKE after the probe
    assert results() == indexed
    monkeypatch.setattr(queries, '_has_search_index', lambda session: False)
    assert results() == indexed
    assert all(indexed[:3]) and indexed[1] != indexed[0]


def test_a_start_on_the_same_day_finds_the_demo_city_current(session: Session, monkeypatch) -> None:
    """A restart (or every test's app) does not rewrite thousands of events; the next day, or edited data, does."""
    first = demo.refresh_if_stale(session=session, now=NOW)
    assert first.created > 1000
    again = demo.refresh_if_stale(session=session, now=NOW + timedelta(hours=6))  # 17:00 in Berlin, same day
    assert (again.created, again.updated, again.removed) == (0, 0, 0)
    assert again.unchanged == len(session.exec(select(Event)).all())
    next_day = demo.refresh_if_stale(session=session, now=NOW + timedelta(days=1))
    assert next_day.created > 0  # the horizon moved on by a day
    monkeypatch.setattr(demo, '_data_version', lambda: 'edited')  # the data files or their code changed
    edited = demo.refresh_if_stale(session=session, now=NOW + timedelta(days=1))
    assert edited.unchanged > 1000  # refreshed again, though nothing came out different
    runs = session.exec(select(SourceRun).where(SourceRun.name == 'demo')).all()
    assert len(runs) == 3 and all(run.report.startswith('demo city from ') for run in runs)
