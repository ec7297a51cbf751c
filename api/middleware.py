"""ASGI middleware of the API: a body size limit applied before any route or parser reads the body, and gzip that
honours a client's refusal."""

from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers

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


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header allows gzip ("gzip", "gzip;q=0.5", "*"; not "gzip;q=0")."""
    weights: dict[str, bool] = {}
    for part in accept_encoding.lower().split(','):
        coding, *params = (piece.strip() for piece in part.split(';'))
        quality = next((p.removeprefix('q=').strip() for p in params if p.startswith('q=')), '1')
        try:
            weights[coding] = float(quality) > 0
        except ValueError:
            weights[coding] = False
    return weights.get('gzip', weights.get('*', False))


class GZip(GZipMiddleware):
    """Starlette's gzip, at zlib's usual level instead of 9 (JSON and pages compress within a few per cent of it
    at a fraction of the time), and only for clients that accept gzip: Starlette looks for the word "gzip" in
    Accept-Encoding, so "gzip;q=0" (gzip refused) would still get it."""

    def __init__(self, app) -> None:
        super().__init__(app, compresslevel=6)

    async def __call__(self, scope, receive, send) -> None:
        if scope['type'] == 'http' and not accepts_gzip(Headers(scope=scope).get('accept-encoding', '')):
            headers = [(name, value) for name, value in scope['headers'] if name != b'accept-encoding']
            scope = {**scope, 'headers': headers}
        await super().__call__(scope, receive, send)
