"""The seed request (docs/ARCHITECTURE.md, API), shared by the tests and benchmarks that need a realistic one."""

from typing import Any

SEED_PREFERENCES: dict[str, Any] = {
    'interests': ['music', 'nightlife'],
    'musicProfile': 'Electronic, House',
    'timeframe': 'This weekend',
    'otherPreferences': 'Looking for underground venues',
}


def seed_body(**changes: Any) -> dict[str, Any]:
    """A `POST /api/generations` body: the seed preferences with `changes` applied."""
    return {'preferences': {**SEED_PREFERENCES, **changes}}
