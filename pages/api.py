"""The JSON API (DESIGN.md section 3): a second front door onto the same services as the pages."""

import logging
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST as PROMETHEUS_CONTENT_TYPE
from pydantic import BaseModel

from models import db
from models.generation import GenerationCreate, GenerationCreated, GenerationPublic
from services import clock, generation_json, generations, metrics, runner
from services.database import in_db

router = APIRouter()

NOT_FOUND = {'error': 'Generation not found'}
MAX_IDEMPOTENCY_KEY = 200


class ApiError(BaseModel):
    error: str


class Problem(BaseModel):
    loc: list[str | int]
    msg: str


class ValidationProblem(ApiError):
    field: str
    reason: str
    detail: list[Problem]


NOT_FOUND_RESPONSE = {404: {'model': ApiError, 'description': 'Unknown, malformed or expired id'}}
UNAVAILABLE_RESPONSE = {503: {'model': ApiError, 'description': 'Database busy or unavailable; retry later'}}
INVALID_RESPONSE = {422: {'model': ValidationProblem, 'description': 'The first invalid field and why'}}


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
) -> GenerationCreated | JSONResponse:
    try:
        row = await runner.start_generation(
            preferences=body.preferences, client_id=client_id_of(request), idempotency_key=idempotency_key
        )
    except generations.RateLimited as error:
        headers = {'Retry-After': str(error.retry_after_s)}
        return JSONResponse({'error': error.message}, status_code=429, headers=headers)
    except generations.InvalidPreferences as error:
        return invalid(error.field, error.reason)
    except generations.ServiceBusy as error:
        return busy(error.message)
    return GenerationCreated(generation_id=row.id, status=row.status)


@router.get(
    '/api/generations/{generation_id}',
    response_model=GenerationPublic,
    responses={**NOT_FOUND_RESPONSE, **INVALID_RESPONSE, **UNAVAILABLE_RESPONSE},
    tags=['generations'],
)
async def read_generation(generation_id: str) -> Response:
    # The stored JSON as it is (services.generation_json): every client polls this; response_model documents it.
    body = await in_db(generation_json.read_generation_json, generation_id=generation_id, now=clock.now())
    if body is None:
        return JSONResponse(NOT_FOUND, status_code=404)
    return Response(body, media_type='application/json')


@router.delete(
    '/api/generations/{generation_id}',
    response_model=GenerationPublic,
    responses={**NOT_FOUND_RESPONSE, **INVALID_RESPONSE, **UNAVAILABLE_RESPONSE},
    tags=['generations'],
)
async def cancel_generation(generation_id: str) -> GenerationPublic | JSONResponse:
    try:
        row = await runner.cancel_generation(generation_id)
    except generations.ServiceBusy as error:
        return busy(error.message)
    if row is None:
        return JSONResponse(NOT_FOUND, status_code=404)
    return GenerationPublic.from_row(row)


@router.get('/healthz', tags=['ops'], responses={503: {'model': ApiError, 'description': 'Database unavailable'}})
async def healthz() -> Response:
    try:
        await in_db(db.ping)
    except Exception:  # any database failure means "not healthy"; the detail is logged by SQLAlchemy
        return JSONResponse({'error': 'Database unavailable'}, status_code=503)
    return JSONResponse({'status': 'ok'})


@router.get('/metrics', include_in_schema=False)
async def prometheus_metrics() -> Response:
    await in_db(metrics.refresh_database_gauges, now=clock.now())
    return Response(metrics.exposition(), media_type=PROMETHEUS_CONTENT_TYPE)


def database_unavailable(_request: Request, error: Exception) -> JSONResponse:
    """A locked or unwritable database: a clear, retryable answer instead of a 500; nothing stored is lost."""
    logging.getLogger(__name__).warning('database unavailable: %s', error)
    return busy(generations.ServiceBusy().message)


def busy(message: str) -> JSONResponse:
    return JSONResponse({'error': message}, status_code=503, headers={'Retry-After': '5'})


def invalid(field: str, reason: str) -> JSONResponse:
    return JSONResponse(
        {
            'error': 'Invalid request',
            'field': field,
            'reason': reason,
            'detail': [{'loc': field.split('.'), 'msg': reason}],
        },
        status_code=422,
    )


def validation_error_response(errors: list[dict]) -> JSONResponse:
    """FastAPI's 422 reshaped: the first problem as `field` + `reason`, all of them under `detail`."""
    if not errors:
        return invalid('body', 'invalid request')
    first = errors[0]
    loc = [str(part) for part in first.get('loc', ()) if part not in ('body',)]
    field = '.'.join(loc) or 'body'
    reason = str(first.get('msg', 'invalid value')).removeprefix('Value error, ')
    detail = [{'loc': list(e.get('loc', ())), 'msg': str(e.get('msg', ''))} for e in errors]
    return JSONResponse(
        {'error': 'Invalid request', 'field': field, 'reason': reason, 'detail': detail}, status_code=422
    )


MAX_BODY_BYTES = 64 * 1024


class BodySizeLimit:
    """Refuses API bodies over MAX_BODY_BYTES with 413, before the route or its parser sees them."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope['type'] != 'http' or not scope['path'].startswith('/api/'):
            return await self.app(scope, receive, send)
        declared = dict(scope.get('headers') or []).get(b'content-length')
        if declared is not None:
            if not declared.isdigit() or int(declared) > MAX_BODY_BYTES:
                return await _too_large(scope, receive, send)
            return await self.app(scope, receive, send)
        # No length given (chunked): read at most the limit here, then hand the body on.
        messages, size = [], 0
        while True:
            message = await receive()
            messages.append(message)
            size += len(message.get('body', b''))
            if size > MAX_BODY_BYTES:
                return await _too_large(scope, receive, send)
            if message['type'] != 'http.request' or not message.get('more_body'):
                break

        async def replay():
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


async def _too_large(scope, receive, send) -> None:
    response = JSONResponse({'error': f'Request body too large (limit {MAX_BODY_BYTES // 1024} KB)'}, status_code=413)
    await response(scope, receive, send)
