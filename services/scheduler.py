"""In-process periodic jobs (APScheduler 3, AsyncIOScheduler): recovery sweep and TTL cleanup.

Started from the app's start-up hook, inside the running event loop.
"""

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from services import clock, generations
from services.runner import get_runner, in_db
from settings import settings

log = logging.getLogger(__name__)

CLEANUP_INTERVAL_S = 600

_scheduler: AsyncIOScheduler | None = None


async def recovery_sweep() -> None:
    await get_runner().recover()


async def cleanup_expired() -> int:
    deleted = await in_db(generations.delete_expired, now=clock.now())
    if deleted:
        log.info('deleted %d expired generations', deleted)
    return deleted


def start_scheduler() -> AsyncIOScheduler:
    global _scheduler
    scheduler = AsyncIOScheduler(timezone='UTC')
    jobs = [
        ('recovery-sweep', recovery_sweep, settings.recovery_interval_s),
        ('ttl-cleanup', cleanup_expired, CLEANUP_INTERVAL_S),
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
