"""The connection to the AI service: an `LLMClient` that owns the SDK clients and the thread they run on.

Start-up creates it (`start_client`) and shutdown closes it (`close_client`); a planner used outside the
app (a test, a script) gets one on first use. This is the only module that builds an `AsyncOpenAI`.
"""

import asyncio
import logging
import threading
from typing import Any

import openai
from openai import AsyncOpenAI
from openai.types.responses import Response

from services.planners.base import PlannerError
from services.planners.llm.errors import SETUP
from settings import settings

log = logging.getLogger(__name__)

CLOSE_TIMEOUT_S = 5


class LLMClient:
    """Runs calls to the AI service on an event loop of its own thread, with clients shared by every generation.

    The SDK spends a few milliseconds of CPU per call (building the request, parsing the response). On the
    app's loop that delayed every page and poll (event-loop lag p99 250 ms with 200 generations in flight,
    bench/bench_inflight.py); on a loop of its own it only shares the CPU. A shared client reuses its
    connections, and building one costs ~40 ms of CPU (TLS set-up).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        # Per configuration: tests point the settings at a new fake server each time.
        self._clients: dict[tuple[Any, ...], AsyncOpenAI] = {}

    def start(self) -> asyncio.AbstractEventLoop:
        """Starts the thread and its loop (once); returns the loop the calls run on."""
        with self._lock:
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                self._thread = threading.Thread(target=self._loop.run_forever, name='llm-calls', daemon=True)
                self._thread.start()
            return self._loop

    async def create_response(self, **request: Any) -> Response:
        """One `responses.create` call, run on the client's thread; cancelling the caller cancels the call."""
        future = asyncio.run_coroutine_threadsafe(self._send(**request), self.start())
        return await asyncio.wrap_future(future)

    async def aclose(self) -> None:
        """Closes the SDK clients' connections on their own loop, then stops the loop and its thread."""
        with self._lock:
            loop, thread, self._loop, self._thread = self._loop, self._thread, None, None
        if loop is None or thread is None:
            return
        clients = list(self._clients.values())
        self._clients.clear()
        closing = asyncio.run_coroutine_threadsafe(_close_all(clients), loop)
        try:
            await asyncio.wait_for(asyncio.wrap_future(closing), CLOSE_TIMEOUT_S)
        except TimeoutError:
            log.warning('the AI service clients did not close within %s s', CLOSE_TIMEOUT_S)
        loop.call_soon_threadsafe(loop.stop)
        await asyncio.to_thread(thread.join, CLOSE_TIMEOUT_S)
        if not thread.is_alive():
            loop.close()

    async def _send(self, **request: Any) -> Response:
        return await self._client().responses.create(**request)

    def _client(self) -> AsyncOpenAI:
        """A client with explicit timeout and retries (the SDK's defaults are 10 minutes and 2 retries).

        Only called on the client's own loop: a client's connections belong to one event loop.
        """
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        config = (key, settings.openai_base_url, settings.openai_timeout_s, settings.openai_max_retries)
        if config not in self._clients:
            try:
                self._clients[config] = AsyncOpenAI(
                    api_key=key,
                    base_url=settings.openai_base_url,
                    timeout=settings.openai_timeout_s,
                    max_retries=settings.openai_max_retries,
                )
            except openai.OpenAIError:  # no key anywhere
                log.error('OpenAI planner chosen but no API key is configured (OPENAI_API_KEY)')
                raise PlannerError(SETUP) from None
        return self._clients[config]


async def _close_all(clients: list[AsyncOpenAI]) -> None:
    for client in clients:
        await client.close()


_client: LLMClient | None = None
_client_lock = threading.Lock()


def start_client() -> LLMClient:
    """Called at start-up: the client every LLM planner of this process uses until `close_client`."""
    client = get_client()
    client.start()
    return client


def get_client() -> LLMClient:
    global _client
    with _client_lock:
        if _client is None:
            _client = LLMClient()
        return _client


async def close_client() -> None:
    """Called at shutdown, after the runner stopped (no call is in flight any more)."""
    global _client
    with _client_lock:
        client, _client = _client, None
    if client is not None:
        await client.aclose()
