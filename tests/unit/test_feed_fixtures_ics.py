"""Real-world shaped iCalendar feeds (tests/fixtures/feeds): one test per class of defect of issue 25."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from models.catalog import Event
from models.db import session_scope
from services.catalog.ics import import_ics
from tests.feeds import import_feed, stored, venue_of


def test_an_override_for_this_and_future_occurrences_is_no_duplicate(session: Session) -> None:
    # RANGE=THISANDFUTURE hands the override's RECURRENCE-ID to every later occurrence: once a UNIQUE crash.
    report = import_feed('thisandfuture.ics')
    rows = list(session.exec(select(Event).order_by(Event.starts_at)).all())
    starts = [f'{e.starts_at.astimezone(UTC):%d %H:%M}' for e in rows]
    assert starts == ['03 19:00', '10 19:00', '17 20:00', '24 20:00', '31 20:00', '07 20:00']
    assert [e.title for e in rows][2:] == ['Jam session (later start)'] * 4
    assert report.created == 6 and len({e.id for e in rows}) == 6
    assert import_feed('thisandfuture.ics').unchanged == 6  # stable ids


def test_an_event_with_neither_uid_nor_start_is_one_skip(session: Session) -> None:
    report = import_feed('no-uid-no-start.ics')
    assert report.skipped == ['Placeholder with neither UID nor start: no start (DTSTART)']
    assert list(stored(session)) == ['Reading: city stories']


def test_a_time_zone_with_two_tzid_lines_is_read_by_its_first(session: Session) -> None:
    report = import_feed('two-tzid.ics')
    [reading] = stored(session).values()
    assert report.created == 1 and reading.starts_at == datetime(2026, 12, 8, 18, 0, tzinfo=UTC)  # 19:00 Berlin


@pytest.mark.parametrize('name', ['broken-components.ics', 'two-calendars.ics', 'truncated.ics'])
def test_what_is_not_one_of_its_events_never_refuses_a_feed(session: Session, name: str) -> None:
    report = import_feed(name)
    expected = {
        'broken-components.ics': ['Reading: river songs'],
        'two-calendars.ics': ['Reading: first calendar', 'Reading: second calendar'],
        'truncated.ics': ['Reading: complete one', 'Reading: cut short'],
    }[name]
    assert list(stored(session)) == expected and report.skipped == []
    assert report.notes  # what was left out or read differently is said


def test_unreadable_metadata_costs_the_property_not_the_event(session: Session) -> None:
    report = import_feed('metadata-quirks.ics')
    assert sorted(stored(session)) == ['Brass quintet', 'Cello at the church', 'Choir evening', 'Organ recital']
    assert report.skipped == []
    assert any('CREATED' in note for note in report.notes) and any('GEO' in note for note in report.notes)


def test_events_without_an_end_last_as_long_as_their_kind(session: Session) -> None:
    import_feed('no-end.ics')
    rows = stored(session)
    club, talk = rows['Basement techno'], rows['How a sound system is built']
    assert (club.category, club.ends_at - club.starts_at) == ('nightlife', timedelta(hours=5))
    assert (talk.category, talk.ends_at - talk.starts_at) == ('talks', timedelta(hours=1, minutes=30))


def test_outlook_zone_names_are_real_zones(session: Session) -> None:
    report = import_feed('outlook-display-zone.ics')  # imported into Berlin: the feed's zone must win
    rows = stored(session)
    # 13:30 in Sydney on 28 Oct 2020 (daylight saving, +11:00) is 02:30 UTC, not 13:30 Berlin time.
    assert rows['Lunchtime Quartet'].starts_at == datetime(2020, 10, 28, 2, 30, tzinfo=UTC)
    # A display name of no known zone is read by the offset it states, and the report says so.
    assert rows['Late Trio'].starts_at == datetime(2020, 10, 29, 10, 30, tzinfo=UTC)
    assert any('fixed UTC+09:30' in note for note in report.notes)


def test_windows_ids_and_undefined_zones(session: Session, tmp_path: Path) -> None:
    def vevent(uid: str, tzid: str) -> str:
        return (
            f'BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;TZID={tzid}:20261203T190000\r\n'
            f'SUMMARY:{uid}\r\nLOCATION:Hall\r\nEND:VEVENT\r\n'
        )

    feed = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\n'
    feed += vevent('windows', 'AUS Eastern Standard Time') + vevent('undefined', 'Customized Time Zone')
    (tmp_path / 'zones.ics').write_text(feed + 'END:VCALENDAR\r\n', encoding='utf-8')
    with session_scope() as s:
        report = import_ics(session=s, source=str(tmp_path / 'zones.ics'), city_name='Berlin',
                            timezone='Europe/Berlin', now=datetime(2026, 12, 1, tzinfo=UTC))  # fmt: skip
    rows = stored(session)
    assert rows['windows'].starts_at == datetime(2026, 12, 3, 8, 0, tzinfo=UTC)  # 19:00 in Sydney (+11:00)
    assert rows['undefined'].starts_at == datetime(2026, 12, 3, 18, 0, tzinfo=UTC)  # the city's zone, and said so
    assert any("'Customized Time Zone' is defined nowhere" in note for note in report.notes)


def test_x_wr_timezone_reads_floating_times(session: Session) -> None:
    import_feed('x-wr-timezone.ics', city='Berlin', zone='Europe/Berlin')  # a Lisbon venue's feed, into Berlin
    assert stored(session)['Fado night'].starts_at == datetime(2026, 12, 10, 20, 0, tzinfo=UTC)


def test_a_zone_one_feed_defines_does_not_leak_into_the_next(session: Session) -> None:
    import_feed('zone-leak-a.ics')
    import_feed('zone-leak-b.ics')
    rows = stored(session)
    assert rows['Feed A: evening set'].starts_at == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # 19:00 at +10:00
    assert rows['Feed B: evening set'].starts_at == datetime(2026, 12, 4, 0, 0, tzinfo=UTC)  # 19:00 at -05:00


def test_a_long_event_already_running_is_imported(session: Session) -> None:
    report = import_feed('ongoing-exhibition.ics', now=datetime(2026, 12, 15, 10, 0, tzinfo=UTC))
    rows = stored(session)
    assert sorted(rows) == ["Curator's talk", 'Light and water (exhibition)'] and report.created == 2
    assert rows['Light and water (exhibition)'].category == 'art'


def test_google_html_descriptions_locations_and_online_meetings(session: Session) -> None:
    report = import_feed('google-text.ics')
    [gig] = stored(session).values()
    assert gig.title == 'Rita & the Tides'
    assert (
        gig.description == ('Line-up: Rita & the Tides\nTickets: tickets.example.pt — doors 23:00')
        and '<' not in gig.search_text
    )
    venue = venue_of(session, gig)
    assert (venue.name, venue.address) == ('Musicbox', 'Rua Nova do Carvalho 24, 1200-292 Lisboa, Portugal')
    assert report.skipped == [
        "Organisers' call (2026-12-05): online (https://meet.google.com/abc-defg-hij), nowhere to go"
    ]


def test_swapped_lon_lat_is_flagged_and_not_mapped(session: Session) -> None:
    report = import_feed('lastfm-swapped-geo.ics')
    rows = stored(session)
    assert len(rows) == 3 and len(report.flagged) == 3 and 'looks swapped' in report.flagged[0]
    assert all(venue_of(session, e).lat is None for e in rows.values())


def test_a_short_event_already_under_way_is_a_skip_with_its_reason(session: Session) -> None:
    report = import_feed('no-end.ics', now=datetime(2026, 12, 12, 0, 0, tzinfo=UTC))  # the club night began at 22:00
    assert list(stored(session)) == ['Basement techno', 'How a sound system is built']
    assert report.skipped == []  # five hours long by default: a drop-in is still possible
    short = import_feed('no-end.ics', now=datetime(2026, 12, 12, 17, 30, tzinfo=UTC))
    assert short.skipped == ['How a sound system is built (2026-12-12): already started, and too short to drop in on']
