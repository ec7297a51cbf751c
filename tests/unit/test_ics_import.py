"""Importing real-world shaped iCalendar feeds: recurrences, cancellations, all-day, zones, re-import, errors."""

import functools
import http.server
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from models.catalog import City, Event, Venue
from models.db import session_scope
from models.generation import TimeWindow
from services import clock
from services.catalog import cli, queries
from services.catalog.ics import import_ics
from services.catalog.ics_feed import IcsImportError
from settings import settings

NOW = datetime(2025, 12, 3, 11, 0, tzinfo=UTC)  # Wednesday
BERLIN = ZoneInfo('Europe/Berlin')


def calendar(*events: str, name: str = '') -> str:
    head = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kesselhaus Ost//Programm//DE\r\n'
    if name:
        head += f'X-WR-CALNAME:{name}\r\n'
    body = ''.join(e.strip().replace('\n', '\r\n') + '\r\n' for e in events)
    return head + body + 'END:VCALENDAR\r\n'


def event(uid: str, start: str, summary: str = 'Night', **props: str) -> str:
    lines = ['BEGIN:VEVENT', f'UID:{uid}', 'DTSTAMP:20251101T100000Z']
    lines.append(start if ':' in start else f'DTSTART;TZID=Europe/Berlin:{start}')
    lines.append(f'SUMMARY:{summary}')
    lines += [
        f'{key.replace("_", "-")}{"" if value.startswith((";", ":")) else ":"}{value}' for key, value in props.items()
    ]
    lines.append('END:VEVENT')
    return '\n'.join(lines)


WEEKLY = event(
    'weekly-1@kessel',
    '20251205T230000',
    'Kessel: Friday Techno',
    DTEND=';TZID=Europe/Berlin:20251206T070000',
    RRULE='FREQ=WEEKLY;BYDAY=FR',
    LOCATION='Kesselhaus Ost\\, Rummelsburger Ufer 12\\, 10317 Berlin',
    CATEGORIES='Concert,Techno',
    DESCRIPTION='Twelve hours of techno. Tickets €15-20 at the door.',
    URL='https://tickets.example.com/kessel',
)


def write(tmp_path: Path, text: str, name: str = 'feed.ics') -> str:
    path = tmp_path / name
    path.write_text(text, encoding='utf-8')
    return str(path)


def run_import(
    source: str, city: str = 'Berlin', timezone: str | None = 'Europe/Berlin', now: datetime = NOW, **kwargs
):
    with session_scope() as session:
        return import_ics(session=session, source=source, city_name=city, timezone=timezone, now=now, **kwargs)


def events(session: Session) -> list[Event]:
    session.expire_all()
    return list(session.exec(select(Event).order_by(Event.starts_at)).all())


def test_weekly_series_is_expanded_over_the_horizon(session: Session, tmp_path: Path) -> None:
    report = run_import(write(tmp_path, calendar(WEEKLY)), horizon_days=60)
    rows = events(session)
    assert report.created == len(rows) == 9  # Fridays 5 Dec .. 30 Jan
    first = rows[0]
    assert first.starts_at == datetime(2025, 12, 5, 23, 0, tzinfo=BERLIN)
    assert first.ends_at == datetime(2025, 12, 6, 7, 0, tzinfo=BERLIN)
    assert (first.category, first.tags, first.price_min, first.price_max) == ('music', ['techno'], 15, 20)
    assert first.ticket_url == 'https://tickets.example.com/kessel' and first.source == 'ics'
    venue = session.get(Venue, first.venue_id)
    assert (venue.name, venue.address) == ('Kesselhaus Ost', 'Rummelsburger Ufer 12, 10317 Berlin')
    assert len({e.id for e in rows}) == 9


