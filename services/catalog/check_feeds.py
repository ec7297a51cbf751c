"""`python -m services.catalog check-feeds DIR`: imports every feed file of a folder and tells how it went.

Each file (`.ics` -> iCalendar, `.html` -> schema.org page, `.json` -> recorded Ticketmaster Discovery API
answers: one page or a list of pages) is imported on its own into a scratch SQLite database (never the
app's), with the clock at noon UTC the day before the file's first event, so every event is still to come.
The city comes from `feeds.toml` in the folder (`[defaults]` and `[file."name"]`, each with `city` and
`timezone`), else Berlin. Per file it tells: events imported, events skipped (each reason), refused (the
one-line reason), crashed (an exception the importer did not turn into a skip or a refusal: a bug), and
positions: how many stored events the file gave a venue position, and how many of those lost it (stored
without one, not flagged).
"""

import json
import re
import tempfile
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from models.catalog import Event, Venue
from models.db import build_engine
from models.schema import create_db_and_tables
from services import clock
from services.catalog.ics import import_ics
from services.catalog.ics_text import split_feed
from services.catalog.importing import ImportFailure, ImportReport
from services.catalog.jsonld import import_jsonld
from services.catalog.jsonld_read import is_event, page_items
from services.catalog.jsonld_values import as_list, text
from services.catalog.ticketmaster import store_items

KINDS = {'.ics': 'ics', '.ical': 'ics', '.html': 'jsonld', '.htm': 'jsonld', '.json': 'ticketmaster'}
HORIZON_DAYS = 366
_STARTS = re.compile(
    r'"startDate"\s*:\s*"(\d{4})-(\d{2})-(\d{2})|startDate"[^>]*?(?:content|datetime)="(\d{4})-(\d{2})-(\d{2})'
    r'|"localDate"\s*:\s*"(\d{4})-(\d{2})-(\d{2})'
)
_ICS_START = re.compile(r'^DTSTART(?:;[^\r\n]*)?:(\d{4})(\d{2})(\d{2})', re.M)


@dataclass
class FileResult:
    name: str
    kind: str
    clock: datetime | None = None
    imported: int = 0
    skipped: list[str] = field(default_factory=list)
    refused: str = ''
    crashed: str = ''
    positions: int = 0  # stored events whose listing gave a venue position
    lost: int = 0  # of those, stored without one and not flagged
    capped: int = 0
    flagged: int = 0


def check_folder(folder: Path) -> list[FileResult]:
    """Every feed file of `folder`, imported on its own into a fresh scratch database."""
    places = _places(folder)
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in KINDS)
    with tempfile.TemporaryDirectory(prefix='check-feeds-') as scratch:
        return [_check_file(path, places.get(path.name, places['']), Path(scratch)) for path in files]


def _places(folder: Path) -> dict[str, tuple[str, str]]:
    manifest = folder / 'feeds.toml'
    data = tomllib.loads(manifest.read_text(encoding='utf-8')) if manifest.exists() else {}
    default = data.get('defaults', {})
    places = {'': (default.get('city', 'Berlin'), default.get('timezone', 'Europe/Berlin'))}
    for name, entry in data.get('file', {}).items():
        places[name] = (entry.get('city', places[''][0]), entry.get('timezone', places[''][1]))
    return places


def _check_file(path: Path, place: tuple[str, str], scratch: Path) -> FileResult:
    kind = KINDS[path.suffix.lower()]
    result = FileResult(name=path.name, kind=kind)
    raw = path.read_bytes()
    first = first_event_day(raw, ics=kind == 'ics')
    result.clock = datetime.combine(first - timedelta(days=1), time(12), UTC) if first else None
    engine = build_engine(f'sqlite:///{scratch / (path.stem + ".db")}')
    create_db_and_tables(engine)
    try:
        with Session(engine) as session:
            report = _import(session, kind, path, raw, place, result.clock or clock.now())
            session.commit()
            _count(session, result, report, _titles_with_positions(kind, raw))
    except ImportFailure as error:
        result.refused = str(error)
    except Exception as error:  # the point of this tool: any exception is counted as a crash, with its name
        result.crashed = f'{type(error).__name__}: {str(error).splitlines()[0][:160] if str(error) else ""}'
    finally:
        engine.dispose()
    return result


