"""Database work off the event loop: writes queue on one thread, reads on their own pool."""

import asyncio
import threading

from sqlmodel import Session

from services.database import in_db, writes


async def test_writes_queue_on_one_thread_and_reads_do_not_wait_for_them() -> None:
    seen: list[str] = []

    @writes
    def slow_write(*, session: Session) -> None:
        seen.append(threading.current_thread().name)
        threading.Event().wait(0.3)

    def read(*, session: Session) -> str:
        return threading.current_thread().name

    loop = asyncio.get_running_loop()
    started = loop.time()
    writing = asyncio.gather(*(in_db(slow_write) for _ in range(2)))
    reader = await in_db(read)
    read_after = loop.time() - started
    await writing
    assert loop.time() - started >= 0.6  # the two writes ran one after the other
    assert read_after < 0.3  # the read did not queue behind them
    assert len(set(seen)) == 1 and seen[0].startswith('db-write')
    assert reader.startswith('db-read')
