"""The app's one clock. Call `clock.now()` through the module so tests can swap it."""

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
