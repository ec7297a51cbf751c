"""Generations in the database: create / get / cancel / list, and the lifecycle rules.

Every state change is one conditional UPDATE, so several server instances sharing one database can
never both run, or both finish, the same generation: a row is claimed with a lease (owner + expiry),
and only the lease owner may record progress or finish it.
"""

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models.generation import (
    RUNNING_STATUSES,
    Bundle,
    Generation,
    Preferences,
    ProgressEntry,
)
from services.catalog import queries
from services.database import writes
from services.generations import ownership, rate_limit
from services.generations.errors import (
    InvalidPreferences,
    NotOwner,
)
from services.generations.expiry import alive, expired, is_expired
from services.timeframes import TimeframeError, resolve_window
from settings import settings

MAX_PROGRESS_ENTRIES = 200
DEADLINE_MESSAGE = 'Planning took longer than {minutes} minutes and was stopped. Please try again.'
NEVER_STARTED_MESSAGE = 'The service was too busy to start this plan in time. Please try again.'
ATTEMPTS_MESSAGE = 'The server was interrupted {attempts} times while planning this. Please try again.'


@writes
def create_generation(
    *,
    session: Session,
    preferences: Preferences,
    client_id: str,
    planner: str,
    now: datetime,
    idempotency_key: str | None = None,
    client_ip: str | None = None,
) -> Generation:
    """Writes a pending generation and returns it; a replayed idempotency key returns the first one.

    `client_id` is who asks (a browser, or an API client's address) and scopes idempotency keys; the rate
    limit counts both it and `client_ip`, the address asked from.
    """
    city = queries.get_city(session=session, name=preferences.city)
    if city is None:
        known = ', '.join(c.name for c in queries.list_cities(session=session)) or 'none yet'
        raise InvalidPreferences('preferences.city', f'unknown city {preferences.city!r}; available: {known}')
    stored_preferences = {**preferences.model_dump(mode='json'), 'city': city.name}
    if idempotency_key:
        existing = find_by_key(session, client_id, idempotency_key, now)
        if existing is not None:
            return _replay(existing, stored_preferences)
    rate_limit.check(session, client_id=client_id, client_ip=client_ip, now=now)
    try:
        window = resolve_window(preferences.timeframe, timezone=city.timezone, now=now)
    except TimeframeError as error:
        raise InvalidPreferences('preferences.timeframe', str(error)) from None
    row = new_row(stored_preferences, window.model_dump(mode='json'), planner, client_id, idempotency_key, now)
    row.client_ip = client_ip
    return insert_row(session, row, lambda existing: _replay(existing, stored_preferences))


def new_row(
    preferences: dict[str, Any],
    window: dict[str, Any],
    planner: str,
    client_id: str,
    idempotency_key: str | None,
    now: datetime,
) -> Generation:
    generation_id = str(uuid.uuid4())
    return Generation(
        id=generation_id,
        status='pending',
        preferences=preferences,
        planner=planner,
        window=window,
        created_at=now,
        updated_at=now,
        expires_at=now + timedelta(hours=settings.generation_ttl_hours),
        deadline_at=now + timedelta(seconds=settings.generation_timeout_s),
        idempotency_key=idempotency_key,
        client_id=client_id,
        owner_token_hash=ownership.hash_token(ownership.token_for(generation_id)),
    )


def insert_row(session: Session, row: Generation, replay: Callable[[Generation], Generation]) -> Generation:
    session.add(row)
    try:
        session.commit()
    except IntegrityError:  # a concurrent request with the same key won the race
        session.rollback()
        existing = find_by_key(session, row.client_id, row.idempotency_key or '', row.created_at)
        if existing is None:
            raise
        return replay(existing)
    return row


def find_by_key(session: Session, client_id: str, key: str, now: datetime) -> Generation | None:
    """The generation made with this key, unless its result expired (then the key is free again)."""
    query = select(Generation).where(Generation.client_id == client_id, Generation.idempotency_key == key)
    existing = session.exec(query).first()
    if existing is not None and is_expired(
        status=existing.status, expires_at=existing.expires_at, kept=existing.kept, now=now
    ):
        session.delete(existing)
        session.flush()
        return None
    return existing


def _replay(existing: Generation, stored_preferences: dict[str, Any]) -> Generation:
    if stored_preferences != existing.preferences:
        raise InvalidPreferences('Idempotency-Key', 'this key was already used with different preferences')
    return existing


