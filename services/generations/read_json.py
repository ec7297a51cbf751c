"""`GET /api/generations/{id}` straight from the stored JSON: the hottest path, every client polls it.

The JSON columns are read as text (`CAST(... AS TEXT)`, so neither SQLite nor psycopg decodes them) and
spliced into the response as they are; only the short scalar fields (and a refinement's few) are encoded
here. What is stored is already the API's shape: bundles, progress and the window are written as their
models dump them (services.generations.store), so the bytes equal `GenerationPublic.from_row(row)`
(tests/api/test_api.py checks).
"""

import json
from datetime import UTC, datetime

from sqlalchemy import Text, cast, select
from sqlmodel import Session

from models.generation import Generation, RefinementPublic
from services.generations.expiry import is_expired
from services.generations.store import is_valid_id

_table = Generation.__table__
_RAW = ('preferences', 'bundles', 'progress', 'window', 'usage', 'refinement', 'wish')
_QUERY = select(
    _table.c.id,
    _table.c.status,
    *(cast(_table.c[name], Text).label(name) for name in _RAW),
    _table.c.error,
    _table.c.planner,
    _table.c.parent_id,
    _table.c.kept,
    _table.c.created_at,
    _table.c.updated_at,
    _table.c.expires_at,
)


def read_generation_json(*, session: Session, generation_id: str, now: datetime) -> bytes | None:
    """The API's JSON body for this generation, or None when the id is malformed, unknown or expired."""
    if not is_valid_id(generation_id):
        return None
    row = session.connection().execute(_QUERY.where(_table.c.id == generation_id.lower())).first()
    if row is None or is_expired(status=row.status, expires_at=row.expires_at, kept=bool(row.kept), now=now):
        return None
    parts = (
        f'{{"generationId":"{row.id}","status":"{row.status}","preferences":{row.preferences},'
        f'"bundles":{row.bundles or "null"},"error":{json.dumps(row.error)},"progress":{row.progress},'
        f'"planner":{json.dumps(row.planner)},"window":{row.window},"usage":{row.usage or "null"},'
        f'"parentId":{json.dumps(row.parent_id)},"refinement":{_refinement(row.refinement)},{_wish(row.wish)},'
        f'"kept":{"true" if row.kept else "false"},'
        f'"createdAt":"{_instant(row.created_at)}","updatedAt":"{_instant(row.updated_at)}",'
        f'"expiresAt":"{_instant(row.expires_at)}"}}'
    )
    return parts.encode()


def _refinement(raw: str | None) -> str:
    """Stored as the planner needs it; the API shows a smaller shape, so this one small field is re-encoded."""
    if not raw or raw == 'null':
        return 'null'
    return RefinementPublic.model_validate(json.loads(raw)).model_dump_json()


def _wish(raw: str | None) -> str:
    """The wish's three fields; small, so re-encoded in the API's order."""
    wish = json.loads(raw) if raw and raw != 'null' else {}
    fields = (('understood', 'understood'), ('notUnderstood', 'notUnderstood'), ('notes', 'notes'))
    return ','.join(f'"{name}":{json.dumps(wish.get(key), separators=(",", ":"))}' for name, key in fields)


def _instant(value: datetime) -> str:
    """As pydantic writes an aware UTC datetime: ISO 8601 with a Z."""
    return value.astimezone(UTC).isoformat().replace('+00:00', 'Z')
