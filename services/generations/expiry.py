"""When a generation's result has expired: finished, past `expires_at`, and not kept by its owner.

One definition for the reads (a page, the API, the history), the idempotency replay and the TTL clean-up, so a
kept plan is never shown as expired by one and deleted by another.
"""

from datetime import datetime

from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from models.generation import FINISHED_STATUSES, RUNNING_STATUSES, Generation


def is_expired(*, status: str, expires_at: datetime, kept: bool, now: datetime) -> bool:
    return status in FINISHED_STATUSES and not kept and expires_at <= now


def expired(now: datetime) -> ColumnElement[bool]:
    """The rows the TTL clean-up deletes: finished, past their expiry, not kept (running rows never)."""
    return and_(
        col(Generation.status).in_(FINISHED_STATUSES),
        col(Generation.kept).is_(False),
        col(Generation.expires_at) <= now,
    )


def alive(now: datetime) -> ColumnElement[bool]:
    """The rows still shown: running, kept, or not yet expired."""
    return or_(
        col(Generation.status).in_(RUNNING_STATUSES), col(Generation.kept).is_(True), col(Generation.expires_at) > now
    )