def get_generation(*, session: Session, generation_id: str, now: datetime) -> Generation | None:
    """The generation, or None when the id is malformed, unknown, or its result has expired."""
    if not is_valid_id(generation_id):
        return None
    row = session.get(Generation, generation_id.lower())
    if row is None or is_expired(status=row.status, expires_at=row.expires_at, kept=row.kept, now=now):
        return None
    return row


def is_valid_id(generation_id: str) -> bool:
    """A uuid in its canonical text, in either case (ids are stored in lower case: compare `.lower()`)."""
    try:
        return str(uuid.UUID(generation_id)) == generation_id.lower()
    except (ValueError, AttributeError, TypeError):
        return False


def list_generations(*, session: Session, ids: list[str], now: datetime, limit: int = 50) -> list[Generation]:
    """The given generations (a browser's own), newest first, without expired ones."""
    valid = [i.lower() for i in ids if is_valid_id(i)]
    if not valid:
        return []
    query = (
        select(Generation)
        .where(col(Generation.id).in_(valid))
        .where(alive(now))
        .order_by(col(Generation.created_at).desc())
        .limit(limit)
    )
    return list(session.exec(query).all())


@writes
def cancel_generation(
    *, session: Session, generation_id: str, owner_token: str | None, now: datetime
) -> tuple[Generation | None, bool]:
    """Cancels a running generation; a finished one is returned unchanged. Raises NotOwner without its token.

    Returns the row (None when not found) and whether this call cancelled it.
    """
    row = get_generation(session=session, generation_id=generation_id, now=now)
    if row is None:
        return None, False
    if not ownership.is_owner(row.owner_token_hash, owner_token):
        raise NotOwner()
    result = session.exec(
        update(Generation)
        .where(col(Generation.id) == row.id, col(Generation.status).in_(RUNNING_STATUSES))  # row.id: lower case
        .values(
            status='cancelled',
            error='Cancelled.',
            **_ended(now),
        )
    )
    session.commit()
    session.refresh(row)
    return row, result.rowcount == 1


# --- The lifecycle: claims, leases, progress and finishing (used by the runner) ---


@writes
def claim(*, session: Session, generation_id: str, owner: str, now: datetime) -> Generation | None:
    """Takes the generation for `owner` if nobody holds a live lease on it; None if it is not ours to run."""
    result = session.exec(
        update(Generation)
        .where(
            col(Generation.id) == generation_id,
            col(Generation.status).in_(RUNNING_STATUSES),
            _lease_free(now),
            col(Generation.attempts) < settings.max_attempts,
            col(Generation.deadline_at) > now,
        )
        .values(
            status='processing',
            lease_owner=owner,
            lease_expires_at=_lease_until(now),
            attempts=Generation.attempts + 1,
            updated_at=now,
        )
    )
    session.commit()
    if result.rowcount != 1:
        return None
    return session.get(Generation, generation_id, populate_existing=True)


@writes
def renew_lease(*, session: Session, generation_id: str, owner: str, now: datetime) -> bool:
    """Extends our lease; False when the row was cancelled, finished or taken over meanwhile."""
    return _owned_update(session, generation_id, owner, lease_expires_at=_lease_until(now))


@writes
def append_progress(*, session: Session, generation_id: str, owner: str, message: str, now: datetime) -> bool:
    row = session.get(Generation, generation_id)
    if row is None or row.lease_owner != owner:
        return False
    # Stored as the API shows it, so services.generations.read_json serves it without re-encoding.
    entry = ProgressEntry(at=now, message=message).model_dump(mode='json')
    entries = [*row.progress, entry][-MAX_PROGRESS_ENTRIES:]
    return _owned_update(session, generation_id, owner, progress=entries, updated_at=now)


@writes
def save_planner_state(
    *, session: Session, generation_id: str, owner: str, state: dict[str, Any], now: datetime
) -> bool:
    return _owned_update(session, generation_id, owner, planner_state=state, updated_at=now)


@writes
def save_wish(*, session: Session, generation_id: str, owner: str, wish: dict[str, Any], now: datetime) -> bool:
    """The planner's reading of the request (understood, notUnderstood) and its notes, shown while it plans."""
    return _owned_update(session, generation_id, owner, wish=wish, updated_at=now)


@writes
def add_usage(*, session: Session, generation_id: str, owner: str, usage: dict[str, int], now: datetime) -> bool:
    row = session.get(Generation, generation_id)
    if row is None or row.lease_owner != owner:
        return False
    totals = dict(row.usage or {})
    for key, value in usage.items():
        totals[key] = totals.get(key, 0) + int(value)
    return _owned_update(session, generation_id, owner, usage=totals, updated_at=now)


