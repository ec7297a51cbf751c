"""Kept plans: only the owner keeps or un-keeps one; the TTL clean-up and every read leave a kept plan alone."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from models.generation import Generation, Preferences
from services.generations import errors, keeping, read_json, store
from services.generations.ownership import token_for
from settings import settings
from tests.factories import add_city

pytestmark = pytest.mark.databases()

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
PREFS = Preferences(interests=['music'], timeframe='This weekend')
PAST_TTL = timedelta(hours=settings.generation_ttl_hours, minutes=1)


@pytest.fixture(autouse=True)
def berlin(session: Session) -> None:
    add_city(session)


def completed(session: Session, *, client: str = 'ip:1') -> Generation:
    row = store.create_generation(session=session, preferences=PREFS, client_id=client, planner='offline', now=NOW)
    store.claim(session=session, generation_id=row.id, owner='a', now=NOW)
    store.complete(session=session, generation_id=row.id, owner='a', bundles=[], now=NOW)
    return row


def test_a_kept_plan_survives_the_ttl_sweep_and_stays_readable(session: Session) -> None:
    kept, other = completed(session), completed(session)
    row = keeping.set_kept(session=session, generation_id=kept.id, owner_token=token_for(kept.id), kept=True, now=NOW)
    assert row is not None and row.kept
    later = NOW + PAST_TTL
    assert store.delete_expired(session=session, now=later) == 1  # the other one only
    assert session.get(Generation, other.id) is None
    assert store.get_generation(session=session, generation_id=kept.id, now=later) is not None
    assert [r.id for r in store.list_generations(session=session, ids=[kept.id, other.id], now=later)] == [kept.id]
    body = read_json.read_generation_json(session=session, generation_id=kept.id, now=later)
    assert body is not None and b'"kept":true' in body


def test_unkeeping_gives_a_fresh_ttl_from_now(session: Session) -> None:
    row = completed(session)
    token = token_for(row.id)
    keeping.set_kept(session=session, generation_id=row.id, owner_token=token, kept=True, now=NOW)
    much_later = NOW + timedelta(days=5)
    unkept = keeping.set_kept(session=session, generation_id=row.id, owner_token=token, kept=False, now=much_later)
    assert unkept is not None and not unkept.kept
    assert unkept.expires_at == much_later + timedelta(hours=settings.generation_ttl_hours)
    assert store.delete_expired(session=session, now=much_later + timedelta(hours=1)) == 0
    assert store.delete_expired(session=session, now=much_later + PAST_TTL) == 1


@pytest.mark.parametrize('token', [None, 'not-the-token'])
def test_only_the_owner_keeps_a_plan(session: Session, token: str | None) -> None:
    row = completed(session)
    with pytest.raises(errors.NotOwner, match='keep'):
        keeping.set_kept(session=session, generation_id=row.id, owner_token=token, kept=True, now=NOW)
    session.refresh(row)
    assert not row.kept


def test_an_expired_or_unknown_plan_cannot_be_kept(session: Session) -> None:
    row = completed(session)
    later = NOW + PAST_TTL
    assert (
        keeping.set_kept(session=session, generation_id=row.id, owner_token=token_for(row.id), kept=True, now=later)
        is None
    )
    assert keeping.set_kept(session=session, generation_id='nope', owner_token=None, kept=True, now=NOW) is None
