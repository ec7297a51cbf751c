"""One store for every source: the same event from two sources kept once; scheduled sources and their runs."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from models.catalog import Event, EventLink, SourceRun, Venue
from services import clock
from services.catalog import cli, sources
from services.catalog.importing import ImportFailure
from services.catalog.store import title_similarity
from settings import settings
from tests.unit.test_ics_import import calendar, event
from tests.unit.test_ics_import import run_import as run_ics
from tests.unit.test_jsonld_import import page
from tests.unit.test_jsonld_import import run_import as run_jsonld

NOW = datetime(2025, 12, 3, 11, 0, tzinfo=UTC)
FEED = calendar(event('nils@kessel', '20251205T200000', 'Nils Frahm', LOCATION='Kesselhaus Ost\\, Berlin'))
LISTING = {
    '@type': 'MusicEvent',
    'name': 'NILS FRAHM',
    'startDate': '2025-12-05T20:00:00+01:00',
    'location': {'@type': 'Place', 'name': 'Kesselhaus  Ost', 'geo': {'latitude': 52.5, 'longitude': 13.47}},
    'image': 'https://kessel.example/nils.jpg',
    'offers': {'@type': 'Offer', 'price': '38', 'priceCurrency': 'EUR', 'url': 'https://tix.example/nils'},
}


def rows(session: Session) -> list[Event]:
    session.expire_all()
    return list(session.exec(select(Event)).all())


def test_title_similarity() -> None:
    assert title_similarity('Nils Frahm', 'NILS FRAHM!') == 1.0
    assert title_similarity('Nils Frahm', 'Nils Frahm live') >= 0.8
    assert title_similarity('Nils Frahm', 'Nils Petter Molvær') < 0.8
    assert title_similarity('', 'x') == 0.0


def test_the_same_event_from_two_sources_is_kept_once(session: Session, tmp_path: Path) -> None:
    (tmp_path / 'feed.ics').write_text(FEED)
    (tmp_path / 'page.html').write_text(page(LISTING, broken=False))
    run_ics(str(tmp_path / 'feed.ics'))
    report = run_jsonld(str(tmp_path / 'page.html'), fill=True)
    assert (report.created, report.linked) == (0, 1)
    [only] = rows(session)
    assert only.source == 'ics' and only.title == 'Nils Frahm'
    # The second source fills what the first left empty, and gives the venue its position.
    assert (only.image_url, only.price_min) == ('https://kessel.example/nils.jpg', 38.0)
    assert only.ticket_url == 'https://tix.example/nils'
    venue = session.get(Venue, only.venue_id)
    assert (venue.lat, venue.lon) == (52.5, 13.47) and len(session.exec(select(Venue)).all()) == 1
    [link] = session.exec(select(EventLink)).all()
    assert (link.event_id, link.source, link.url) == (only.id, 'jsonld', 'https://tix.example/nils')
    again = run_jsonld(str(tmp_path / 'page.html'), fill=True)
    assert (again.created, again.linked, again.unchanged) == (0, 0, 1) and len(rows(session)) == 1
    assert len(session.exec(select(EventLink)).all()) == 1


@pytest.mark.parametrize(
    'change',
    [
        {'name': 'Nils Petter Molvær'},  # another title
        {'startDate': '2025-12-05T21:00:00+01:00'},  # another start
        {'location': {'@type': 'Place', 'name': 'Columbiahalle'}},  # another venue
    ],
)
def test_different_events_are_not_merged(session: Session, tmp_path: Path, change: dict) -> None:
    (tmp_path / 'feed.ics').write_text(FEED)
    (tmp_path / 'page.html').write_text(page(LISTING | change, broken=False))
    run_ics(str(tmp_path / 'feed.ics'))
    report = run_jsonld(str(tmp_path / 'page.html'))
    assert (report.created, report.linked) == (1, 0) and len(rows(session)) == 2


def sources_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / 'sources.toml'
    path.write_text(body)
    return path


def test_due_sources_run_and_record(session: Session, tmp_path: Path, monkeypatch, capsys) -> None:
    (tmp_path / 'feed.ics').write_text(FEED)
    path = sources_file(
        tmp_path,
        f"""