def test_series_across_dst_keeps_local_time(session: Session, tmp_path: Path) -> None:
    feed = calendar(event('dst@x', '20260320T200000', 'Jazz', RRULE='FREQ=WEEKLY;COUNT=3'))
    with session_scope() as s:
        import_ics(
            session=s,
            source=write(tmp_path, feed),
            city_name='Berlin',
            timezone='Europe/Berlin',
            now=datetime(2026, 3, 18, tzinfo=UTC),
        )
    hours = [e.starts_at.astimezone(BERLIN).hour for e in events(session)]
    offsets = [e.starts_at.astimezone(BERLIN).utcoffset() for e in events(session)]
    assert hours == [20, 20, 20] and offsets[0] != offsets[-1]


def test_cancelled_series_and_cancelled_single_occurrence(session: Session, tmp_path: Path) -> None:
    cancelled_series = event('gone@x', '20251206T200000', 'Gone', RRULE='FREQ=WEEKLY;COUNT=3', STATUS='CANCELLED')
    override = event(
        'weekly-1@kessel',
        '20251212T230000',
        'Kessel: Friday Techno',
        RECURRENCE_ID=';TZID=Europe/Berlin:20251212T230000',
        STATUS='CANCELLED',
    )
    report = run_import(write(tmp_path, calendar(WEEKLY, override, cancelled_series)), horizon_days=30)
    rows = events(session)
    by_title = {t: [e.status for e in rows if e.title == t] for t in ('Gone', 'Kessel: Friday Techno')}
    assert by_title['Gone'] == ['cancelled'] * 3
    assert by_title['Kessel: Friday Techno'] == ['scheduled', 'cancelled', 'scheduled', 'scheduled']
    assert report.cancelled == 4
    city = queries.get_city(session=session, name='Berlin')
    window = TimeWindow(start=NOW, end=NOW + timedelta(days=30), timezone='Europe/Berlin', label='')
    found = queries.search_events(session=session, city=city, window=window)
    assert len(found) == 3 and all(e.status == 'scheduled' for e in found)


def test_moved_occurrence_and_exdate(session: Session, tmp_path: Path) -> None:
    series = WEEKLY.replace('RRULE:', 'EXDATE;TZID=Europe/Berlin:20251219T230000\nRRULE:')
    moved = event(
        'weekly-1@kessel',
        '20251213T010000',
        'Kessel: Friday Techno (late start)',
        RECURRENCE_ID=';TZID=Europe/Berlin:20251212T230000',
    )
    run_import(write(tmp_path, calendar(series, moved)), horizon_days=30)
    rows = events(session)
    starts = [e.starts_at.astimezone(BERLIN).strftime('%d %H:%M') for e in rows]
    assert starts == ['05 23:00', '13 01:00', '26 23:00']
    assert rows[1].title == 'Kessel: Friday Techno (late start)'


def test_all_day_event(session: Session, tmp_path: Path) -> None:
    market = event(
        'market@x', 'DTSTART;VALUE=DATE:20251206', 'Christmas Market', DTEND=';VALUE=DATE:20251208', CATEGORIES='Market'
    )
    run_import(write(tmp_path, calendar(market)))
    [row] = events(session)
    assert row.starts_at == datetime(2025, 12, 6, 0, 0, tzinfo=BERLIN)
    assert row.ends_at == datetime(2025, 12, 8, 0, 0, tzinfo=BERLIN)
    assert row.category == 'markets' and 'all-day' in row.tags


def test_an_all_day_event_today_counts(session: Session, tmp_path: Path) -> None:
    run_import(write(tmp_path, calendar(event('today@x', 'DTSTART;VALUE=DATE:20251203', 'Today'))))
    assert [e.title for e in events(session)] == ['Today']


def test_different_time_zones_and_floating_times(session: Session, tmp_path: Path) -> None:
    feed = calendar(
        event('ny@x', 'DTSTART;TZID=America/New_York:20251210T190000', 'Stream from NYC'),
        event('utc@x', 'DTSTART:20251210T120000Z', 'Noon UTC'),
        event('floating@x', 'DTSTART:20251210T200000', 'Floating'),
    )
    run_import(write(tmp_path, feed))
    starts = {e.title: e.starts_at for e in events(session)}
    assert starts['Stream from NYC'] == datetime(2025, 12, 11, 0, 0, tzinfo=UTC)
    assert starts['Noon UTC'] == datetime(2025, 12, 10, 12, 0, tzinfo=UTC)
    assert starts['Floating'] == datetime(2025, 12, 10, 20, 0, tzinfo=BERLIN)  # the city's wall clock


