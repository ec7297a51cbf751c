"""Trip Bundles: composition only (settings check, start-up and shutdown hooks, routes, ui.run)."""

import os

from settings import settings

# NiceGUI reads its Redis URL once, when it is imported (nicegui.storage.Storage.redis_url): map ours first.
if settings.redis_url:
    os.environ.setdefault('NICEGUI_REDIS_URL', settings.redis_url)

import logging
import sys

from nicegui import app, background_tasks, helpers, ui
from nicegui.storage import Storage
from starlette.middleware.sessions import SessionMiddleware

from api import calendar, routes
from api.errors import register_error_handlers
from api.middleware import BodySizeLimit, GZip
from api.security import SecurityHeaders
from models.db import session_scope
from models.schema import create_db_and_tables
from pages import generation, history, home, theme  # noqa: F401  (pages register routes)
from services import clock, heap, metrics
from services.catalog import demo
from services.generations import scheduler, service
from services.planners import registry
from services.worker import process as worker_process
from services.worker.pool import WorkerPool

logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(name)s: %(message)s')
_pool: WorkerPool | None = None  # the planner processes of ROLE=all


def startup() -> None:
    # Synchronous on purpose: NiceGUI runs async start-up hooks as background tasks, so requests could
    # arrive before the tables and the catalog exist. Sync hooks finish before the server accepts requests.
    create_db_and_tables()
    if settings.demo_catalog:
        with session_scope() as session, metrics.source_run('demo') as counts:
            counts.update(vars(demo.refresh_if_stale(session=session, now=clock.now())))
    start_planning()
    # The TTL cleanup is this process's; the imports run where the planning does (each in a child process).
    scheduler.start_scheduler(maintenance=True, imports_here=service.is_running())
    background_tasks.create(metrics.watch_event_loop_lag(), name='event loop lag')
    # Everything loaded so far lives as long as the process: keep it out of the garbage collector's full
    # passes, which otherwise walk it and stall the event loop for tens of milliseconds.
    heap.settle()


def start_planning() -> None:
    """Where this process's generations are planned (ROLE, PLANNER_PROCESSES; docs/ARCHITECTURE.md, roles)."""
    global _pool
    if settings.role == 'web':
        return  # `python -m services.worker` instances plan what this one writes
    # The runner is given its planners; a launcher may set app.state.planner_for first (tests/e2e/scripted_app.py).
    planner_for = getattr(app.state, 'planner_for', registry.get_planner)
    if settings.planner_processes == 0:  # in this process's threads, as before worker processes existed
        registry.start_planner(settings.resolved_planner())
        started = service.start_runner(
            planner_for=planner_for,
            max_concurrent=settings.max_concurrent_generations,
            lease_seconds=settings.lease_seconds,
        )
        background_tasks.create(started.recover(), name='resume generations')
        return
    _pool = WorkerPool(
        processes=settings.planner_processes,
        planner_for=planner_for,
        max_concurrent=settings.max_concurrent_generations,
    )
    _pool.start()
    background_tasks.create(_pool.supervise(), name='supervise planner processes')


async def shutdown() -> None:
    global _pool
    scheduler.stop_scheduler()
    if _pool is not None:
        await _pool.stop()
        _pool = None
    if service.is_running():
        await service.stop_runner()
        await registry.stop_planner(settings.resolved_planner())


# The style sheet: read once here and added to every page, instead of being read at each page open.
ui.add_css(theme.STYLESHEET, shared=True)
app.on_startup(startup)
app.on_shutdown(shutdown)
app.include_router(routes.router)
app.include_router(calendar.router)
app.add_middleware(BodySizeLimit)
register_error_handlers(app)

if __name__ == '__main__' and settings.role == 'worker':
    sys.exit(worker_process.main())  # `ROLE=worker python app.py` is `python -m services.worker`
if __name__ in {'__main__', '__mp_main__'}:
    if not helpers.is_user_simulation():  # the tests' User fixture runs this file inside pytest's own process
        # What the server writes is its own: the database, the storage secret, and browser storage holding
        # owner tokens are created 0600 (NiceGUI writes its files with the process's umask).
        os.umask(0o077)
    # Browser storage ("My plans", the resume banner) lives with the other data, where a service may write.
    Storage.path = (settings.data_dir / '.nicegui').resolve()
    storage_secret = settings.storage_secret_value()
    # NiceGUI's session middleware (the browser id cookie) is added here rather than by ui.run, which then
    # keeps it, so that the security headers wrap it and can mark its cookie Secure behind https.
    app.add_middleware(SessionMiddleware, secret_key=storage_secret)
    app.add_middleware(SecurityHeaders)
    trusted_proxies = settings.trusted_proxies
    ui.run(
        host=settings.host,
        port=settings.port,
        title=theme.PRODUCT_NAME,
        favicon=theme.FAVICON_SVG,
        dark=None,  # follow the system's light/dark setting
        storage_secret=storage_secret,
        reload=False,
        show=False,
        fastapi_docs=True,
        gzip_middleware_factory=GZip,  # honours gzip;q=0 (api/middleware.py)
        # X-Forwarded-For/-Proto only from TRUSTED_PROXIES; uvicorn's own default believes 127.0.0.1, which
        # would let any local peer pick its rate-limit bucket.
        proxy_headers=bool(trusted_proxies),
        forwarded_allow_ips=trusted_proxies or None,
    )
