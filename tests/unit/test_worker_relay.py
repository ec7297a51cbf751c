"""The planner processes' metric changes, replayed in the web process, give the same series (relay)."""

import queue
from datetime import UTC, datetime, timedelta

from services import metrics
from services.worker import relay


def test_counter_histogram_and_gauge_changes_are_replayed_exactly() -> None:
    outbox: queue.Queue = queue.Queue()
    sender = relay.Sender(outbox)
    sender.flush()  # what existed before: sent once, then only changes
    outbox.get_nowait()
    before = relay.snapshot()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for seconds in (0.5, 3, 3, 700, 5000):  # 5000 s is past the last bound: the +Inf bucket
        metrics.record_finished('completed', created_at=start, finished_at=start + timedelta(seconds=seconds))
    metrics.record_source_run(source='relay-test', ok=True, created=4)
    sender.flush()
    once = relay.snapshot()

    relay.apply_waiting(outbox)  # in the web process this lands on its own registry; here, on the same one
    twice = relay.snapshot()

    for key, value in once.items():
        family, name, _ = key
        if name.endswith('_sum') or family.startswith('trip_bundles_source'):
            continue  # a gauge is set, not added; a histogram's sum is replayed at the bucket bounds
        assert twice[key] - once[key] == value - before.get(key, 0.0), key
    events = (
        'trip_bundles_source_last_run_events',
        'trip_bundles_source_last_run_events',
        (('change', 'created'), ('source', 'relay-test')),
    )
    assert twice[events] == 4
    assert outbox.empty()