def test_reimport_updates_instead_of_duplicating(session: Session, tmp_path: Path) -> None:
    single = event('single@x', '20251210T200000', 'Reading', CATEGORIES='Lecture')
    path = write(tmp_path, calendar(WEEKLY, single))
    first = run_import(path, horizon_days=30)
    ids = sorted(e.id for e in events(session))
    again = run_import(path, horizon_days=30)
    assert (again.created, again.updated, again.unchanged) == (0, 0, first.created)
    # The organiser renames the series, moves the reading, drops one Friday and cancels another.
    changed = WEEKLY.replace('Kessel: Friday Techno', 'Kessel: Friday Techno & House').replace(
        'RRULE:', 'EXDATE;TZID=Europe/Berlin:20251219T230000\nRRULE:'
    )
    cancel = event(
        'weekly-1@kessel',
        '20251226T230000',
        'Kessel',
        RECURRENCE_ID=';TZID=Europe/Berlin:20251226T230000',
        STATUS='CANCELLED',
    )
    moved = single.replace('20251210T200000', '20251211T193000')
    third = run_import(write(tmp_path, calendar(changed, cancel, moved)), horizon_days=30)
    rows = events(session)
    assert sorted(e.id for e in rows) == ids  # same events, updated in place
    assert third.created == 0
    statuses = {e.starts_at.astimezone(BERLIN).strftime('%d'): e.status for e in rows if e.category == 'music'}
    assert statuses == {'05': 'scheduled', '12': 'scheduled', '19': 'cancelled', '26': 'cancelled'}
    reading = next(e for e in rows if e.category == 'talks')
    assert reading.starts_at == datetime(2025, 12, 11, 19, 30, tzinfo=BERLIN)
    assert {e.title for e in rows if e.category == 'music' and e.status == 'scheduled'} == {
        'Kessel: Friday Techno & House'
    }


def statuses(session: Session) -> dict[str, str]:
    """'Title dd' -> status, for every event stored."""
    return {f'{e.title} {e.starts_at.astimezone(BERLIN):%d}': e.status for e in events(session)}


def test_a_one_off_removed_from_the_feed_is_withdrawn_on_reimport(session: Session, tmp_path: Path) -> None:
    reading = event('reading@x', '20251210T200000', 'Reading')
    path = write(tmp_path, calendar(WEEKLY, reading))
    run_import(path, horizon_days=30)
    ids = sorted(e.id for e in events(session))
    report = run_import(write(tmp_path, calendar(WEEKLY)), horizon_days=30)
    assert report.withdrawn == 1 and report.cancelled == 0
    assert sorted(e.id for e in events(session)) == ids  # kept, not deleted: generations still resolve it
    assert statuses(session)['Reading 10'] == 'cancelled'
    assert {s for k, s in statuses(session).items() if k != 'Reading 10'} == {'scheduled'}
    assert run_import(path, horizon_days=30).withdrawn == 0  # stays withdrawn, counted once


def test_a_series_cut_short_withdraws_only_its_later_occurrences(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, calendar(WEEKLY))
    run_import(path, horizon_days=30)
    cut = WEEKLY.replace('RRULE:FREQ=WEEKLY;BYDAY=FR', 'RRULE:FREQ=WEEKLY;BYDAY=FR;UNTIL=20251213T000000Z')
    report = run_import(write(tmp_path, calendar(cut)), horizon_days=30)
    assert report.withdrawn == 2 and report.unchanged == 2
    titles = [f'Kessel: Friday Techno {day}' for day in ('05', '12', '19', '26')]
    assert [statuses(session)[t] for t in titles] == ['scheduled', 'scheduled', 'cancelled', 'cancelled']


