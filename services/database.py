"""The one way to run database work off the event loop.

Reads run on a pool of their own; writes (functions marked `@writes`) queue on one thread. SQLite takes
one writer at a time anyway, and writers racing for its lock back off at random: under a burst some
waited past the busy timeout (a 503), and each waiting writer held a thread that quick reads (page polls)
then lacked. Pages, the API, the runner, the scheduler and both planners all come through `in_db`.
"""

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from models.db import session_scope

T = TypeVar('T')
F = TypeVar('F', bound=Callable[..., Any])

DB_READ_THREADS = 32  # models.db sizes its connection pool to match, so no thread waits for a connection
_read_executor = ThreadPoolExecutor(max_workers=DB_READ_THREADS, thread_name_prefix='db-read')
_write_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix='db-write')


def writes(function: F) -> F:
    """Marks a session function that writes, so `in_db` queues it on the one writer thread."""
    function.writes = True  # type: ignore[attr-defined]
    return function


async def in_db(function: Callable[..., T], /, **kwargs: Any) -> T:
    """Runs `function(session=..., **kwargs)` in a short session on a worker thread and returns its result."""

    def call() -> T:
        with session_scope() as session:
            return function(session=session, **kwargs)

    executor = _write_executor if getattr(function, 'writes', False) else _read_executor
    return await asyncio.get_running_loop().run_in_executor(executor, call)


async def in_thread(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Runs CPU-bound work that needs no session (scoring, planning) off the event loop."""
    return await asyncio.to_thread(function, *args, **kwargs)
