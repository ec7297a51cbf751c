"""`GET /api/generations/{id}` straight from the stored JSON: the hottest path, every client polls it.

The JSON columns are read as text (`CAST(... AS TEXT)`, so neither SQLite nor psycopg decodes them) and
spliced into the response as they are; only the short scalar fields (and a refinement's few) are encoded
here. What is stored is already the API's shape: bundles, progress and the window are written as their
models dump them (services.generations.store), so the bytes equal `GenerationPublic.from_row(row)`
(tests/api/test_api.py checks).

Clients that accept gzip get the body compressed once per version of the row and kept with it: compressing
12 KB of plan at each poll (as the server's gzip middleware did, at level 9) cost more than the read itself.
"""

import gzip
import json
import threading
from collections import OrderedDict
from datetime import UTC, datetime

from sqlalchemy import Text, bindparam, cast, select
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
).where(_table.c.id == bindparam('generation_id'))


# What tells whether a body made earlier is still the row's: every write to a generation sets its updated_at,
# and status, kept and expires_at are the rest of what can change (a cancel, "Keep this plan").
# Both statements are built once, with the id as a parameter: building a statement per read (and its cache key)
# cost more than running it.
_VERSION = select(_table.c.status, _table.c.kept, _table.c.updated_at, _table.c.expires_at).where(
    _table.c.id == bindparam('generation_id')
)
CACHE_BYTES = 16 * 1024 * 1024  # bodies kept per process: a few hundred plans that clients are polling
GZIP_LEVEL = 1  # a 14 KB plan: 3.4 KB in 58 us, against 3.0 KB in 156 us at zlib's default (6) and more at 9


class _Body:
    """One version's body, with its gzip made the first time a client that accepts gzip asks for it."""

    def __init__(self, version: tuple, plain: bytes) -> None:
        self.version, self.plain, self.gzipped = version, plain, None

    def encoded(self, compressed: bool) -> bytes:
        if not compressed:
            return self.plain
        if self.gzipped is None:  # two threads may both compress a new version once: same bytes, no harm
            self.gzipped = gzip.compress(self.plain, compresslevel=GZIP_LEVEL, mtime=0)
        return self.gzipped


class _Bodies:
    """The bodies made last, by generation id and version, least recently read dropped first. Clients poll a
    running plan several times a second and it changes a few times a minute: most reads are answered from here
    after one small query, without reading and splicing the large JSON columns again."""

    def __init__(self, limit: int) -> None:
        self.limit, self.size = limit, 0
        self.bodies: OrderedDict[str, _Body] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, generation_id: str, version: tuple) -> _Body | None:
        with self.lock:
            found = self.bodies.get(generation_id)
            if found is None or found.version != version:
                return None
            self.bodies.move_to_end(generation_id)
            return found

    def put(self, generation_id: str, body: _Body) -> None:
        with self.lock:
            old = self.bodies.pop(generation_id, None)
            self.size -= len(old.plain) if old else 0
            self.bodies[generation_id] = body
            self.size += len(body.plain)  # a gzip is a fifth of its body or less: counted with it
            while self.size > self.limit and self.bodies:
                _, dropped = self.bodies.popitem(last=False)
                self.size -= len(dropped.plain)


_bodies = _Bodies(CACHE_BYTES)


def read_generation_json(
    *, session: Session, generation_id: str, now: datetime, compressed: bool = False
) -> bytes | None:
    """The API's JSON body for this generation (gzip-compressed when `compressed`), or None when the id is
    malformed, unknown or expired."""
    if not is_valid_id(generation_id):
        return None
    generation_id = generation_id.lower()
    connection = session.connection()
    version = connection.execute(_VERSION, {'generation_id': generation_id}).first()
    if version is None or is_expired(
        status=version.status, expires_at=version.expires_at, kept=bool(version.kept), now=now
    ):
        return None
    body = _bodies.get(generation_id, tuple(version))
    if body is None:
        row = connection.execute(_QUERY, {'generation_id': generation_id}).first()
        if row is None:  # deleted between the two reads
            return None
        body = _Body((row.status, row.kept, row.updated_at, row.expires_at), _body(row))
        _bodies.put(generation_id, body)
    return body.encoded(compressed)


def _body(row) -> bytes:
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
