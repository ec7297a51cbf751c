"""Keeping a plan: its owner (the holder of its owner token) marks it kept, so the TTL clean-up leaves it alone,
and may un-keep it, which gives it a fresh `GENERATION_TTL_HOURS` from now. One conditional UPDATE each."""

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col

from models.generation import Generation
from services.database import writes
from services.generations import ownership
from services.generations.errors import NotOwner
from services.generations.store import get_generation
from settings import settings


@writes
def set_kept(
    *, session: Session, generation_id: str, owner_token: str | None, kept: bool, now: datetime
) -> Generation | None:
    """The row after the change; None when unknown, malformed or expired. Raises NotOwner without its token."""
    row = get_generation(session=session, generation_id=generation_id, now=now)
    if row is None:
        return None
    if not ownership.is_owner(row.owner_token_hash, owner_token):
        raise NotOwner('keep')
    values: dict = {'kept': kept}
    if not kept:  # un-kept: the usual time from now, so a plan kept for a week is not gone the moment it is let go
        values['expires_at'] = now + timedelta(hours=settings.generation_ttl_hours)
    session.exec(update(Generation).where(col(Generation.id) == row.id).values(**values))
    session.commit()
    session.refresh(row)
    return row