def _import(session: Session, kind: str, path: Path, raw: bytes, place: tuple[str, str], now: datetime) -> ImportReport:
    city, zone = place
    common = {'session': session, 'city_name': city, 'timezone': zone, 'now': now}
    if kind == 'ics':
        return import_ics(source=str(path), horizon_days=HORIZON_DAYS, **common)
    if kind == 'jsonld':
        return import_jsonld(source=str(path), **common)
    try:
        pages = json.loads(raw)
    except ValueError:
        raise ImportFailure('not JSON') from None
    items = [e for page in as_list(pages) if isinstance(page, dict) for e in _page_events(page)]
    end = now + timedelta(days=HORIZON_DAYS)
    return store_items(currency='EUR', items=items, complete=True, end=end, **common)


def _page_events(page: dict) -> list[dict]:
    return [e for e in (page.get('_embedded') or {}).get('events', []) if isinstance(e, dict)]


def first_event_day(raw: bytes, *, ics: bool = False) -> date | None:
    """The earliest start date written in the file: a VEVENT's DTSTART, a schema.org startDate, a localDate."""
    days = []
    texts = split_feed(raw).events if ics else [raw.decode('utf-8', errors='replace')]
    for match in (m for t in texts for m in (_ICS_START if ics else _STARTS).finditer(t)):
        year, month, day = [g for g in match.groups() if g][:3]
        try:
            days.append(date(int(year), int(month), int(day)))
        except ValueError:
            continue
    return min(days) if days else None


def _titles_with_positions(kind: str, raw: bytes) -> set[str]:
    """Titles of the file's events that carry a venue position, read independently of the importers."""
    if kind == 'ics':
        titles = set()
        for text_ in split_feed(raw).events:
            lines = text_.split('\r\n')
            if any(re.match(r'GEO[;:].*-?\d+(\.\d+)?\s*;\s*-?\d', line) for line in lines):
                summary = next((line.partition(':')[2] for line in lines if line.startswith('SUMMARY')), '')
                titles.add(summary.strip())
        return titles
    if kind == 'jsonld':
        items, _ = page_items(raw, '')
        return {text(i.get('name')) for i in items if is_event(i) and _has_geo(i.get('location'))}
    pages = json.loads(raw)
    return {
        text(e.get('name'))
        for page in as_list(pages)
        if isinstance(page, dict)
        for e in _page_events(page)
        if any(v.get('location') for v in (e.get('_embedded') or {}).get('venues', []) if isinstance(v, dict))
    }


def _has_geo(location: object) -> bool:
    return any(isinstance(p, dict) and isinstance(p.get('geo'), dict) for p in as_list(location))


def _count(session: Session, result: FileResult, report: ImportReport, titles: set[str]) -> None:
    result.imported = report.created + report.updated + report.unchanged + report.linked
    result.skipped, result.capped, result.flagged = report.skipped, len(report.capped), len(report.flagged)
    rows = session.exec(select(Event, Venue).join(Venue, col(Venue.id) == col(Event.venue_id))).all()
    given = [(event, venue) for event, venue in rows if event.title in titles]
    result.positions = len(given)
    flagged = ' '.join(report.flagged)
    result.lost = sum(1 for event, venue in given if venue.lat is None and event.title not in flagged)


def table(results: list[FileResult]) -> str:
    """The results as a plain-text table, then the totals and every skip and refusal reason."""
    head = f'{"file":34} {"kind":12} {"clock (UTC)":16} {"imported":>8} {"skipped":>7} {"refused":>7} {"crashed":>7} '
    head += f'{"positions":>9} {"lost":>4} {"capped":>6} {"flagged":>7}'
    lines = [head, '-' * len(head)]
    for r in results:
        clock = f'{r.clock:%Y-%m-%d %H:%M}' if r.clock else '-'
        lines.append(
            f'{r.name[:34]:34} {r.kind:12} {clock:16} {r.imported:>8} {len(r.skipped):>7} {int(bool(r.refused)):>7} '
            f'{int(bool(r.crashed)):>7} {r.positions:>9} {r.lost:>4} {r.capped:>6} {r.flagged:>7}'
        )
    lines.append('-' * len(head))
    lines.append(
        f'{len(results)} files: {sum(r.imported for r in results)} events imported, '
        f'{sum(len(r.skipped) for r in results)} skipped, {sum(bool(r.refused) for r in results)} refused, '
        f'{sum(bool(r.crashed) for r in results)} crashed, {sum(r.lost for r in results)} of '
        f'{sum(r.positions for r in results)} positions lost'
    )
    for r in results:
        lines += [f'{r.name}: skipped {reason}' for reason in r.skipped]
        lines += [f'{r.name}: refused: {r.refused}'] if r.refused else []
        lines += [f'{r.name}: CRASHED: {r.crashed}'] if r.crashed else []
    return '\n'.join(lines)
