"""One worker process: its own event loop, database engine and runner; it plans, it serves no pages.

A worker polls for generations nobody holds (new ones and ones left by a crashed process) every
WORKER_POLL_INTERVAL_S while it has free slots, claims them by the leases (services.generations.store),
plans with whatever `planner_for` returns and writes progress and bundles through the store, exactly as
the in-process runner does. SIGTERM stops it cleanly: its leases are released, so the work resumes at once
elsewhere. A child of the web process (`ROLE=all`) dies with it, so none is orphaned.
"""

import asyncio
import logging
import os
import signal
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from models.schema import create_db_and_tables
from services import heap
from services.generations import scheduler, service
from services.generations.runner import PlannerFactory, Runner
from services.planners import registry
from services.worker import health, relay
from settings import settings

log = logging.getLogger(__name__)

LOG_FORMAT = '%(asctime)s %(levelname)s %(processName)s[%(process)d] %(name)s: %(message)s'


async def serve(
    *,
    planner_for: PlannerFactory,
    max_concurrent: int,
    imports_here: bool,
    health_address: tuple[str, int] | None = None,
    parent_alive: Callable[[], bool] | None = None,
    metrics_outbox: Any = None,
) -> None:
    """Plans until SIGTERM (or until `parent_alive()` turns false), then releases what it holds."""
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        if signal.getsignal(signum) is not signal.SIG_IGN:  # a planner child leaves Ctrl-C to its parent
            asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    registry.start_planner(settings.resolved_planner())
    runner = service.start_runner(
        planner_for=planner_for, max_concurrent=max_concurrent, lease_seconds=settings.lease_seconds, polling=True
    )
    scheduler.start_scheduler(maintenance=False, imports_here=imports_here)
    server = None
    if health_address is not None:
        server = await health.start(host=health_address[0], port=health_address[1], runner=runner)
    sender = relay.Sender(metrics_outbox) if metrics_outbox is not None else None
    sending = asyncio.create_task(sender.run()) if sender is not None else None
    heap.settle()  # what start-up loaded stays out of the collector's full passes, which stall a plan
    log.info('worker %s started: up to %d generations at once', runner.owner, max_concurrent)
    try:
        await _poll(runner, stop, parent_alive)
    finally:
        scheduler.stop_scheduler()
        if sending is not None:
            sending.cancel()
        if server is not None:
            server.close()
        await service.stop_runner()
        await registry.stop_planner(settings.resolved_planner())
        if sender is not None:
            sender.flush()  # what the last runs counted, before the web process stops listening
        log.info('worker %s stopped', runner.owner)


async def _poll(runner: Runner, stop: asyncio.Event, parent_alive: Callable[[], bool] | None) -> None:
    while not stop.is_set():
        if parent_alive is not None and not parent_alive():
            log.warning('the web process is gone: stopping')
            return
        try:
            await runner.drop_lost()
            await runner.take_waiting()
        except SQLAlchemyError as error:  # a busy or restarting database: nothing is lost, look again soon
            log.warning('could not look for generations: %s', type(error).__name__)
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=settings.worker_poll_interval_s)


def configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    logging.getLogger('apscheduler').setLevel(logging.WARNING)  # one line per poll-sized job run is noise


def main() -> int:
    """`python -m services.worker` (ROLE=worker): migrates if needed, plans, answers /healthz on HOST:PORT."""
    os.nice(settings.planner_niceness)  # planning may wait a little, pages and API answers may not
    configure_logging()
    create_db_and_tables()  # one look at the schema version when the web process migrated first
    asyncio.run(
        serve(
            planner_for=registry.get_planner,
            max_concurrent=settings.max_concurrent_generations,
            imports_here=True,
            health_address=(settings.host, settings.port),
        )
    )
    return 0


def child_main(*, planner_for: PlannerFactory, max_concurrent: int, imports_here: bool, metrics_outbox: Any) -> None:
    """The target of the web process's planner processes (services.worker.pool, spawn context)."""
    import multiprocessing

    # Ctrl-C reaches the whole process group: the web process stops its children itself (SIGTERM), in order.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    os.nice(settings.planner_niceness)  # planning may wait a little, pages and API answers may not
    configure_logging()
    parent = multiprocessing.parent_process()
    asyncio.run(
        serve(
            planner_for=planner_for,
            max_concurrent=max_concurrent,
            imports_here=imports_here,
            parent_alive=parent.is_alive if parent is not None else None,
            metrics_outbox=metrics_outbox,
        )
    )


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent() -> None:
    """A web process killed outright takes its planner processes with it (Linux: the kernel sends SIGKILL),
    exactly as when planning ran inside it: their leases expire and the sweep resumes the work. Elsewhere
    the poll's look at the parent (`parent_alive`) stops them cleanly instead."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux
        return
