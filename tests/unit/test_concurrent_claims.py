"""Claims and leases under real concurrency: many workers (think: instances) race for the same rows, each
in its own connection, on SQLite and on Postgres. Exactly one wins each row, and finishing is the winner's."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from models import db
from models.generation import Preferences
from services.generations import store
from tests.factories import add_city

pytestmark = pytest.mark.databases()
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
WORKERS = 8


def race(function, **kwargs) -> list:
    """`function(session=..., owner=worker-N, **kwargs)` from WORKERS threads released at the same moment."""
    barrier = threading.Barrier(WORKERS)

    def one(number: int):
        with Session(db.get_engine(), expire_on_commit=False) as session:
            barrier.wait()
            return function(session=session, owner=f'worker-{number}', **kwargs)

    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(one, range(WORKERS)))


def test_only_one_of_many_racing_claims_wins_and_only_it_may_finish(session: Session) -> None:
    add_city(session)
    ids = [
        store.create_generation(
            session=session,
            preferences=Preferences(interests=['music'], timeframe='This weekend'),
            client_id=f'ip:{n}',
            planner='offline',
            now=NOW,
        ).id
        for n in range(5)
    ]
    for generation_id in ids:
        claims = race(store.claim, generation_id=generation_id, now=NOW)
        winners = [row.lease_owner for row in claims if row is not None]
        assert len(winners) == 1, winners
        finished = race(store.fail, generation_id=generation_id, error='x', now=NOW)
        assert finished.count(True) == 1 and finished[int(winners[0].split('-')[1])] is True

    # A lease that expired is up for grabs again, and again only one racer takes it.
    later = NOW + timedelta(hours=1)
    fresh = store.create_generation(
        session=session,
        preferences=Preferences(interests=['music'], timeframe='This weekend'),
        client_id='ip:late',
        planner='offline',
        now=later,
    )
    assert store.claim(session=session, generation_id=fresh.id, owner='crashed', now=later) is not None
    expired = later + timedelta(minutes=5)
    retakes = race(store.claim, generation_id=fresh.id, now=expired)
    assert sum(row is not None for row in retakes) == 1
