"""The planner processes' metrics, shown by the web process's /metrics (`ROLE=all`).

Prometheus scrapes the web process only, but generations finish, spend tokens and import sources in its
children. Each child sends what changed in those metrics every RELAY_INTERVAL_S over a queue (counter and
histogram increments, gauge values); the web process applies them to its own, so the alert rules read the
same series as when planning ran in-process. A histogram's increments are replayed as observations at
each bucket's upper bound: the buckets (what quantiles and alerts read) are exact, the `_sum` close.
What a child counted in its last second before it died is lost, like a crashed process's counters.
"""

import asyncio
import math
import queue
from typing import Any

from prometheus_client.metrics import MetricWrapperBase

from services import metrics

RELAY_INTERVAL_S = 1.0
RELAYED: dict[str, MetricWrapperBase] = {
    'trip_bundles_generations_finished': metrics.generations_finished,
    'trip_bundles_generation_duration_seconds': metrics.generation_duration,
    'trip_bundles_llm_errors': metrics.llm_errors,
    'trip_bundles_llm_tokens': metrics.llm_tokens,
    'trip_bundles_source_last_success_timestamp_seconds': metrics.source_last_success,
    'trip_bundles_source_last_run_failed': metrics.source_last_run_failed,
    'trip_bundles_source_last_run_events': metrics.source_last_run_events,
}
Key = tuple[str, str, tuple[tuple[str, str], ...]]  # (family, sample name, labels)


def snapshot() -> dict[Key, float]:
    """This process's current values of the relayed samples."""
    values: dict[Key, float] = {}
    for family in metrics.registry.collect():
        if family.name not in RELAYED:
            continue
        for sample in family.samples:
            if not sample.name.endswith('_created'):
                values[(family.name, sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


class Sender:
    """A child's side: puts on `outbox` what changed since the last time, every RELAY_INTERVAL_S and at exit."""

    def __init__(self, outbox: Any) -> None:
        self._outbox = outbox
        self._sent: dict[Key, float] = {}

    async def run(self) -> None:
        while True:
            await asyncio.sleep(RELAY_INTERVAL_S)
            self.flush()

    def flush(self) -> None:
        now = snapshot()
        sent = self._sent
        changes = [(key, value - sent.get(key, 0.0), value) for key, value in now.items() if value != sent.get(key)]
        if changes:
            self._outbox.put(changes)
        self._sent = now


def apply_waiting(inbox: Any) -> None:
    """The web process's side: applies every batch of changes waiting on `inbox`, without blocking."""
    while True:
        try:
            changes = inbox.get_nowait()
        except queue.Empty:
            return
        except Exception:  # closed while stopping, or a batch torn by a child killed mid-put: drop it
            return
        _apply(changes)


def _apply(changes: list[tuple[Key, float, float]]) -> None:
    histograms: dict[tuple[str, tuple], list[tuple[float, float]]] = {}
    for (family, name, labels), delta, value in changes:
        metric = RELAYED[family]
        own = {k: v for k, v in labels if k != 'le'}
        child = metric.labels(**own) if own else metric
        if name.endswith('_total'):
            child.inc(delta)
        elif name.endswith('_bucket'):
            histograms.setdefault((family, tuple(own.items())), []).append((float(dict(labels)['le']), delta))
        elif not name.endswith(('_count', '_sum')):
            child.set(value)
    for (family, own), buckets in histograms.items():
        _replay(RELAYED[family], dict(own), sorted(buckets))


def _replay(metric: MetricWrapperBase, labels: dict[str, str], buckets: list[tuple[float, float]]) -> None:
    """Observations that give the same bucket increments (cumulative `le` counts -> one value per bucket)."""
    child = metric.labels(**labels) if labels else metric
    finite = [bound for bound, _ in buckets if not math.isinf(bound)]
    below = 0.0
    for bound, cumulative in buckets:
        value = bound if not math.isinf(bound) else (finite[-1] * 2 if finite else 1.0)
        for _ in range(round(cumulative - below)):
            child.observe(value)
        below = cumulative
