"""The JSON API routes: generations, health and metrics; refusals are raised and mapped in api/errors.py."""

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST as PROMETHEUS_CONTENT_TYPE
from pydantic import BaseModel

from api.errors import (
    INVALID_RESPONSE,
    NOT_FOUND_RESPONSE,
    RETRY_AFTER,
    TOO_LARGE_RESPONSE,
    UNAVAILABLE_RESPONSE,
    ApiError,
    error_response,
)
from api.links import generation_links
from api.middleware import accepts_gzip
from models import db
from models.generation import Alternatives, GenerationCreate, GenerationCreated, GenerationPublic, RefinementCreate
from services import clock, metrics
from services.database import in_db
from services.generations import read_json, service
from services.generations.errors import GenerationNotFound

router = APIRouter()

MAX_IDEMPOTENCY_KEY = 200


class Health(BaseModel):
    status: str


def client_ip_of(request: Request) -> str:
    """The real peer, or X-Forwarded-For's client when the peer is one of TRUSTED_PROXIES: uvicorn's proxy
    headers middleware (app.py) has rewritten `request.client` by then, and only for those."""
    return request.client.host if request.client else 'unknown'


def client_id_of(request: Request) -> str:
    return f'ip:{client_ip_of(request)}'


@router.post(
    '/api/generations',
    response_model=GenerationCreated,
    operation_id='createGeneration',
    responses={
        200: {'description': 'Started (or replayed: the same key and preferences)', 'links': generation_links()},
        **INVALID_RESPONSE,
        **UNAVAILABLE_RESPONSE,
        **TOO_LARGE_RESPONSE,
        429: {'model': ApiError, 'description': 'Too many generations from this client', 'headers': RETRY_AFTER},
    },
    tags=['generations'],
)
async def create_generation(
    body: GenerationCreate,
    request: Request,
    idempotency_key: Annotated[
        str | None,
        Header(
            max_length=MAX_IDEMPOTENCY_KEY,
            description='Replaying a key with the same preferences returns the first generation; '
            'with other preferences it is a 422',
        ),
    ] = None,
) -> GenerationCreated:
    row = await service.start_generation(
        preferences=body.preferences,
        client_id=client_id_of(request),
        client_ip=client_ip_of(request),
        idempotency_key=idempotency_key,
    )
    return GenerationCreated(generation_id=row.id, status=row.status, owner_token=service.owner_token(row.id))


@router.post(
    '/api/generations/{generation_id}/refinements',
    response_model=GenerationCreated,
    operation_id='refineGeneration',
    responses={
        200: {'description': 'The refined plan started (or replayed)', 'links': generation_links()},
        **NOT_FOUND_RESPONSE,
        **INVALID_RESPONSE,
        **UNAVAILABLE_RESPONSE,
        **TOO_LARGE_RESPONSE,
        409: {'model': ApiError, 'description': 'The plan is not completed yet'},
        429: {'model': ApiError, 'description': 'Too many generations from this client', 'headers': RETRY_AFTER},
    },
    tags=['generations'],
)
async def refine_generation(
    generation_id: str,
    body: RefinementCreate,
    request: Request,
    idempotency_key: Annotated[
        str | None,
        Header(max_length=MAX_IDEMPOTENCY_KEY, description='Replaying a key with the same change returns the first'),
    ] = None,
) -> GenerationCreated:
    """A new plan that keeps the other bundles and remakes bundle `bundleIndex` as instructed."""
    row = await service.refine_generation(
        parent_id=generation_id,
        change=body,
        client_id=client_id_of(request),
        client_ip=client_ip_of(request),
        idempotency_key=idempotency_key,
    )
    return GenerationCreated(generation_id=row.id, status=row.status, owner_token=service.owner_token(row.id))


@router.get(
    '/api/generations/{generation_id}',
    response_model=GenerationPublic,
    operation_id='readGeneration',
    responses={**NOT_FOUND_RESPONSE, **INVALID_RESPONSE, **UNAVAILABLE_RESPONSE},
    tags=['generations'],
)
async def read_generation(generation_id: str, request: Request) -> Response:
    # The stored JSON as it is (services.generations.read_json): every client polls this, so it skips
    # decoding and re-encoding, and a client that accepts gzip gets the copy compressed once per version
    # (the gzip middleware leaves a response that already has a Content-Encoding as it is).
    compressed = accepts_gzip(request.headers.get('accept-encoding', ''))
    body = await in_db(
        read_json.read_generation_json, generation_id=generation_id, now=clock.now(), compressed=compressed
    )
    if body is None:
        raise GenerationNotFound()
    headers = {'Vary': 'Accept-Encoding', **({'Content-Encoding': 'gzip'} if compressed else {})}
    return Response(body, media_type='application/json', headers=headers)


