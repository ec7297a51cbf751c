"""The hourly limit on new generations (and refinements), counted per client and per address."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.generation import Generation
from services.generations.errors import RateLimited
from settings import settings

RATE_WINDOW = timedelta(hours=1)


def check(session: Session, *, client_id: str, client_ip: str | None, now: datetime) -> None:
    """Refuses a new generation when the client or its address already started the hourly limit's worth.

    Both are counted: the address alone would let one household's browsers share a single budget only,
    the browser alone lets whoever clears their cookies start without end (docs/SECURITY.md).
    """
    if settings.rate_limit_per_hour == 0:
        return
    buckets = [Generation.client_id == client_id]
    if client_ip:
        buckets.append(Generation.client_ip == client_ip)
    waits = [_wait(session, bucket, now) for bucket in buckets]
    if longest := max((wait for wait in waits if wait is not None), default=None):
        raise RateLimited(int(longest.total_seconds()) + 1)


def _wait(session: Session, bucket: Any, now: datetime) -> timedelta | None:
    """How long until the bucket's oldest generation of the last hour leaves it; None when it is not full."""
    since = now - RATE_WINDOW
    count, oldest = session.exec(
        select(func.count(), func.min(Generation.created_at)).where(bucket, col(Generation.created_at) > since)
    ).one()
    return RATE_WINDOW - (now - oldest) if count >= settings.rate_limit_per_hour else None