def test_a_series_removed_from_the_feed_is_withdrawn_whole(session: Session, tmp_path: Path) -> None:
    other = event('other@x', '20251210T200000', 'Other')
    run_import(write(tmp_path, calendar(WEEKLY, other)), horizon_days=30)
    report = run_import(write(tmp_path, calendar(other)), horizon_days=30)
    assert report.withdrawn == 4
    assert statuses(session)['Other 10'] == 'scheduled'
    assert {s for k, s in statuses(session).items() if k.startswith('Kessel')} == {'cancelled'}


def test_another_feeds_events_and_other_cities_are_untouched(session: Session, tmp_path: Path) -> None:
    club = write(tmp_path, calendar(event('club@x', '20251210T230000', 'Club Night')), 'club.ics')
    theatre = write(tmp_path, calendar(event('play@x', '20251211T200000', 'Play')), 'theatre.ics')
    run_import(club)
    run_import(theatre)
    run_import(club, city='Leipzig')
    report = run_import(write(tmp_path, calendar(event('club2@x', '20251212T230000', 'Club Night 2')), 'club.ics'))
    assert report.withdrawn == 1
    by_city = {(e.city_id, e.title): e.status for e in events(session)}
    berlin, leipzig = (queries.get_city(session=session, name=n).id for n in ('Berlin', 'Leipzig'))
    assert by_city == {
        (berlin, 'Club Night'): 'cancelled',
        (berlin, 'Play'): 'scheduled',
        (leipzig, 'Club Night'): 'scheduled',
        (berlin, 'Club Night 2'): 'scheduled',
    }


def test_past_events_and_events_beyond_the_horizon_are_not_withdrawn(session: Session, tmp_path: Path) -> None:
    feed = calendar(
        event('early@x', '20251205T200000', 'Early'),
        event('later@x', '20251220T200000', 'Later'),
        event('far@x', '20260301T200000', 'Far'),
    )
    path = write(tmp_path, feed)
    run_import(path, horizon_days=120)
    # A week on, the organiser's feed lists only what is still to come, and is read 30 days ahead.
    week_on = NOW + timedelta(days=7)
    report = run_import(
        write(tmp_path, calendar(event('new@x', '20251222T200000', 'New'))), now=week_on, horizon_days=30
    )
    assert report.withdrawn == 1
    assert statuses(session) == {
        'Early 05': 'scheduled',
        'Later 20': 'cancelled',
        'New 22': 'scheduled',
        'Far 01': 'scheduled',
    }


def test_a_malformed_reimport_withdraws_nothing(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, calendar(WEEKLY, event('reading@x', '20251210T200000', 'Reading')))
    run_import(path, horizon_days=30)
    with pytest.raises(IcsImportError):
        run_import(write(tmp_path, MALFORMED['not a calendar']), horizon_days=30)
    assert set(statuses(session).values()) == {'scheduled'}
    # A file cut short is read as far as it goes, and withdraws nothing: the rest may just be missing.
    report = run_import(write(tmp_path, calendar(WEEKLY)[:-30]), horizon_days=30)
    assert report.withdrawn == 0 and any('ends before END:VCALENDAR' in note for note in report.notes)
    assert set(statuses(session).values()) == {'scheduled'}


def test_events_stored_before_feeds_were_recorded_are_claimed_by_their_uid(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, calendar(WEEKLY, event('reading@x', '20251210T200000', 'Reading')))
    run_import(path, horizon_days=30)
    for row in events(session):  # as an import made before feeds were recorded left them
        row.feed = ''
    session.commit()
    cut = WEEKLY.replace('RRULE:', 'EXDATE;TZID=Europe/Berlin:20251219T230000\nRRULE:')
    report = run_import(write(tmp_path, calendar(cut)), horizon_days=30)
    # The dropped Friday's UID is still in the feed; the reading's feed is unknown, so it is left alone.
    assert report.withdrawn == 1
    assert statuses(session)['Kessel: Friday Techno 19'] == 'cancelled'
    assert statuses(session)['Reading 10'] == 'scheduled'


