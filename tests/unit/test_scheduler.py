"""The scheduler's jobs: registered on start, and the TTL job deletes only finished, expired rows."""

from datetime import timedelta

from sqlmodel import Session, select

from models import db
from models.generation import Generation, Preferences
from services import clock
from services.generations import scheduler, store
from settings import settings
from tests.factories import add_city


async def test_jobs_are_registered_with_stable_ids() -> None:
    started = scheduler.start_scheduler()
    try:
        assert {job.id for job in started.get_jobs()} == {'recovery-sweep', 'ttl-cleanup', 'demo-refresh'}
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