[[source]]
name = "kessel-ics"
kind = "ics"
location = "{tmp_path / 'feed.ics'}"
city = "Berlin"
timezone = "Europe/Berlin"
interval_hours = 6

[[source]]
name = "broken-page"
kind = "jsonld"
location = "{tmp_path / 'missing.html'}"
city = "Berlin"
timezone = "Europe/Berlin"
""",
    )
    monkeypatch.setattr(settings, 'sources_file', path)
    first = sources.run_due_sources(now=NOW)
    assert [(r.name, r.created, r.error) for r in first] == [
        ('kessel-ics', 1, ''),
        ('broken-page', 0, f'no such file: {tmp_path / "missing.html"}'),
    ]
    assert sources.run_due_sources(now=NOW + timedelta(hours=5)) == []  # not due yet
    later = sources.run_due_sources(now=NOW + timedelta(hours=6))
    assert [(r.name, r.unchanged) for r in later] == [('kessel-ics', 1), ('broken-page', 0)]
    assert len(session.exec(select(SourceRun)).all()) == 4 and len(rows(session)) == 1
    monkeypatch.setattr(clock, 'now', lambda: NOW)
    assert cli.main(['sources']) == 0
    assert capsys.readouterr().out.splitlines() == [
        'kessel-ics (ics) at 2025-12-03 17:00 UTC: 0 new, 0 updated, 1 unchanged, 0 withdrawn, 0 skipped',
        f'broken-page (jsonld) at 2025-12-03 17:00 UTC: error: no such file: {tmp_path / "missing.html"}',
    ]


@pytest.mark.parametrize(
    ('body', 'message'),
    [
        ('[[source]\nname=', 'cannot read sources file'),
        ('[[source]]\nname = "x"\nkind = "rss"\nlocation = "a"\ncity = "B"', 'kind must be one of'),
        ('[[source]]\nname = "x"\nkind = "ics"\ncity = "B"', 'location (a file or URL) is required'),
        ('[[source]]\nname = "x"\nkind = "ics"\nlocation = "a"\ncity = "B"\ncolour = 1', 'unexpected keyword'),
    ],
)
def test_a_bad_sources_file_is_one_line(tmp_path: Path, monkeypatch, capsys, body: str, message: str) -> None:
    monkeypatch.setattr(settings, 'sources_file', sources_file(tmp_path, body))
    with pytest.raises(ImportFailure, match=message.replace('(', r'\(').replace(')', r'\)')):
        sources.load_sources()
    assert cli.main(['sources', '--run']) == 2
    err = capsys.readouterr().err
    assert err.startswith('sources: ') and err.count('\n') == 1


def test_a_run_records_each_skip_with_its_reason_and_a_source_marked_to_fill_fills(
    session: Session, tmp_path: Path, monkeypatch, capsys
) -> None:
    from tests.feeds import FEEDS

    (tmp_path / 'feed.ics').write_text(FEED)
    (tmp_path / 'page.html').write_text(page(LISTING, broken=False))
    path = sources_file(
        tmp_path,
        f"""
[[source]]
name = "kessel-ics"
kind = "ics"
location = "{tmp_path / 'feed.ics'}"
city = "Berlin"
timezone = "Europe/Berlin"

[[source]]
name = "kessel-page"
kind = "jsonld"
location = "{tmp_path / 'page.html'}"
city = "Berlin"
fill = true

[[source]]
name = "placeholder"
kind = "ics"
location = "{FEEDS / 'no-uid-no-start.ics'}"
city = "Berlin"
""",
    )
    monkeypatch.setattr(settings, 'sources_file', path)
    runs = {r.name: r for r in sources.run_due_sources(now=NOW)}
    [only] = [e for e in rows(session) if e.title == 'Nils Frahm']
    assert (only.image_url, only.price_min) == ('https://kessel.example/nils.jpg', 38.0)  # filled: marked to
    assert runs['placeholder'].report.splitlines()[0] == (
        'skipped Placeholder with neither UID nor start: no start (DTSTART)'
    )
    monkeypatch.setattr(clock, 'now', lambda: NOW)
    assert cli.main(['sources']) == 0
    assert '  skipped Placeholder with neither UID nor start: no start (DTSTART)' in capsys.readouterr().out