BROKEN_EVENTS = {
    'bad start': (event('bad@x', 'DTSTART:2025-13-45', 'Broken'), 'bad@x: bad DTSTART'),
    'no start': ('BEGIN:VEVENT\nUID:nostart@x\nSUMMARY:No start\nEND:VEVENT', 'nostart@x: no start (DTSTART)'),
    'bad rule': (event('rule@x', '20251206T200000', 'Rule', RRULE='FREQ=SOMETIMES'), 'rule@x: '),
    # Google Calendar's birthday export: icalendar only raises when the RDATE is read.
    'bad rdate': (
        event('bday@google', 'DTSTART;VALUE=DATE:20131210', 'Birthday', RRULE='FREQ=YEARLY', RDATE='20131210Z'),
        'bday@google: ',
    ),
}
# A feed with nothing readable is refused whole; one broken event among good ones is skipped (below).
MALFORMED = {
    'not a calendar': 'hello, this is not a calendar',
    **{name: calendar(broken) for name, (broken, _) in BROKEN_EVENTS.items()},
    'empty': '',
}


@pytest.mark.parametrize('name', BROKEN_EVENTS)
def test_one_broken_event_is_skipped_and_reported(session: Session, tmp_path: Path, name: str) -> None:
    broken, reason = BROKEN_EVENTS[name]
    good = event('good@x', '20251206T200000', 'Good Night', GEO='52.5;13.4', URL='https://venue.example/good')
    source = write(tmp_path, calendar(WEEKLY, broken, good))
    report = run_import(source, horizon_days=30)
    assert len(report.skipped) == 1 and report.skipped[0].startswith(reason)
    assert report.created == 5 == len(events(session))  # four Fridays + the good one
    assert f'1 skipped\n  skipped {reason}' in str(report)
    good_row = next(e for e in events(session) if e.title == 'Good Night')
    assert good_row.ticket_url == 'https://venue.example/good'
    venue = session.get(Venue, good_row.venue_id)
    assert (venue.lat, venue.lon) == (52.5, 13.4)
    ids = sorted(e.id for e in events(session))
    again = run_import(source, horizon_days=30)
    assert (again.created, again.unchanged, again.withdrawn) == (0, 5, 0)
    assert sorted(e.id for e in events(session)) == ids


@pytest.mark.parametrize('name', MALFORMED)
def test_malformed_feeds_are_refused_and_nothing_is_imported(session: Session, tmp_path: Path, name: str) -> None:
    with pytest.raises(IcsImportError) as error:
        run_import(write(tmp_path, MALFORMED[name]), city='Leipzig', timezone='Europe/Berlin')
    message = str(error.value)
    assert message and '\n' not in message and 'Traceback' not in message
    assert events(session) == [] and session.exec(select(City)).all() == []
    assert session.exec(select(Venue)).all() == []


def test_unknown_city_needs_a_timezone(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, calendar(WEEKLY))
    with pytest.raises(IcsImportError, match="unknown city 'Leipzig': give --timezone"):
        run_import(path, city='Leipzig', timezone=None)
    with pytest.raises(IcsImportError, match='unknown time zone'):
        run_import(path, city='Leipzig', timezone='Europe/Leipzig')
    run_import(path, city='Leipzig', timezone='Europe/Berlin', currency='eur')
    city = session.exec(select(City)).one()
    assert (city.name, city.timezone, city.currency, city.is_demo) == ('Leipzig', 'Europe/Berlin', 'EUR', False)


def test_existing_city_keeps_its_own_zone(session: Session, tmp_path: Path) -> None:
    session.add(City(name='Lisbon', timezone='Europe/Lisbon', currency='EUR'))
    session.commit()
    run_import(write(tmp_path, calendar(event('f@x', 'DTSTART:20251210T200000', 'Fado'))), city='lisbon', timezone=None)
    [row] = events(session)
    assert row.starts_at == datetime(2025, 12, 10, 20, 0, tzinfo=ZoneInfo('Europe/Lisbon'))