@writes
def add_bundle(*, session: Session, generation_id: str, owner: str, bundle: Bundle, now: datetime) -> bool:
    """Appends one finished (already validated) bundle while processing: GET shows it at once."""
    row = session.get(Generation, generation_id, populate_existing=True)
    if row is None or row.lease_owner != owner:
        return False
    bundles = [*(row.bundles or []), bundle.model_dump(mode='json', by_alias=True)]
    return _owned_update(session, generation_id, owner, bundles=bundles, updated_at=now)


@writes
def complete(*, session: Session, generation_id: str, owner: str, bundles: list[Bundle], now: datetime) -> bool:
    dumped = [b.model_dump(mode='json') for b in bundles]
    return _finish(session, generation_id, owner, now, status='completed', bundles=dumped, error=None)


@writes
def fail(*, session: Session, generation_id: str, owner: str, error: str, now: datetime) -> bool:
    return _finish(session, generation_id, owner, now, status='failed', error=error)


def _finish(session: Session, generation_id: str, owner: str, now: datetime, **values: Any) -> bool:
    return _owned_update(
        session,
        generation_id,
        owner,
        **values,
        **_ended(now),
    )


def _owned_update(session: Session, generation_id: str, owner: str, **values: Any) -> bool:
    result = session.exec(
        update(Generation)
        .where(
            col(Generation.id) == generation_id,
            col(Generation.lease_owner) == owner,
            col(Generation.status) == 'processing',
        )
        .values(**values)
    )
    session.commit()
    return result.rowcount == 1


@writes
def release_leases(*, session: Session, owner: str) -> int:
    """On shutdown: leaves our running rows to be resumed at once by the next start, not failed."""
    result = session.exec(
        update(Generation)
        .where(col(Generation.lease_owner) == owner, col(Generation.status) == 'processing')
        # A clean stop is not a failed attempt: only crashes (expired leases) use up MAX_ATTEMPTS.
        .values(lease_owner=None, lease_expires_at=None, attempts=Generation.attempts - 1)
    )
    session.commit()
    return result.rowcount


def find_resumable(*, session: Session, now: datetime, limit: int = 100) -> list[str]:
    """Running generations nobody holds a live lease on (their server stopped or crashed), oldest first."""
    query = (
        select(Generation.id)
        .where(col(Generation.status).in_(RUNNING_STATUSES), _lease_free(now))
        .where(col(Generation.attempts) < settings.max_attempts, col(Generation.deadline_at) > now)
        .order_by(col(Generation.created_at))
        .limit(limit)
    )
    return list(session.exec(query).all())


@writes
def fail_abandoned(*, session: Session, now: datetime) -> int:
    """Fails, with a clear reason, running rows that may not be retried: out of attempts or past the deadline."""
    failed = 0
    past_deadline = col(Generation.deadline_at) <= now
    reasons = (
        (past_deadline & (col(Generation.attempts) == 0), NEVER_STARTED_MESSAGE),
        (past_deadline, DEADLINE_MESSAGE.format(minutes=_timeout_minutes())),
        (col(Generation.attempts) >= settings.max_attempts, ATTEMPTS_MESSAGE.format(attempts=settings.max_attempts)),
    )
    for condition, message in reasons:
        result = session.exec(
            update(Generation)
            .where(col(Generation.status).in_(RUNNING_STATUSES), _lease_free(now), condition)
            .values(
                status='failed',
                error=message,
                **_ended(now),
            )
        )
        failed += result.rowcount
    session.commit()
    return failed


@writes
def delete_expired(*, session: Session, now: datetime) -> int:
    """TTL cleanup: deletes finished generations past `expires_at`; running and kept ones are never touched."""
    result = session.exec(delete(Generation).where(expired(now)))
    session.commit()
    return result.rowcount


def _lease_free(now: datetime):
    return or_(col(Generation.lease_expires_at).is_(None), col(Generation.lease_expires_at) < now)


def _lease_until(now: datetime) -> datetime:
    return now + timedelta(seconds=settings.lease_seconds)


def _ended(now: datetime) -> dict[str, Any]:
    """What every end state writes: when it ended, when it expires, and no lease or saved plan any more."""
    return {
        'finished_at': now,
        'updated_at': now,
        'expires_at': _expiry(now),
        'lease_owner': None,
        'lease_expires_at': None,
        'planner_state': None,
    }


def _expiry(now: datetime) -> datetime:
    return now + timedelta(hours=settings.generation_ttl_hours)


def _timeout_minutes() -> int:
    return max(1, round(settings.generation_timeout_s / 60))
