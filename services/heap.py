"""The process's long-lived objects kept out of the garbage collector's full passes.

Everything a process loads at start-up (modules, pydantic and SQLAlchemy schemas, the planner's tables) lives
as long as the process. CPython's full collection walks every tracked object, and planning allocates enough
small containers (partial plans, candidate rows) to set one off every few plans: on a worker process that had
not done this, one pass cost about 40 ms in the middle of a 300 ms plan (bench/bench_catalog.py, 100,000
events). Frozen objects are skipped by every pass; what is made afterwards is collected as usual.
"""

import gc


def settle() -> None:
    """Collects what start-up left behind, then freezes the rest (call once, when the process is ready)."""
    gc.collect()
    gc.freeze()
