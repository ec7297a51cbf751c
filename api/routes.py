"""The JSON API routes: generations, health and metrics; refusals are raised and mapped in api/errors.py."""

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST as PROMETHEUS_CONTENT_TYPE
from pydantic import BaseModel

from api.errors import INVALID_RESPONSE, NOT_FOUND_RESPONSE, UNAVAILABLE_RESPONSE, ApiError, error_response
from models import db
from models.generation import GenerationCreate, GenerationCreated, GenerationPublic, RefinementCreate
from services import clock, metrics
from services.database import in_db
from services.generations import service
from services.generations.errors import GenerationNotFound

router = APIRouter()

MAX_IDEMPOTENCY_KEY = 200


class Health(BaseModel):
    status: str


def client_id_of(request: Request) -> str:
    return f'ip:{request.client.host if request.client else "unknown"}'


@router.post(
    '/api/generations',
    response_model=GenerationCreated,
    responses={
        **INVALID_RESPONSE,
        **UNAVAILABLE_RESPONSE,
        413: {'model': ApiError, 'description': 'Body too large'},
        429: {
            'model': ApiError,
            'description': 'Too many generations from this client',
            'headers': {'Retry-After': {'schema': {'type': 'integer'}, 'description': 'Seconds to wait'}},
        },
    },
    tags=['generations'],
)
async def create_generation(
    body: GenerationCreate,
    request: Request,
    idempotency_key: Annotated[str | None, Header(max_length=MAX_IDEMPOTENCY_KEY)] = None,
) -> GenerationCreated:
    row = await service.start_generation(
        preferences=body.preferences, client_id=client_id_of(request), idempotency_key=idempotency_key
    )
    return GenerationCreated(generation_id=row.id, status=row.status, owner_token=service.owner_token(row.id))


@router.post(
    '/api/generations/{generation_id}/refinements',
    response_model=GenerationCreated,
    responses={
        **NOT_FOUND_RESPONSE,
        **INVALID_RESPONSE,
        **UNAVAILABLE_RESPONSE,
        409: {'model': ApiError, 'description': 'The plan is not completed yet'},
        429: {'model': ApiError, 'description': 'Too many generations from this client'},
    },
    tags=['generations'],
)
async def refine_generation(
    generation_id: str,
    body: RefinementCreate,
    request: Request,
    idempotency_key: Annotated[str | None, Header(max_length=MAX_IDEMPOTENCY_KEY)] = None,
) -> GenerationCreated:
    """A new plan that keeps the other bundles and remakes bundle `bundleIndex` as instructed."""
    row = await service.refine_generation(
        parent_id=generation_id, change=body, client_id=client_id_of(request), idempotency_key=idempotency_key
    )
    return GenerationCreated(generation_id=row.id, status=row.status, owner_token=service.owner_token(row.id))


@router.get(
    '/api/generations/{generation_id}',
    response_model=GenerationPublic,
    responses={**NOT_FOUND_RESPONSE, **INVALID_RESPONSE, **UNAVAILABLE_RESPONSE},
    tags=['generations'],
)
async def read_generation(generation_id: str) -> GenerationPublic:
    row = await service.get_generation(generation_id)
    if row is None:
        raise GenerationNotFound()
    return GenerationPublic.from_row(row)


@router.delete(
    '/api/generations/{generation_id}',
    response_model=GenerationPublic,
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


@router.get(
    '/healthz',
    response_model=Health,
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
