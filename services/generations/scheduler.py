"""In-process periodic jobs (APScheduler 3, AsyncIOScheduler): recovery sweep and TTL cleanup.

Started from the app's start-up hook, inside the running event loop.
"""

import asyncio
import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from services import clock, metrics
from services.catalog import demo, sources
from services.database import in_db
from services.generations import store
from services.generations.service import get_runner
from settings import settings

log = logging.getLogger(__name__)

CLEANUP_INTERVAL_S = 600
SOURCES_CHECK_INTERVAL_S = 300  # each source's own interval_hours decides when it runs
DEMO_REFRESH_INTERVAL_S = 6 * 3600  # several times a day: a restart-free server still rolls over at midnight

_scheduler: AsyncIOScheduler | None = None


async def recovery_sweep() -> None:
    await get_runner().recover()
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
        counts.update(vars(await in_db(demo.refresh_demo_catalog, now=clock.now())))


async def refresh_sources() -> None:
    """Imports the real event sources whose interval has passed; each run is recorded (services.catalog.sources)."""
    await asyncio.to_thread(sources.run_due_sources, now=clock.now())  # own transactions; network off the loop


def start_scheduler() -> AsyncIOScheduler:
    global _scheduler
    scheduler = AsyncIOScheduler(timezone='UTC')
    jobs = [
        ('recovery-sweep', recovery_sweep, settings.recovery_interval_s),
        ('ttl-cleanup', cleanup_expired, CLEANUP_INTERVAL_S),
        *([('demo-refresh', refresh_demo_catalog, DEMO_REFRESH_INTERVAL_S)] if settings.demo_catalog else []),
        *([('source-refresh', refresh_sources, SOURCES_CHECK_INTERVAL_S)] if settings.sources_file else []),
    ]
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
