"""The seed request (docs/ARCHITECTURE.md, API), shared by the tests and benchmarks that need a realistic one, and
the broadest request a person can make (every limit at its widest), for the benchmarks of the heaviest plans."""

from typing import Any

from models.catalog import CATEGORIES

SEED_PREFERENCES: dict[str, Any] = {
    'interests': ['music', 'nightlife'],
    'musicProfile': 'Electronic, House',
    'timeframe': 'This weekend',
    'otherPreferences': 'Looking for underground venues',
}


def seed_body(**changes: Any) -> dict[str, Any]:
    """A `POST /api/generations` body: the seed preferences with `changes` applied."""
    return {'preferences': {**SEED_PREFERENCES, **changes}}


WISH = 'Late nights, small rooms, vinyl sets and good food nearby; nothing too touristy, please. '
LONG_FREE_TEXT = (WISH * 12)[:1000]  # the longest free text the form takes
BROADEST_PREFERENCES: dict[str, Any] = {
    'interests': list(CATEGORIES[:8]),
    'timeframe': 'Next 30 days',
    'otherPreferences': LONG_FREE_TEXT,
}
