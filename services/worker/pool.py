"""The web process's planner processes for `ROLE=all`: started, watched, restarted, stopped with it.

Each child is a worker (services.worker.process) started with the spawn context: a fresh interpreter
with its own event loop and database engine, sharing nothing with the web process but the database. The
first child also runs the scheduled imports. A child that dies (a crash, SIGKILL, the out-of-memory
killer) is started again, sooner the longer it had lived; its generations are resumed by the lease sweep.
Shutdown sends SIGTERM (the children release their leases), then SIGKILL to any still running. A
SIGKILLed web process takes its children with it (services.worker.process), so it leaves no orphans.
"""

import asyncio
import logging
import math
import multiprocessing
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.process import BaseProcess

from services.generations.runner import PlannerFactory
from services.worker import relay
from services.worker.process import child_main

log = logging.getLogger(__name__)

SUPERVISE_INTERVAL_S = 0.5
MAX_RESTART_DELAY_S = 30.0
STOP_TIMEOUT_S = 10.0


class WorkerPool:
    def __init__(self, *, processes: int, planner_for: PlannerFactory, max_concurrent: int) -> None:
        self._context = multiprocessing.get_context('spawn')
        self._planner_for = planner_for
        # MAX_CONCURRENT_GENERATIONS stays the limit of the whole instance, shared out over its processes.
        self.per_process = max(1, math.ceil(max_concurrent / processes))
        self._children: list[BaseProcess | None] = [None] * processes
        self._started_at = [0.0] * processes
        self._quick_deaths = [0] * processes
        self._stopping = False
        self._metrics = self._context.Queue()  # the children's metric changes (services.worker.relay)

    @property
    def pids(self) -> list[int]:
        return [child.pid for child in self._children if child is not None and child.pid is not None]

    def start(self) -> None:
        for index in range(len(self._children)):
            self._spawn(index)
        log.info('started %d planner processes (pids %s)', len(self._children), self.pids)

    async def supervise(self) -> None:
        """Runs for the life of the web process: starts a dead child again (after a delay if it keeps dying)."""
        restart_at: dict[int, float] = {}
        while not self._stopping:
            await asyncio.sleep(SUPERVISE_INTERVAL_S)
            relay.apply_waiting(self._metrics)
            for index, child in enumerate(self._children):
                if self._stopping or child is None or child.is_alive():
                    continue
                if index not in restart_at:
                    restart_at[index] = time.monotonic() + self._restart_delay(index, child)
                if time.monotonic() >= restart_at[index]:
                    del restart_at[index]
                    self._spawn(index)

    def _restart_delay(self, index: int, child: BaseProcess) -> float:
        lived = time.monotonic() - self._started_at[index]
        self._quick_deaths[index] = self._quick_deaths[index] + 1 if lived < MAX_RESTART_DELAY_S else 0
        delay = 0.0 if self._quick_deaths[index] <= 1 else min(MAX_RESTART_DELAY_S, 2.0 ** self._quick_deaths[index])
        log.warning(
            'planner process %s (pid %s) exited with code %s; starting another in %.0f s',
            child.name,
            child.pid,
            child.exitcode,
            delay,
        )
        return delay

    async def stop(self) -> None:
        self._stopping = True
        await asyncio.to_thread(self._stop_children)
        relay.apply_waiting(self._metrics)
        self._metrics.close()

    def _stop_children(self) -> None:
        running = [child for child in self._children if child is not None and child.is_alive()]
        for child in running:
            child.terminate()  # SIGTERM: the child releases its leases and exits
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for child in running:
            child.join(max(0.0, deadline - time.monotonic()))
        for child in running:
            if child.is_alive():
                log.warning('planner process %s did not stop in time: killed', child.pid)
                child.kill()
                child.join(2)

    def _spawn(self, index: int) -> None:
        child = self._context.Process(
            target=child_main,
            kwargs={
                'planner_for': self._planner_for,
                'max_concurrent': self.per_process,
                'imports_here': index == 0,
                'metrics_outbox': self._metrics,
            },
            name=f'planner-{index + 1}',
            daemon=True,  # the interpreter's exit handler ends daemonic children if the stop hook never ran
        )
        with _main_script_hidden():
            child.start()
        previous, self._children[index] = self._children[index], child
        if previous is not None:
            previous.close()  # the dead one's handles
        self._started_at[index] = time.monotonic()


@contextmanager
def _main_script_hidden() -> Iterator[None]:
    """The spawn context re-runs the parent's `__main__` script in each child: app.py would load NiceGUI and
    every page there for nothing. Without a `__file__` for a moment, the child imports only what it needs."""
    main = sys.modules['__main__']
    path = main.__dict__.pop('__file__', None)
    try:
        yield
    finally:
        if path is not None:
            main.__file__ = path