def test_categories_default_and_venue_fallback(session: Session, tmp_path: Path) -> None:
    feed = calendar(
        event('a@x', '20251210T200000', 'Poetry', CATEGORIES='Spoken Word'),
        event('b@x', '20251211T200000', 'Stand-up', CATEGORIES='COMEDY', DESCRIPTION='Free entry!'),
        name='Lesesaal Oranienstraße',
    )
    run_import(write(tmp_path, feed), default_category='talks')
    first, second = events(session)
    assert (first.category, first.tags) == ('talks', ['spoken-word'])
    assert (second.category, second.price_min, second.price_max) == ('comedy', 0, 0)
    assert session.get(Venue, first.venue_id).name == 'Lesesaal Oranienstraße'
    assert first.venue_id == second.venue_id
    assert ' spoken word ' in first.search_text


def test_past_events_and_events_beyond_the_horizon_are_skipped(session: Session, tmp_path: Path) -> None:
    feed = calendar(
        event('past@x', '20251130T200000', 'Past'),
        event('soon@x', '20251210T200000', 'Soon'),
        event('far@x', '20260601T200000', 'Far'),
    )
    run_import(write(tmp_path, feed), horizon_days=60)
    assert [e.title for e in events(session)] == ['Soon']


@pytest.fixture
def feed_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setattr(settings, 'import_allow_private', True)  # the feed is served from 127.0.0.1
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f'http://127.0.0.1:{server.server_port}'
    server.shutdown()
    server.server_close()


def test_import_from_a_url(session: Session, tmp_path: Path, feed_server: str) -> None:
    write(tmp_path, calendar(WEEKLY), 'programme.ics')
    report = run_import(f'{feed_server}/programme.ics', horizon_days=30)
    assert report.created == 4
    with pytest.raises(IcsImportError, match='HTTP 404'):
        run_import(f'{feed_server}/missing.ics')


def test_cli_imports_and_reports(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(clock, 'now', lambda: NOW)
    code = cli.main(
        [
            'import-ics',
            write(tmp_path, calendar(WEEKLY)),
            '--city',
            'Berlin',
            '--timezone',
            'Europe/Berlin',
            '--days',
            '30',
        ]
    )
    assert code == 0
    assert capsys.readouterr().out.strip() == (
        'Imported 4 events into Berlin: 4 new, 0 updated, 0 unchanged, 0 linked, 0 cancelled, 0 withdrawn, 0 skipped'
    )
    cut = WEEKLY.replace('RRULE:FREQ=WEEKLY;BYDAY=FR', 'RRULE:FREQ=WEEKLY;BYDAY=FR;COUNT=1')
    assert cli.main(['import-ics', write(tmp_path, calendar(cut)), '--city', 'Berlin', '--days', '30']) == 0
    assert capsys.readouterr().out.strip() == (
        'Imported 1 events into Berlin: 0 new, 0 updated, 1 unchanged, 0 linked, 0 cancelled, 3 withdrawn, 0 skipped'
    )


@pytest.mark.parametrize(
    ('args', 'expected'),
    [
        (['--city', 'Berlin'], "import-ics: unknown city 'Berlin': give --timezone"),
        (['--city', 'Berlin', '--timezone', 'Nowhere/Town'], 'import-ics: unknown time zone'),
    ],
)
def test_cli_errors_are_one_line(tmp_path: Path, monkeypatch, capsys, args: list[str], expected: str) -> None:
    monkeypatch.setattr(clock, 'now', lambda: NOW)
    code = cli.main(['import-ics', write(tmp_path, calendar(WEEKLY)), *args])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(expected) and err.count('\n') == 1


def test_cli_malformed_and_missing_files(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(clock, 'now', lambda: NOW)
    assert cli.main(['import-ics', write(tmp_path, 'nope'), '--city', 'X', '--timezone', 'UTC']) == 2
    assert capsys.readouterr().err.startswith('import-ics: not a valid iCalendar file')
    assert cli.main(['import-ics', str(tmp_path / 'missing.ics'), '--city', 'X', '--timezone', 'UTC']) == 2
    assert capsys.readouterr().err.startswith('import-ics: no such file')
