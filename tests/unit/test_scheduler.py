"""The scheduler's jobs: registered per role on start, the TTL job deletes only finished, expired rows, and
source imports run in child processes within their time and memory budget."""

import os
import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from models import db
from models.catalog import Event, SourceRun
from models.generation import Generation, Preferences
from services import clock
from services.generations import scheduler, store
from services.worker import imports
from settings import settings
from tests.factories import add_city
from tests.unit.test_catalog_sources import FEED, NOW, sources_file


async def test_jobs_are_registered_with_stable_ids() -> None:
    started = scheduler.start_scheduler()
    try:
        assert {job.id for job in started.get_jobs()} == {'recovery-sweep', 'ttl-cleanup', 'demo-refresh'}
    finally:
        scheduler.stop_scheduler()


@pytest.mark.parametrize(
    ('maintenance', 'imports_here', 'expected'),
    [
        (True, False, {'recovery-sweep', 'ttl-cleanup'}),  # a web process whose planning runs in workers
        (False, True, {'recovery-sweep', 'demo-refresh', 'source-refresh'}),  # a worker that imports
        (False, False, {'recovery-sweep'}),  # the other planner processes
    ],
)
async def test_each_role_gets_its_jobs(
    maintenance: bool, imports_here: bool, expected: set[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, 'sources_file', sources_file(tmp_path, ''))
    started = scheduler.start_scheduler(maintenance=maintenance, imports_here=imports_here)
    try:
        assert {job.id for job in started.get_jobs()} == expected
    finally:
        scheduler.stop_scheduler()


async def test_cleanup_job_keeps_running_rows(session: Session) -> None:
    add_city(session)
    prefs = Preferences(interests=['music'], timeframe='Next 7 days')
    now = clock.now()
    old = now - timedelta(hours=settings.generation_ttl_hours + 1)
    finished = store.create_generation(session=session, preferences=prefs, client_id='c', planner='offline', now=old)
    running = store.create_generation(session=session, preferences=prefs, client_id='c', planner='offline', now=old)
    store.claim(session=session, generation_id=finished.id, owner='me', now=old)
    store.fail(session=session, generation_id=finished.id, owner='me', error='x', now=old)
    store.claim(session=session, generation_id=running.id, owner='me', now=old)

    assert await scheduler.cleanup_expired() == 1
    with db.session_scope() as fresh:
        assert [(row.id, row.status) for row in fresh.exec(select(Generation))] == [(running.id, 'processing')]


def one_source(tmp_path: Path, location: str) -> Path:
    return sources_file(
        tmp_path,
        f"""
[[source]]
name = "kessel-ics"
kind = "ics"
location = "{location}"
city = "Berlin"
timezone = "Europe/Berlin"
""",
    )


def runs(session: Session) -> list[tuple[str, str]]:
    session.expire_all()
    return [(run.name, run.error) for run in session.exec(select(SourceRun))]


async def test_a_source_import_runs_in_a_child_process(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / 'feed.ics').write_text(FEED)
    monkeypatch.setattr(settings, 'sources_file', one_source(tmp_path, str(tmp_path / 'feed.ics')))
    [run] = await imports.run_due_sources_budgeted(now=NOW)
    assert (run.name, run.created, run.error) == ('kessel-ics', 1, '')
    assert run.pid not in (0, os.getpid())  # not this process: a child of it
    assert [e.title for e in session.exec(select(Event))] == ['Nils Frahm']
    assert runs(session) == [('kessel-ics', '')]
    assert await imports.run_due_sources_budgeted(now=NOW + timedelta(hours=1)) == []  # not due again yet


async def test_an_import_over_its_memory_budget_is_recorded_as_failed(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / 'feed.ics').write_text(FEED)
    monkeypatch.setattr(settings, 'sources_file', one_source(tmp_path, str(tmp_path / 'feed.ics')))
    monkeypatch.setattr(settings, 'import_memory_mb', 64)  # not even enough to load the importers
    [run] = await imports.run_due_sources_budgeted(now=NOW)
    assert 'memory budget 64 MB' in run.error
    assert runs(session) == [('kessel-ics', run.error)]
    assert session.exec(select(Event)).all() == []


@pytest.fixture
def silent_feed() -> Iterator[str]:
    """A feed URL on 127.0.0.1 whose server takes the connection and never answers."""
    with socket.socket() as listener:
        listener.bind(('127.0.0.1', 0))
        listener.listen()
        yield f'http://127.0.0.1:{listener.getsockname()[1]}/feed.ics'


async def test_an_import_over_its_time_budget_is_stopped_and_recorded(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, silent_feed: str
) -> None:
    monkeypatch.setattr(settings, 'sources_file', one_source(tmp_path, silent_feed))
    monkeypatch.setattr(settings, 'import_timeout_s', 3)
    monkeypatch.setattr(settings, 'import_allow_private', True)  # the feed is on 127.0.0.1 (the child gets it too)
    [run] = await imports.run_due_sources_budgeted(now=NOW)
    assert run.error == 'stopped after 3 s (IMPORT_TIMEOUT_S)'
    assert runs(session) == [('kessel-ics', run.error)]
    with pytest.raises(ProcessLookupError):
        os.kill(run.pid, 0)  # the child is gone
