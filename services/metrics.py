"""Prometheus metrics of the original design's monitoring section, served at /metrics.

Counters and histograms are per process (they restart with it, as Prometheus expects); the
database-derived gauges are read at scrape time so they are true for every instance.
"""

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import func
from sqlalchemy.engine import make_url
from sqlmodel import Session, col, select

from models.generation import FINISHED_STATUSES, RUNNING_STATUSES, STATUSES, Generation
from settings import settings

registry = CollectorRegistry()

generations_finished = Counter(
    'trip_bundles_generations_finished', 'Generations that reached an end state', ['status'], registry=registry
)
generation_duration = Histogram(
    'trip_bundles_generation_duration_seconds',
    'From creation to the end state',
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1200),
    registry=registry,
)
polls = Counter('trip_bundles_polls', 'Database reads made by open loading pages', registry=registry)
polls_per_generation = Histogram(
    'trip_bundles_polls_per_generation',
    'Reads one loading page made before it saw the end state',
    buckets=(1, 2, 5, 10, 30, 60, 120, 300),
    registry=registry,
)
llm_errors = Counter('trip_bundles_llm_errors', 'LLM call failures by kind', ['kind'], registry=registry)
llm_tokens = Counter('trip_bundles_llm_tokens', 'Tokens used by the OpenAI planner', ['kind'], registry=registry)
generations_stored = Gauge('trip_bundles_generations_stored', 'Rows by status', ['status'], registry=registry)
rows_pending_cleanup = Gauge(
    'trip_bundles_rows_pending_cleanup', 'Finished rows past their expiry, waiting for the TTL job', registry=registry
)
database_size = Gauge('trip_bundles_database_size_bytes', 'SQLite file size (0 for other databases)', registry=registry)
generations_overdue = Gauge(
    'trip_bundles_generations_overdue',
    'Running rows past their deadline: the runner should have failed them (stuck work)',
    ['status'],
    registry=registry,
)
job_last_success = Gauge(
    'trip_bundles_job_last_success_timestamp_seconds',
    'Unix time of the last successful run of a periodic job (the process start until its first run)',
    ['task'],  # not `job`: Prometheus sets that label on every scraped series itself
    registry=registry,
)
source_last_success = Gauge(
    'trip_bundles_source_last_success_timestamp_seconds',
    'Unix time of the last successful scheduled import of an event source',
    ['source'],
    registry=registry,
)
source_last_run_failed = Gauge(
    'trip_bundles_source_last_run_failed',
    '1 when the last scheduled import of an event source failed, else 0',
    ['source'],
    registry=registry,
)
source_last_run_events = Gauge(
    'trip_bundles_source_last_run_events',
    'Events the last successful import of a source created, updated, left unchanged or removed',
    ['source', 'change'],
    registry=registry,
)

event_loop_lag = Histogram(
    'trip_bundles_event_loop_lag_seconds',
    'How late a 100 ms timer fires: time the event loop was blocked',
    buckets=(0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
    registry=registry,
)

LAG_PROBE_INTERVAL_S = 0.1
JOBS = ('recovery_sweep', 'ttl_cleanup')
# Series that alerts read are created at zero: a counter first seen at 3 would hide those 3 from rate().
for _status in ('completed', 'failed', 'cancelled'):
    generations_finished.labels(status=_status)
for _kind in ('rate_limit', 'timeout', 'connection', 'malformed_response', 'status_500', 'status_502', 'status_503'):
    llm_errors.labels(kind=_kind)
# "Never ran since the start" must become an alert once the job is overdue, so the clock starts now.
for _job in JOBS:
    job_last_success.labels(task=_job).set(time.time())


async def watch_event_loop_lag() -> None:
    """Runs for the life of the server: every page, poll and plan shares this loop, so lag is felt by all."""
    loop = asyncio.get_running_loop()
    while True:
        expected = loop.time() + LAG_PROBE_INTERVAL_S
        await asyncio.sleep(LAG_PROBE_INTERVAL_S)
        event_loop_lag.observe(max(0.0, loop.time() - expected))


def record_finished(status: str, *, created_at: datetime, finished_at: datetime) -> None:
    generations_finished.labels(status=status).inc()
    generation_duration.observe(max(0.0, (finished_at - created_at).total_seconds()))


def record_usage(usage: dict[str, int]) -> None:
    for kind in ('input_tokens', 'output_tokens', 'reasoning_tokens'):
        if usage.get(kind):
            llm_tokens.labels(kind=kind.removesuffix('_tokens')).inc(usage[kind])


def mark_job_success(task: str) -> None:
    job_last_success.labels(task=task).set(time.time())


def record_source_run(*, source: str, ok: bool, **counts: int) -> None:
    """One scheduled import of an event source; `counts` are its changes (created=3, removed=1...)."""
    source_last_run_failed.labels(source=source).set(0 if ok else 1)
    if ok:
        source_last_success.labels(source=source).set(time.time())
        for change, count in counts.items():
            source_last_run_events.labels(source=source, change=change).set(count)


@contextmanager
def source_run(source: str) -> Iterator[dict[str, int]]:
    """`with source_run('demo') as counts:` records the import as failed if the block raises."""
    counts: dict[str, int] = {}
    try:
        yield counts
    except Exception:
        record_source_run(source=source, ok=False)
        raise
    record_source_run(source=source, ok=True, **counts)


def refresh_database_gauges(*, session: Session, now: datetime) -> None:
    counts = dict(session.exec(select(Generation.status, func.count()).group_by(Generation.status)).all())
    for status in STATUSES:
        generations_stored.labels(status=status).set(counts.get(status, 0))
    expired = session.exec(
        select(func.count()).where(col(Generation.status).in_(FINISHED_STATUSES), col(Generation.expires_at) <= now)
    ).one()
    rows_pending_cleanup.set(expired)
    overdue = dict(
        session.exec(
            select(Generation.status, func.count())
            .where(col(Generation.status).in_(RUNNING_STATUSES), col(Generation.deadline_at) <= now)
            .group_by(Generation.status)
        ).all()
    )
    for status in RUNNING_STATUSES:
        generations_overdue.labels(status=status).set(overdue.get(status, 0))
    database_size.set(_sqlite_file_size())


def _sqlite_file_size() -> int:
    url = make_url(settings.database_url)
    if url.get_backend_name() != 'sqlite' or not url.database or url.database == ':memory:':
        return 0
    files = [Path(url.database), Path(f'{url.database}-wal')]
    return sum(path.stat().st_size for path in files if path.exists())


def exposition() -> bytes:
    return generate_latest(registry)
