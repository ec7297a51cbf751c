"""Issue 24's import findings, with crafted feeds: limits that hold, links checked at the store, source trust,
fetches that refuse private addresses and errors that quote nothing of the file."""

import http.server
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session

from models.db import session_scope
from services.catalog.fetch import check_public, read_file_or_url
from services.catalog.ics import import_ics
from services.catalog.ics_feed import IcsImportError
from services.catalog.importing import ImportFailure, ImportLimits
from services.catalog.jsonld import import_jsonld
from settings import settings
from tests.factories import add_city, add_event, add_venue
from tests.feeds import FEEDS, import_feed, stored

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_a_minutely_series_is_capped_and_said_to_be(session: Session) -> None:
    report = import_feed('minutely.ics')
    rows = stored(session)
    assert report.created == settings.import_max_occurrences + 1 == 501
    assert 'The real concert' in rows
    assert report.capped == ['every-minute@careless.example: series capped at 500 occurrences']
    assert '  capped every-minute@careless.example: series capped at 500 occurrences' in str(report)


def test_an_import_is_capped_in_events_and_in_time(session: Session) -> None:
    report = import_feed('ticketmaster-san-francisco.json', limits=ImportLimits(500, 3, 60))
    assert report.created == 3 and report.capped == ['6 events read, the first 3 imported (IMPORT_MAX_EVENTS)']
    spent = import_feed('two-calendars.ics', limits=ImportLimits(500, 20_000, 1e-9))
    assert spent.created == 0 and spent.capped[0].startswith('time budget of 1e-09 s spent: 2 event(s) not read')


def test_links_that_are_not_clean_http_urls_are_dropped_and_reported(session: Session) -> None:
    report = import_feed('bad-links.ics')
    rows = stored(session)
    assert rows['Concert with a script for a link'].ticket_url == ''
    assert rows['Concert with a good link'].ticket_url == 'https://tickets.example.com/good'
    assert any("ticket_url 'javascript:alert(document.cookie)'" in note for note in report.notes)
    page = import_feed('online-and-links.html')
    rows = stored(session)
    assert rows['Lecture with a broken ticket link'].ticket_url == ''
    assert rows['Lecture with a broken ticket link'].image_url == ''
    assert rows['Lecture with a script link'].ticket_url == ''
    dropped = [note for note in page.notes if 'not a safe http(s) link' in note]
    assert len(dropped) == 3 and all('\n' not in note for note in dropped)


def test_only_a_source_marked_to_fill_fills_and_never_a_demo_event(session: Session) -> None:
    import_feed('bimbos-venue.html')
    import_feed('ticketmaster-san-francisco.json')  # not marked: links, fills nothing
    [night] = [e for e in stored(session).values() if e.title.startswith('Night Drive')]
    assert (night.price_min, night.image_url, night.status) == (None, '', 'cancelled')
    city = add_city(session, 'Berlin', 'Europe/Berlin')
    venue = add_venue(session, city, name='Club Ost')
    demo = add_event(session, venue, title='Nachtkonzert', starts_at=datetime(2026, 12, 11, 22, tzinfo=UTC),
                     price=None, url='', source='demo')  # fmt: skip
    report = import_feed('duplicate-blocks.html', fill=True)  # the same event, trusted, with image and price
    session.refresh(demo)
    assert report.linked == 1 and (demo.image_url, demo.price_min, demo.ticket_url) == ('', None, '')


@pytest.fixture
def redirecting_server() -> Iterator[str]:
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            if self.path == '/to-file':
                self.send_response(302)
                self.send_header('Location', 'file:///etc/passwd')
                self.end_headers()
                return
            body = (FEEDS / 'two-calendars.ics').read_bytes()
            self.send_response(200)
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Handler.requests = requests
    yield f'http://127.0.0.1:{server.server_address[1]}'
    server.shutdown()
    server.server_close()


def test_fetches_refuse_loopback_unless_allowed(session: Session, redirecting_server: str, monkeypatch) -> None:
    assert settings.import_allow_private is False  # the default
    with pytest.raises(ImportFailure, match=r'refused to fetch .*loopback, private or link-local'):
        read_file_or_url(f'{redirecting_server}/feed.ics')
    for url in ('http://10.1.2.3/x', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/', 'http://192.168.0.1/'):
        with pytest.raises(ImportFailure, match='refused'):
            check_public(url)
    monkeypatch.setattr(settings, 'import_allow_private', True)
    with session_scope() as s:
        report = import_ics(session=s, source=f'{redirecting_server}/feed.ics', city_name='Berlin',
                            timezone='Europe/Berlin', now=datetime(2026, 12, 10, tzinfo=UTC))  # fmt: skip
    assert report.created == 2
    with pytest.raises(ImportFailure, match=r'a redirect led to something that is not an http'):
        read_file_or_url(f'{redirecting_server}/to-file')


def test_errors_quote_nothing_of_the_file(session: Session, tmp_path: Path) -> None:
    secret = tmp_path / 'credentials.txt'
    secret.write_text('root:SECRET-TOKEN-1234:0:0\nmore: lines\n')
    for run in (
        lambda s: import_ics(session=s, source=str(secret), city_name='B', timezone='UTC', now=NOW),
        lambda s: import_jsonld(session=s, source=str(secret), city_name='B', timezone='UTC', now=NOW),
    ):
        with pytest.raises((IcsImportError, ImportFailure)) as error, session_scope() as s:
            run(s)
        assert 'SECRET-TOKEN-1234' not in str(error.value) and 'more: lines' not in str(error.value)
