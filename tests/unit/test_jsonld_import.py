"""Importing schema.org events from the JSON-LD of realistic HTML pages (several blocks, noise, a broken one)."""

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from models.catalog import City, Event, Venue
from models.db import session_scope
from services import clock
from services.catalog import cli
from services.catalog.importing import ImportFailure
from services.catalog.jsonld import import_jsonld
from settings import settings

NOW = datetime(2025, 12, 3, 11, 0, tzinfo=UTC)

PLACE = {
    '@type': 'MusicVenue',
    'name': 'Kesselhaus Ost',
    'address': {'@type': 'PostalAddress', 'streetAddress': 'Rummelsburger Ufer 12', 'postalCode': '10317',
                'addressLocality': 'Berlin'},
    'geo': {'@type': 'GeoCoordinates', 'latitude': '52.4961', 'longitude': 13.4747},
}  # fmt: skip
CONCERT = {
    '@type': 'MusicEvent',
    '@id': 'https://kessel.example/events/nils#event',
    'name': 'Nils Frahm',
    'startDate': '2025-12-05T20:00:00+01:00',
    'endDate': '2025-12-05T23:00:00+01:00',
    'location': PLACE,
    'performer': [{'@type': 'MusicGroup', 'name': 'Nils Frahm'}, {'@type': 'Person', 'name': 'Anne Müller'}],
    'genre': ['Ambient', 'Neoclassical'],
    'image': [{'@type': 'ImageObject', 'url': 'https://kessel.example/img/nils.jpg'}],
    'offers': {'@type': 'Offer', 'price': '38.50', 'priceCurrency': 'EUR', 'url': 'https://tix.example/nils',
               'availability': 'https://schema.org/InStock'},
    'description': 'Piano and synthesizers.',
}  # fmt: skip
PLAY = {
    '@type': 'TheaterEvent',
    'name': 'Hamlet',
    'startDate': '2025-12-06T19:30',  # no zone: the city's wall clock
    'location': {'@type': 'Place', 'name': 'Volksbühne', 'address': 'Linienstraße 227, Berlin'},
    'offers': {'@type': 'AggregateOffer', 'lowPrice': 12, 'highPrice': '45', 'priceCurrency': 'EUR'},
    'eventStatus': 'https://schema.org/EventPostponed',
}
CANCELLED = {
    '@type': 'Event',
    'name': 'Flohmarkt am Ufer',
    'startDate': '2025-12-07',
    'location': PLACE,
    'keywords': 'flea market, vintage',
    'eventStatus': 'EventCancelled',
    'offers': [{'@type': 'Offer', 'price': 0, 'availability': 'SoldOut'}],
}
ONLINE = {'@type': 'Event', 'name': 'Livestream', 'startDate': '2025-12-08T20:00:00Z',
          'eventStatus': 'https://schema.org/EventMovedOnline'}  # fmt: skip
PAST = {'@type': 'MusicEvent', 'name': 'Last Month', 'startDate': '2025-11-01T20:00:00+01:00', 'location': PLACE}
SOLD_OUT = {
    '@type': 'ComedyEvent', 'name': 'Late Laughs', 'startDate': '2025-12-09T21:00:00+01:00', 'location': PLACE,
    'offers': {'@type': 'Offer', 'price': '15', 'availability': 'https://schema.org/SoldOut'},
}  # fmt: skip


def page(*blocks: object, broken: bool = True, markup: bool = False) -> str:
    scripts = ''.join(f'<script type="application/ld+json">{json.dumps(b)}</script>\n' for b in blocks)
    if broken:
        scripts += '<script type="application/ld+json">{"@type": "Event", "name": "Broken", </script>\n'
    return f"""<!doctype html><html><head><title>Programm</title>
<script type="application/ld+json">{
        json.dumps(
            {
                '@context': 'https://schema.org',
                '@type': 'Organization',
                'name': 'Kesselhaus',
                'url': 'https://kessel.example',
            }
        )
    }</script>
{scripts}</head><body>{MARKUP if markup else ''}</body></html>"""


# The same page may also mark events up in its HTML: microdata and RDFa are read too.
MARKUP = """
<div itemscope itemtype="https://schema.org/Event"><span itemprop="name">Microdata only</span>
<meta itemprop="startDate" content="2025-12-10T20:00"></div>
<div vocab="https://schema.org/" typeof="Event"><span property="name">RDFa only</span></div>
"""


def realistic() -> str:
    return page(
        {'@context': 'https://schema.org', '@graph': [CONCERT, PLAY]},
        [CANCELLED, ONLINE, PAST],
        {'@context': 'https://schema.org', '@type': 'Place', 'name': 'Kesselhaus Ost', 'event': [SOLD_OUT]},
        markup=True,
    )


def write(tmp_path: Path, text: str, name: str = 'programm.html') -> str:
    path = tmp_path / name
    path.write_text(text, encoding='utf-8')
    return str(path)


def run_import(source: str, **kwargs):
    with session_scope() as session:
        return import_jsonld(session=session, source=source, city_name='Berlin', timezone='Europe/Berlin', now=NOW,
                             **kwargs)  # fmt: skip


def events(session: Session) -> dict[str, Event]:
    session.expire_all()
    return {e.title: e for e in session.exec(select(Event)).all()}


