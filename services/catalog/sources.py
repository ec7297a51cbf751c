"""Scheduled refresh of real event sources listed in a TOML file (setting SOURCES_FILE).

    [[source]]
    name = "kesselhaus"               # unique; names the runs
    kind = "ics"                      # ics | jsonld | ticketmaster
    location = "https://kesselhaus.example/programm.ics"   # file or URL (not used by ticketmaster)
    city = "Berlin"
    timezone = "Europe/Berlin"        # only needed to create the city
    interval_hours = 6                # default 6
    days = 60                         # horizon for ics and ticketmaster, default 60 / 30
    fill = false                      # may fill the empty fields of another source's event it lists too

`run_due_sources` imports each source whose last run is older than its interval, each in its own
transaction (a failing source changes nothing and does not stop the others), and records every run
(time, counts, error) as a `SourceRun`; `python -m services.catalog sources` lists the last of each.
"""

import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from models.catalog import SourceRun
from models.db import session_scope
from services import metrics
from services.catalog.ics import import_ics
from services.catalog.importing import ImportFailure, ImportReport
from services.catalog.jsonld import import_jsonld
from services.catalog.ticketmaster import import_ticketmaster
from settings import settings

KINDS = ('ics', 'jsonld', 'ticketmaster')
REPORT_CHARS = 20_000  # of a run's skip, cap, flag and note lines kept with the run


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    city: str
    location: str = ''  # a file or URL; ticketmaster needs none
    timezone: str | None = None
    interval_hours: float = 6
    days: int | None = None
    fill: bool = False  # trusted to fill gaps of events another source stored first (never demo events)


def load_sources(path: Path | None = None) -> list[Source]:
    """The configured sources (none without a file); ImportFailure names the first thing wrong."""
    path = path or settings.sources_file
    if path is None:
        return []
    try:
        data = tomllib.loads(Path(path).read_text(encoding='utf-8'))
    except FileNotFoundError:
        raise ImportFailure(f'no such sources file: {path}') from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ImportFailure(f'cannot read sources file {path}: {error}') from None
    sources = [_source(entry, number) for number, entry in enumerate(data.get('source', []), start=1)]
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        raise ImportFailure(f'{path}: source names must be unique')
    return sources


def _source(entry: object, number: int) -> Source:
    if not isinstance(entry, dict):
        raise ImportFailure(f'source #{number}: not a table')
    try:
        source = Source(**entry)
    except TypeError as error:
        raise ImportFailure(f'source #{number}: {error}') from None
    if source.kind not in KINDS:
        raise ImportFailure(f'source {source.name!r}: kind must be one of {", ".join(KINDS)}')
    if source.kind != 'ticketmaster' and not source.location:
        raise ImportFailure(f'source {source.name!r}: location (a file or URL) is required')
    if not source.city or not source.name or source.interval_hours <= 0:
        raise ImportFailure(f'source #{number}: name, city and a positive interval_hours are required')
    return source


def run_source(source: Source, *, session: Session, now: datetime) -> ImportReport:
    """One import of `source` in the caller's transaction."""
    common = {
        'session': session, 'city_name': source.city, 'timezone': source.timezone, 'now': now, 'fill': source.fill,
    }  # fmt: skip
    if source.kind == 'ics':
        return import_ics(source=source.location, horizon_days=source.days or 60, **common)
    if source.kind == 'jsonld':
        return import_jsonld(source=source.location, **common)
    return import_ticketmaster(days=source.days or 30, **common)


def run_due_sources(*, now: datetime, path: Path | None = None) -> list[SourceRun]:
    """Imports every source whose interval has passed since its last run; returns the runs recorded."""
    sources = load_sources(path)
    with session_scope() as session:
        last = last_runs(session=session)
    runs = []
    for source in sources:
        previous = last.get(source.name)
        if previous is None or previous.started_at + timedelta(hours=source.interval_hours) <= now:
            runs.append(run_and_record(source, now))
    return runs


def run_and_record(source: Source, now: datetime) -> SourceRun:
    report, error = None, ''
    try:
        with session_scope() as session:
            report = run_source(source, session=session, now=now)
    except ImportFailure as failure:
        error = str(failure)
    except Exception as failure:  # a scheduled job must record any failure and carry on with the others
        error = f'{type(failure).__name__}: {failure}'.splitlines()[0][:300]
    run = SourceRun(name=source.name, kind=source.kind, started_at=now, finished_at=now, error=error)
    if report is not None:
        run.created, run.updated, run.unchanged = report.created, report.updated + report.linked, report.unchanged
        run.withdrawn, run.skipped = report.withdrawn, len(report.skipped)
        run.report = '\n'.join(line.strip() for line in report.lines('')[1:])[:REPORT_CHARS]
    with session_scope() as session:
        session.add(run)
        session.flush()
        session.expunge(run)
    counts = {'created': run.created, 'updated': run.updated, 'withdrawn': run.withdrawn, 'skipped': run.skipped}
    metrics.record_source_run(source=source.name, ok=not run.error, **counts)
    return run


def last_runs(*, session: Session) -> dict[str, SourceRun]:
    """The latest run of each source name."""
    latest = select(SourceRun.name, func.max(SourceRun.id)).group_by(SourceRun.name).subquery()
    rows = session.exec(select(SourceRun).join(latest, SourceRun.id == latest.c[1])).all()
    return {run.name: run for run in rows}


def describe(run: SourceRun) -> str:
    """One line for the run, then each skip (with its reason), cap, flag and note it reported, indented."""
    outcome = f'error: {run.error}' if run.error else (
        f'{run.created} new, {run.updated} updated, {run.unchanged} unchanged, {run.withdrawn} withdrawn, '
        f'{run.skipped} skipped'
    )  # fmt: skip
    lines = [f'{run.name} ({run.kind}) at {run.started_at:%Y-%m-%d %H:%M} UTC: {outcome}']
    return '\n'.join(lines + [f'  {line}' for line in run.report.splitlines() if line])
