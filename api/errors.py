"""The API's error bodies, and the one place refusals become HTTP answers (handlers registered by app.py).

Services and routes raise domain errors, and the framework raises its own HTTP errors (405, an unreadable
body); these handlers give every one of them the one JSON shape the OpenAPI document declares, `ApiError`.
"""

import logging

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException
from starlette.routing import Match

from services.calendar_export import BundleNotFound
from services.generations.errors import (
    GenerationNotFound,
    InvalidPreferences,
    NotOwner,
    ParentNotCompleted,
    RateLimited,
    ServiceBusy,
)

log = logging.getLogger(__name__)

BUSY_RETRY_AFTER_S = 5
API_PATHS = ('/api/', '/healthz')
METHODS = ('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE')


class Problem(BaseModel):
    loc: list[str | int]
    msg: str


class ApiError(BaseModel):
    """Every error body of the API; a 422 adds the first invalid field, why, and all the problems found."""

    error: str
    field: str | None = None
    reason: str | None = None
    detail: list[Problem] | None = None


RETRY_AFTER = {'Retry-After': {'schema': {'type': 'integer'}, 'description': 'Seconds to wait before retrying'}}
NOT_FOUND_RESPONSE = {404: {'model': ApiError, 'description': 'Unknown, malformed or expired id'}}
UNAVAILABLE_RESPONSE = {
    503: {'model': ApiError, 'description': 'Database busy or unavailable; retry later', 'headers': RETRY_AFTER}
}
INVALID_RESPONSE = {
    422: {
        'model': ApiError,
        'description': 'The first invalid field and why (`field`, `reason`), every problem under `detail`; '
        'also a body that is not JSON',
    }
}
TOO_LARGE_RESPONSE = {413: {'model': ApiError, 'description': 'Body too large'}}


def error_response(message: str, status_code: int, headers: dict[str, str] | None = None) -> JSONResponse:
    body = ApiError(error=message).model_dump(exclude_none=True)
    return JSONResponse(body, status_code=status_code, headers=headers)


def busy(message: str) -> JSONResponse:
    return error_response(message, 503, headers={'Retry-After': str(BUSY_RETRY_AFTER_S)})


def invalid(field: str, reason: str) -> JSONResponse:
    problem = ApiError(
        error='Invalid request', field=field, reason=reason, detail=[Problem(loc=field.split('.'), msg=reason)]
    )
    return JSONResponse(problem.model_dump(exclude_none=True), status_code=422)


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


def _rate_limited(_request: Request, error: RateLimited) -> JSONResponse:
    return error_response(error.message, 429, headers={'Retry-After': str(error.retry_after_s)})


def _invalid_preferences(_request: Request, error: InvalidPreferences) -> JSONResponse:
    return invalid(error.field, error.reason)


def _service_busy(_request: Request, error: ServiceBusy) -> JSONResponse:
    return busy(error.message)


def _not_found(_request: Request, error: GenerationNotFound | BundleNotFound) -> JSONResponse:
    return error_response(getattr(error, 'message', None) or str(error), 404)


def _not_owner(_request: Request, error: NotOwner) -> JSONResponse:
    return error_response(error.message, 403)


def _parent_not_completed(_request: Request, error: ParentNotCompleted) -> JSONResponse:
    return error_response(error.message, 409)


def _database_unavailable(_request: Request, error: OperationalError) -> JSONResponse:
    """A locked or unwritable database: a clear, retryable answer instead of a 500; nothing stored is lost."""
    log.warning('database unavailable: %s', error)
    return busy(ServiceBusy().message)


def _request_invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
    return validation_error_response(list(error.errors()))


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette's own 405 names only the first route's)."""
    allowed = {'OPTIONS'}
    for method in METHODS:
        scope = {**request.scope, 'method': method}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes):
            allowed.add(method)
    return sorted(allowed)


async def _http_error(request: Request, error: HTTPException) -> Response:
    if error.status_code == 405:
        allow = {'Allow': ', '.join(allowed_methods(request))}
        if request.method == 'OPTIONS':  # no route declares OPTIONS: answer it here for every path
            return Response(status_code=204, headers=allow)
        return error_response('Method not allowed', 405, headers=allow)
    if not request.url.path.startswith(API_PATHS):  # the pages' errors stay the framework's
        return await http_exception_handler(request, error)
    if error.status_code == 400:
        # FastAPI's only 400 is a body it could not read (e.g. not UTF-8): the same 422 as a body that is not JSON.
        return invalid('body', 'the body is not valid JSON')
    return error_response(str(error.detail), error.status_code, headers=error.headers)


def register_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RateLimited, _rate_limited)
    app.add_exception_handler(InvalidPreferences, _invalid_preferences)
    app.add_exception_handler(ServiceBusy, _service_busy)
    app.add_exception_handler(GenerationNotFound, _not_found)
    app.add_exception_handler(NotOwner, _not_owner)
    app.add_exception_handler(ParentNotCompleted, _parent_not_completed)
    app.add_exception_handler(BundleNotFound, _not_found)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(RequestValidationError, _request_invalid)
    app.add_exception_handler(HTTPException, _http_error)