def test_a_realistic_page(session: Session, tmp_path: Path) -> None:
    report = run_import(write(tmp_path, realistic()))
    assert (report.created, report.cancelled) == (5, 1)
    assert len(report.skipped) == 4
    assert report.skipped[0].startswith('JSON-LD block 5: not valid JSON (Expecting property name')
    assert report.skipped[1:] == [
        'Livestream: online (nowhere to go)',
        'Last Month: already over (2025-11-01)',
        'RDFa only: no startDate',
    ]
    rows = events(session)
    assert sorted(rows) == ['Flohmarkt am Ufer', 'Hamlet', 'Late Laughs', 'Microdata only', 'Nils Frahm']
    nils = rows['Nils Frahm']
    assert (nils.category, nils.tags) == ('music', ['ambient', 'neoclassical'])
    assert nils.starts_at == datetime(2025, 12, 5, 19, 0, tzinfo=UTC)
    assert nils.ends_at == datetime(2025, 12, 5, 22, 0, tzinfo=UTC)
    assert (nils.price_min, nils.price_max, nils.currency) == (38.5, 38.5, 'EUR')
    assert nils.ticket_url == 'https://tix.example/nils' and nils.image_url == 'https://kessel.example/img/nils.jpg'
    assert nils.description == 'Piano and synthesizers. With Nils Frahm, Anne Müller.' and nils.source == 'jsonld'
    hamlet = rows['Hamlet']
    assert (hamlet.category, hamlet.status, hamlet.price_min, hamlet.price_max) == ('theatre', 'postponed', 12, 45)
    assert hamlet.starts_at == datetime(2025, 12, 6, 18, 30, tzinfo=UTC)
    market = rows['Flohmarkt am Ufer']
    assert (market.category, market.tags, market.status) == ('markets', ['vintage', 'all-day'], 'cancelled')
    assert (rows['Late Laughs'].category, rows['Late Laughs'].status) == ('comedy', 'sold_out')
    kessel = session.get(Venue, nils.venue_id)
    assert (kessel.address, kessel.lat, kessel.lon) == ('Rummelsburger Ufer 12, 10317, Berlin', 52.4961, 13.4747)
    assert rows['Late Laughs'].venue_id == kessel.id == market.venue_id
    assert session.get(Venue, hamlet.venue_id).address == 'Linienstraße 227, Berlin'


def test_reimport_keeps_ids_and_withdraws_what_the_page_dropped(session: Session, tmp_path: Path) -> None:
    source = write(tmp_path, realistic())
    run_import(source)
    ids = {title: e.id for title, e in events(session).items()}
    again = run_import(source)
    assert (again.created, again.updated, again.unchanged, again.withdrawn) == (0, 0, 5, 0)
    write(tmp_path, page({'@graph': [CONCERT | {'name': 'Nils Frahm (Late Show)'}]}, SOLD_OUT, broken=False))
    third = run_import(source)
    assert (third.created, third.updated, third.withdrawn) == (0, 1, 1)  # Hamlet withdrawn; the cancelled market stays
    rows = events(session)
    assert rows['Nils Frahm (Late Show)'].id == ids['Nils Frahm']  # its @id keeps it the same event
    assert rows['Hamlet'].status == 'cancelled' and {e.id for e in rows.values()} == set(ids.values())


@pytest.mark.parametrize(
    ('html', 'message'),
    [
        ('', 'the page is empty'),
        ('<html><body><p>No events here</p></body></html>', 'no schema.org Event in'),
        (page(broken=True), 'no schema.org Event in .*; first problem: JSON-LD block 2: not valid JSON'),
        (page({'@type': 'Event', 'name': 'No date'}, ONLINE, broken=False), 'no event in .* can be read; first: '),
    ],
)
def test_pages_without_readable_events_are_refused(session: Session, tmp_path: Path, html: str, message: str) -> None:
    with pytest.raises(ImportFailure, match=message):
        run_import(write(tmp_path, html))
    assert events(session) == {} and session.exec(select(City)).all() == []


@pytest.fixture
def page_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setattr(settings, 'import_allow_private', True)  # the page is served from 127.0.0.1

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{server.server_address[1]}'
    server.shutdown()
    server.server_close()


def test_cli_imports_a_url_and_errors_are_one_line(tmp_path: Path, page_server: str, monkeypatch, capsys) -> None:
    monkeypatch.setattr(clock, 'now', lambda: NOW)
    write(tmp_path, page(PLAY, broken=False))
    args = ['--city', 'Berlin', '--timezone', 'Europe/Berlin']
    assert cli.main(['import-jsonld', f'{page_server}/programm.html', *args]) == 0
    assert capsys.readouterr().out.startswith('Imported 1 events into Berlin: 1 new')
    with session_scope() as session:
        assert events(session)['Hamlet'].ticket_url == f'{page_server}/programm.html'  # no offer URL: the page
    for bad, expected in [
        ([f'{page_server}/missing.html', *args], 'import-jsonld: http://127.0.0.1:'),
        ([str(tmp_path / 'nope.html'), *args], 'import-jsonld: no such file: '),
        ([f'{page_server}/programm.html', '--city', 'Leipzig'], "import-jsonld: unknown city 'Leipzig'"),
        ([f'{page_server}/programm.html', '--city', 'Berlin', '--category', 'opera'], 'python -m services.catalog'),
    ]:
        assert cli.main(['import-jsonld', *bad]) == 2
        err = capsys.readouterr().err
        assert err.startswith(expected) and err.count('\n') == 1, err


def test_any_failure_of_one_event_is_its_skip(session: Session, tmp_path: Path) -> None:
    odd = [
        {'@type': 'MusicEvent', 'name': 'Year 9999', 'startDate': '9999-12-31', 'endDate': '9999-12-31'},
        {'@type': 'MusicEvent', 'name': 'Listed location', 'startDate': '2025-12-06T20:00', 'location': [None, 7]},
        {'@type': 'MusicEvent', 'name': ['A', 'list'], 'startDate': ['2025-12-07T20:00'], 'location': 'Club X'},
    ]
    report = run_import(write(tmp_path, page(*odd, CONCERT, broken=False)))
    assert report.skipped[0].startswith('Year 9999: ')
    assert report.created == 3 and len(report.skipped) == 1
