"""Scheduled source imports, each in a child process with a time and a memory budget.

An import parses whole feeds (a 20-day minutely RRULE feed took 22 s and 324 MB), so it never runs in a
process that serves pages or plans: the scheduler (services.generations.scheduler) calls
`run_due_sources_budgeted`, which starts `python -m services.worker.imports NAME NOW` once per due source.
The child caps its own address space (IMPORT_MEMORY_MB; a MemoryError is recorded as that source's
failure) and is killed past IMPORT_TIMEOUT_S; a child that ends without its result gets a failed run
recorded for it, so the source waits its interval and its alert fires instead of it being retried at once.
"""

import asyncio
import json
import logging
import os
import sys
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from models.catalog import SourceRun
from services import clock
from services.database import in_db, writes
from settings import settings

log = logging.getLogger(__name__)

RESULT_PREFIX = 'IMPORT-RESULT '


@dataclass(frozen=True)
class ImportRun:
    """What the parent learns of one source's run (the `SourceRun` row is written by whoever ran it)."""

    name: str
    error: str = ''
    created: int = 0
    updated: int = 0
    withdrawn: int = 0
    skipped: int = 0
    pid: int = 0  # the child process that ran it

    def counts(self) -> dict[str, int]:
        return {'created': self.created, 'updated': self.updated, 'withdrawn': self.withdrawn, 'skipped': self.skipped}


async def run_due_sources_budgeted(*, now: datetime | None = None) -> list[ImportRun]:
    """Imports each source whose interval has passed, one child process after the other."""
    now = now or clock.now()
    due = await in_db(_due_sources, now=now)
    return [await _run_in_child(name, kind, now) for name, kind in due]


def _due_sources(*, session: Session, now: datetime) -> list[tuple[str, str]]:
    from services.catalog import sources  # the importers are the child's business: keep them out of here

    last = sources.last_runs(session=session)
    due = []
    for source in sources.load_sources():
        previous = last.get(source.name)
        if previous is None or previous.started_at + timedelta(hours=source.interval_hours) <= now:
            due.append((source.name, source.kind))
    return due


async def _run_in_child(name: str, kind: str, now: datetime) -> ImportRun:
    env = {
        **os.environ,
        # The settings this process runs with (tests change them in place), not only its environment's.
        'DATABASE_URL': settings.database_url,
        'DATA_DIR': str(settings.data_dir),
        'SOURCES_FILE': str(settings.sources_file or ''),
        'IMPORT_MEMORY_MB': str(settings.import_memory_mb),
        # What one import may read and fetch (services.catalog): the child imports under the same rules.
        'IMPORT_MAX_OCCURRENCES': str(settings.import_max_occurrences),
        'IMPORT_MAX_EVENTS': str(settings.import_max_events),
        'IMPORT_TIME_BUDGET_S': str(settings.import_time_budget_s),
        'IMPORT_ALLOW_PRIVATE': str(settings.import_allow_private).lower(),
    }
    child = await asyncio.create_subprocess_exec(
        sys.executable, '-m', 'services.worker.imports', name, now.isoformat(), stdout=asyncio.subprocess.PIPE, env=env
    )
    try:
        output, _ = await asyncio.wait_for(child.communicate(), timeout=settings.import_timeout_s)
    except TimeoutError:
        child.kill()
        await child.wait()
        problem = f'stopped after {settings.import_timeout_s:g} s (IMPORT_TIMEOUT_S)'
        return await _record_stopped(name, kind, now, problem, child.pid)
    for line in output.decode(errors='replace').splitlines():
        if line.startswith(RESULT_PREFIX):
            return ImportRun(**{**json.loads(line.removeprefix(RESULT_PREFIX)), 'pid': child.pid})
    problem = f'the import process ended with code {child.returncode} (memory budget {settings.import_memory_mb} MB)'
    return await _record_stopped(name, kind, now, problem, child.pid)


async def _record_stopped(name: str, kind: str, now: datetime, problem: str, pid: int) -> ImportRun:
    log.error('source %s: %s', name, problem)
    await in_db(_add_failed_run, name=name, kind=kind, now=now, error=problem)
    return ImportRun(name=name, error=problem, pid=pid)


@writes
def _add_failed_run(*, session: Session, name: str, kind: str, now: datetime, error: str) -> None:
    session.add(SourceRun(name=name, kind=kind, started_at=now, finished_at=clock.now(), error=error))


def _limit_memory(megabytes: int) -> None:
    import resource

    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main(argv: list[str]) -> int:
    """The child: imports one source and prints its result on one line."""
    _limit_memory(settings.import_memory_mb)
    logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(name)s: %(message)s')
    from services.catalog import sources

    name, now = argv[0], datetime.fromisoformat(argv[1])
    source = next((s for s in sources.load_sources() if s.name == name), None)
    if source is None:
        print(f'no source named {name!r} in SOURCES_FILE', file=sys.stderr)
        return 2
    run = sources.run_and_record(source, now)
    result = ImportRun(
        name=run.name,
        error=run.error,
        created=run.created,
        updated=run.updated,
        withdrawn=run.withdrawn,
        skipped=run.skipped,
        pid=os.getpid(),
    )
    print(RESULT_PREFIX + json.dumps(asdict(result)), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
