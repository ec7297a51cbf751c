"""ASGI middleware of the API: a body size limit applied before any route or parser reads the body."""

from fastapi.responses import JSONResponse

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
