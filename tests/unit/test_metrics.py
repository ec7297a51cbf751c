"""The metrics the alerts read: job and source run times, overdue rows."""

import time
from datetime import timedelta

import pytest
from sqlmodel import Session

from models.generation import Preferences
from services import clock, metrics
from services.generations import scheduler
from services.generations import store as generations
from settings import settings
from tests.factories import add_city


def value(name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


async def test_the_ttl_cleanup_and_the_recovery_sweep_mark_their_success(session: Session) -> None:
    for task in metrics.JOBS:  # set at start, so a job that never runs is overdue too
        assert value('trip_bundles_job_last_success_timestamp_seconds', task=task) is not None
    metrics.job_last_success.labels(task='ttl_cleanup').set(0)
    before = time.time()
    await scheduler.cleanup_expired()
    assert value('trip_bundles_job_last_success_timestamp_seconds', task='ttl_cleanup') >= before


def test_source_runs_are_recorded_with_their_counts() -> None:
    metrics.record_source_run(source='test-feed', ok=True, created=3, removed=1)
    assert value('trip_bundles_source_last_run_failed', source='test-feed') == 0
    succeeded = value('trip_bundles_source_last_success_timestamp_seconds', source='test-feed')
    assert succeeded == pytest.approx(time.time(), abs=5)
    assert value('trip_bundles_source_last_run_events', source='test-feed', change='created') == 3

    with pytest.raises(RuntimeError), metrics.source_run('test-feed') as counts:
        counts['created'] = 9
        raise RuntimeError('feed down')
    assert value('trip_bundles_source_last_run_failed', source='test-feed') == 1
    assert value('trip_bundles_source_last_success_timestamp_seconds', source='test-feed') == succeeded
    assert value('trip_bundles_source_last_run_events', source='test-feed', change='created') == 3


async def test_the_demo_refresh_job_reports_as_source_demo() -> None:
    metrics.source_last_run_failed.labels(source='demo').set(1)
    await scheduler.refresh_demo_catalog()
    assert value('trip_bundles_source_last_run_failed', source='demo') == 0
    assert value('trip_bundles_source_last_run_events', source='demo', change='unchanged') is not None


def test_running_rows_past_their_deadline_are_overdue(session: Session) -> None:
    add_city(session)
    prefs = Preferences(interests=['music'], timeframe='Next 7 days')
    now = clock.now()
    late = now - timedelta(seconds=settings.generation_timeout_s + 1)
    stuck = generations.create_generation(session=session, preferences=prefs, client_id='c', planner='x', now=late)
    generations.claim(session=session, generation_id=stuck.id, owner='me', now=late)
    generations.create_generation(session=session, preferences=prefs, client_id='c', planner='x', now=now)

    metrics.refresh_database_gauges(session=session, now=now)
    assert value('trip_bundles_generations_overdue', status='processing') == 1
    assert value('trip_bundles_generations_overdue', status='pending') == 0
