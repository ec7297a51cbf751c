"""Periodic jobs (APScheduler 3, AsyncIOScheduler): recovery sweep, TTL cleanup, demo and source imports.

Started inside a running event loop: the web process's start-up hook (app.py) and each worker process
(services.worker) start one, each with the jobs of its role (docs/ARCHITECTURE.md, roles). The source
imports never run in the process that calls them: each is a child process with a time and memory budget
(services.worker.imports).
"""

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from services import clock, metrics
from services.catalog import demo
from services.database import in_db
from services.generations import runner, store
from services.generations.service import get_runner, is_running
from services.worker import imports
from settings import settings

log = logging.getLogger(__name__)

CLEANUP_INTERVAL_S = 600
SOURCES_CHECK_INTERVAL_S = 300  # each source's own interval_hours decides when it runs
DEMO_REFRESH_INTERVAL_S = 6 * 3600  # several times a day: a restart-free server still rolls over at midnight

_scheduler: AsyncIOScheduler | None = None


async def recovery_sweep() -> None:
    """Fails rows that may not be retried; a process that plans also resumes the others (its runner)."""
    if is_running():
        await get_runner().recover()
    else:
        await runner.fail_abandoned()
    metrics.mark_job_success('recovery_sweep')


async def cleanup_expired() -> int:
    deleted = await in_db(store.delete_expired, now=clock.now())
    if deleted:
        log.info('deleted %d expired generations', deleted)
    metrics.mark_job_success('ttl_cleanup')
    return deleted


async def refresh_demo_catalog() -> None:
    """Rolls the demo programme forward a day, so "this weekend" always has events."""
    with metrics.source_run('demo') as counts:
        counts.update(vars(await in_db(demo.refresh_if_stale, now=clock.now())))


async def refresh_sources() -> None:
    """Imports the real event sources whose interval has passed, in a budgeted child process."""
    for run in await imports.run_due_sources_budgeted():
        metrics.record_source_run(source=run.name, ok=not run.error, **run.counts())


def start_scheduler(*, maintenance: bool = True, imports_here: bool = True) -> AsyncIOScheduler:
    """`maintenance`: the TTL cleanup (the web process's job); `imports_here`: the demo and source refreshes.

    The recovery sweep runs everywhere: where planning happens it resumes work, elsewhere it only fails
    rows that may not be retried, so /metrics of every process shows it alive.
    """
    global _scheduler
    scheduler = AsyncIOScheduler(timezone='UTC')
    wanted = {
        'recovery-sweep': True,
        'ttl-cleanup': maintenance,
        'demo-refresh': imports_here and settings.demo_catalog,
        'source-refresh': imports_here and bool(settings.sources_file),
    }
    every = {
        'recovery-sweep': (recovery_sweep, settings.recovery_interval_s),
        'ttl-cleanup': (cleanup_expired, CLEANUP_INTERVAL_S),
        'demo-refresh': (refresh_demo_catalog, DEMO_REFRESH_INTERVAL_S),
        'source-refresh': (refresh_sources, SOURCES_CHECK_INTERVAL_S),
    }
    jobs = [(job_id, *every[job_id]) for job_id, wanted_here in wanted.items() if wanted_here]
    for job_id, function, seconds in jobs:
        # coalesce + one instance: a slow run is never stacked with the next one.
        scheduler.add_job(
            function, 'interval', seconds=seconds, id=job_id, replace_existing=True, coalesce=True, max_instances=1
        )
    scheduler.start()
    _scheduler = scheduler
    return scheduler


def stop_scheduler() -> None:
    global _scheduler
    if _scheduler is not None:
        _scheduler.shutdown(wait=False)
        _scheduler = None
