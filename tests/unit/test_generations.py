"""The lifecycle rules in the database: creation, idempotency, rate limit, leases, finishing, TTL."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from models.generation import Generation, Preferences
from services.generations import errors, store
from services.generations.ownership import token_for
from settings import settings
from tests.factories import add_city

pytestmark = pytest.mark.databases()  # the lifecycle on SQLite and on Postgres

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # a Wednesday
PREFS = Preferences(interests=['music'], timeframe='This weekend')


@pytest.fixture(autouse=True)
def berlin(session: Session) -> None:
    add_city(session)


def create(session: Session, *, now: datetime = NOW, client: str = 'ip:1', key: str | None = None, prefs=PREFS):
    return store.create_generation(
        session=session, preferences=prefs, client_id=client, planner='offline', now=now, idempotency_key=key
    )


def test_create_stores_pending_row_with_resolved_window_and_expiry(session: Session) -> None:
    row = create(session)
    assert row.status == 'pending'
    assert row.preferences['city'] == 'Berlin'
    assert row.window['start'] == '2026-12-04T17:00:00+01:00'
    assert row.window['end'] == '2026-12-06T23:59:00+01:00'
    assert row.window['label'] == 'Fri 4 - Sun 6 Dec'
    assert row.expires_at == NOW + timedelta(hours=settings.generation_ttl_hours)


def test_same_idempotency_key_returns_first_generation(session: Session) -> None:
    first = create(session, key='k1')
    again = create(session, key='k1')
    assert again.id == first.id
    assert len(session.exec(select(Generation)).all()) == 1


def test_same_key_with_other_preferences_is_refused(session: Session) -> None:
    create(session, key='k1')
    other = Preferences(interests=['food'], timeframe='Tonight')
    with pytest.raises(errors.InvalidPreferences, match='different preferences'):
        create(session, key='k1', prefs=other)


def test_keys_are_per_client(session: Session) -> None:
    assert create(session, key='k1', client='ip:1').id != create(session, key='k1', client='ip:2').id


def test_rate_limit_counts_the_last_hour_per_client(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, 'rate_limit_per_hour', 2)
    create(session, now=NOW - timedelta(minutes=50))
    create(session, now=NOW - timedelta(minutes=10))
    with pytest.raises(errors.RateLimited) as refused:
        create(session)
    assert 9 * 60 <= refused.value.retry_after_s <= 10 * 60 + 1
    create(session, client='ip:other')  # another client is not affected
    create(session, now=NOW + timedelta(minutes=11))  # the oldest one left the window


def test_rate_limit_zero_means_off(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, 'rate_limit_per_hour', 0)
    for _ in range(5):
        create(session)


def test_unknown_city_names_the_field_and_known_cities(session: Session) -> None:
    with pytest.raises(errors.InvalidPreferences) as refused:
        create(session, prefs=Preferences(interests=['music'], timeframe='Tonight', city='Atlantis'))
    assert refused.value.field == 'preferences.city'
    assert 'Berlin' in refused.value.reason


def test_dates_in_the_past_are_refused(session: Session) -> None:
    past = Preferences(interests=['music'], timeframe={'start': '2026-11-01', 'end': '2026-11-02'})
    with pytest.raises(errors.InvalidPreferences, match='past'):
        create(session, prefs=past)


def test_claim_is_exclusive_until_the_lease_expires(session: Session) -> None:
    row = create(session)
    assert store.claim(session=session, generation_id=row.id, owner='a', now=NOW) is not None
    assert store.claim(session=session, generation_id=row.id, owner='b', now=NOW) is None
    later = NOW + timedelta(seconds=settings.lease_seconds + 1)
    taken = store.claim(session=session, generation_id=row.id, owner='b', now=later)
    assert taken is not None and taken.lease_owner == 'b' and taken.attempts == 2


def test_only_the_lease_owner_records_progress_and_finishes(session: Session) -> None:
    row = create(session)
    store.claim(session=session, generation_id=row.id, owner='a', now=NOW)
    assert not store.append_progress(session=session, generation_id=row.id, owner='b', message='x', now=NOW)
    assert store.append_progress(session=session, generation_id=row.id, owner='a', message='Step 1', now=NOW)
    assert not store.fail(session=session, generation_id=row.id, owner='b', error='no', now=NOW)
    assert store.complete(session=session, generation_id=row.id, owner='a', bundles=[], now=NOW)
    assert not store.complete(session=session, generation_id=row.id, owner='a', bundles=[], now=NOW)
    stored = store.get_generation(session=session, generation_id=row.id, now=NOW)
    assert stored.status == 'completed'
    assert [p['message'] for p in stored.progress] == ['Step 1']
    assert stored.lease_owner is None


def test_cancel_stops_a_running_row_and_leaves_finished_ones(session: Session) -> None:
    row = create(session)
    store.claim(session=session, generation_id=row.id, owner='a', now=NOW)
    cancelled, changed = store.cancel_generation(
        session=session, generation_id=row.id, owner_token=token_for(row.id), now=NOW
    )
    assert cancelled.status == 'cancelled' and changed
    assert not store.complete(session=session, generation_id=row.id, owner='a', bundles=[], now=NOW)
    again, changed = store.cancel_generation(
        session=session, generation_id=row.id, owner_token=token_for(row.id), now=NOW
    )
    assert again.status == 'cancelled' and not changed


@pytest.mark.parametrize('bad_id', ['nope', '123', '', 'A' * 36, '../etc/passwd'])
def test_malformed_ids_are_not_found(session: Session, bad_id: str) -> None:
    assert store.get_generation(session=session, generation_id=bad_id, now=NOW) is None


def test_expired_results_are_not_found_and_cleanup_keeps_running_rows(session: Session) -> None:
    done, running = create(session), create(session)
    store.claim(session=session, generation_id=done.id, owner='a', now=NOW)
    store.complete(session=session, generation_id=done.id, owner='a', bundles=[], now=NOW)
    store.claim(session=session, generation_id=running.id, owner='a', now=NOW)
    later = NOW + timedelta(hours=settings.generation_ttl_hours, minutes=1)
    assert store.get_generation(session=session, generation_id=done.id, now=later) is None
    assert store.delete_expired(session=session, now=later) == 1
    assert session.get(Generation, done.id) is None
    assert session.get(Generation, running.id) is not None


def test_recovery_finds_rows_without_live_lease(session: Session) -> None:
    pending, held, crashed = create(session), create(session), create(session)
    store.claim(session=session, generation_id=held.id, owner='a', now=NOW)
    store.claim(session=session, generation_id=crashed.id, owner='dead', now=NOW - timedelta(minutes=5))
    found = store.find_resumable(session=session, now=NOW)
    assert set(found) == {pending.id, crashed.id}


def test_released_leases_are_resumable_at_once(session: Session) -> None:
    row = create(session)
    store.claim(session=session, generation_id=row.id, owner='a', now=NOW)
    assert store.release_leases(session=session, owner='a') == 1
    assert store.find_resumable(session=session, now=NOW) == [row.id]
    assert session.get(Generation, row.id).status == 'processing'


def test_rows_out_of_attempts_or_time_fail_with_a_clear_reason(session: Session, monkeypatch) -> None:
    monkeypatch.setattr(settings, 'max_attempts', 1)
    long_ago = NOW - timedelta(seconds=settings.generation_timeout_s + 5)
    tired, late, queued = create(session), create(session, now=long_ago), create(session, now=long_ago)
    store.claim(session=session, generation_id=tired.id, owner='dead', now=NOW - timedelta(minutes=5))
    store.claim(session=session, generation_id=late.id, owner='dead', now=long_ago)
    assert store.fail_abandoned(session=session, now=NOW) == 3
    session.expire_all()
    assert 'interrupted' in session.get(Generation, tired.id).error
    assert 'took longer than' in session.get(Generation, late.id).error
    assert 'too busy to start' in session.get(Generation, queued.id).error
    assert store.find_resumable(session=session, now=NOW) == []


def test_clean_restarts_do_not_use_up_attempts(session: Session) -> None:
    row = create(session)
    for restart in range(settings.max_attempts + 2):
        now = NOW + timedelta(seconds=restart)
        assert store.claim(session=session, generation_id=row.id, owner=f'server-{restart}', now=now)
        assert store.release_leases(session=session, owner=f'server-{restart}') == 1
    assert store.fail_abandoned(session=session, now=NOW + timedelta(seconds=10)) == 0
    assert store.find_resumable(session=session, now=NOW + timedelta(seconds=10)) == [row.id]


def test_same_key_with_another_city_is_refused(session: Session) -> None:
    add_city(session, name='Hamburg')
    create(session, key='k1')
    with pytest.raises(errors.InvalidPreferences, match='different preferences'):
        create(session, key='k1', prefs=Preferences(interests=['music'], timeframe='This weekend', city='Hamburg'))


def test_a_key_whose_result_expired_starts_a_new_generation(session: Session) -> None:
    first = create(session, key='k1')
    store.claim(session=session, generation_id=first.id, owner='a', now=NOW)
    store.complete(session=session, generation_id=first.id, owner='a', bundles=[], now=NOW)
    later = NOW + timedelta(hours=settings.generation_ttl_hours, minutes=1)
    assert create(session, key='k1', now=later).id != first.id


def test_ids_are_found_in_any_case(session: Session) -> None:
    row = create(session)
    assert store.get_generation(session=session, generation_id=row.id.upper(), now=NOW).id == row.id