@router.delete(
    '/api/generations/{generation_id}',
    response_model=GenerationPublic,
    operation_id='cancelGeneration',
    responses={
        **NOT_FOUND_RESPONSE,
        **INVALID_RESPONSE,
        **UNAVAILABLE_RESPONSE,
        403: {'model': ApiError, 'description': 'Missing or wrong X-Owner-Token'},
    },
    tags=['generations'],
)
async def cancel_generation(
    generation_id: str, x_owner_token: Annotated[str | None, Header(max_length=200)] = None
) -> GenerationPublic:
    row = await service.cancel_generation(generation_id, x_owner_token)
    if row is None:
        raise GenerationNotFound()
    return GenerationPublic.from_row(row)


_KEEP_RESPONSES = {
    **NOT_FOUND_RESPONSE,
    **INVALID_RESPONSE,
    **UNAVAILABLE_RESPONSE,
    403: {'model': ApiError, 'description': 'Missing or wrong X-Owner-Token'},
}


@router.post(
    '/api/generations/{generation_id}/keep',
    response_model=GenerationPublic,
    operation_id='keepGeneration',
    responses=_KEEP_RESPONSES,
    tags=['generations'],
)
async def keep_generation(
    generation_id: str, x_owner_token: Annotated[str | None, Header(max_length=200)] = None
) -> GenerationPublic:
    """Keeps the plan: the TTL clean-up leaves it alone until its owner un-keeps it."""
    return await _set_kept(generation_id, x_owner_token, kept=True)


@router.delete(
    '/api/generations/{generation_id}/keep',
    response_model=GenerationPublic,
    operation_id='unkeepGeneration',
    responses=_KEEP_RESPONSES,
    tags=['generations'],
)
async def unkeep_generation(
    generation_id: str, x_owner_token: Annotated[str | None, Header(max_length=200)] = None
) -> GenerationPublic:
    """Un-keeps the plan: it expires GENERATION_TTL_HOURS from now."""
    return await _set_kept(generation_id, x_owner_token, kept=False)


async def _set_kept(generation_id: str, owner_token: str | None, *, kept: bool) -> GenerationPublic:
    row = await service.keep_generation(generation_id, owner_token, kept=kept)
    if row is None:
        raise GenerationNotFound()
    return GenerationPublic.from_row(row)


@router.get(
    '/api/generations/{generation_id}/bundles/{index}/alternatives',
    response_model=Alternatives,
    operation_id='bundleAlternatives',
    responses={
        **NOT_FOUND_RESPONSE,
        **INVALID_RESPONSE,
        **UNAVAILABLE_RESPONSE,
        409: {'model': ApiError, 'description': 'The plan is not completed yet'},
    },
    tags=['generations'],
)
async def bundle_alternatives(
    generation_id: str,
    index: Annotated[int, Path(ge=0, le=20, description='The bundle, counted from 0')],
    event_id: Annotated[str, Query(alias='eventId', min_length=1, max_length=200, description='The event to replace')],
) -> Alternatives:
    """The best valid replacements for one event of a completed plan's bundle, best first (up to three): each
    keeps every rule with the rest of the plan and the person's hard wishes."""
    found = await service.bundle_alternatives(generation_id=generation_id, bundle_index=index, event_id=event_id)
    return Alternatives(alternatives=found)


@router.get(
    '/healthz',
    response_model=Health,
    operation_id='healthz',
    tags=['ops'],
    responses={503: {'model': ApiError, 'description': 'Database unavailable'}},
)
async def healthz() -> Health | JSONResponse:
    try:
        await in_db(db.ping)
    except Exception:  # any database failure means "not healthy"; the detail is logged by SQLAlchemy
        return error_response('Database unavailable', 503)  # no Retry-After: not a passing lock
    return Health(status='ok')


@router.get('/metrics', include_in_schema=False)
async def prometheus_metrics() -> Response:
    await in_db(metrics.refresh_database_gauges, now=clock.now())
    return Response(metrics.exposition(), media_type=PROMETHEUS_CONTENT_TYPE)
