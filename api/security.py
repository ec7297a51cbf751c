"""Security headers on every HTTP response (pages, API, static files), and Secure cookies behind https.

The Content-Security-Policy is as tight as NiceGUI allows: its pages start Vue from inline scripts and
compile component templates in the browser, so scripts need 'unsafe-inline' and 'unsafe-eval', and Quasar
sets inline styles. What it still stops: scripts, styles, fonts and connections from any other site, the
app in anyone's frame, plugins, and a <base> or form pointed elsewhere (docs/SECURITY.md).
"""

from urllib.parse import urlsplit

from settings import settings

# Event images come from the sources' own sites (any https host); map tiles from MAP_TILES_URL's host.
IMAGE_SOURCES = ("'self'", 'data:', 'blob:', 'https:')
# FastAPI's /docs and /redoc pages load Swagger UI and ReDoc from this CDN, and nothing else does.
DOCS_PATHS = ('/docs', '/docs/oauth2-redirect', '/redoc')
DOCS_CDN = 'https://cdn.jsdelivr.net'


def content_security_policy(map_tiles_url: str, *, docs: bool = False) -> str:
    images = list(IMAGE_SOURCES)
    if map_tiles_url != 'off':
        parts = urlsplit(map_tiles_url)
        images.append(f'{parts.scheme}://{parts.netloc}')
    cdn = [DOCS_CDN] if docs else []
    directives = {
        'default-src': ["'self'"],
        'script-src': ["'self'", "'unsafe-inline'", "'unsafe-eval'", *cdn],
        'style-src': ["'self'", "'unsafe-inline'", *cdn],
        'img-src': images,
        'font-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],  # the socket.io websocket: same origin (CSP level 3 'self' covers ws/wss)
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
    }
    return '; '.join(f'{name} {" ".join(sources)}' for name, sources in directives.items())


def security_headers(map_tiles_url: str, *, docs: bool = False) -> list[tuple[bytes, bytes]]:
    return [
        (b'content-security-policy', content_security_policy(map_tiles_url, docs=docs).encode()),
        (b'x-frame-options', b'DENY'),  # for browsers without frame-ancestors
        (b'x-content-type-options', b'nosniff'),
        (b'referrer-policy', b'same-origin'),
    ]


class SecurityHeaders:
    """Adds the security headers to every HTTP response and marks cookies Secure when the request came over
    https (directly, or through a proxy of TRUSTED_PROXIES saying so in X-Forwarded-Proto: uvicorn has set
    the scheme by then). Must wrap NiceGUI's session middleware to see its cookie (app.py)."""

    def __init__(self, app) -> None:
        self.app = app
        self.headers = security_headers(settings.map_tiles_url)
        self.docs_headers = security_headers(settings.map_tiles_url, docs=True)
        self.names = {name for name, _ in self.headers}

    async def __call__(self, scope, receive, send) -> None:
        if scope['type'] != 'http':
            return await self.app(scope, receive, send)
        https = scope.get('scheme') == 'https'
        added = self.docs_headers if scope['path'] in DOCS_PATHS else self.headers

        async def send_with_headers(message) -> None:
            if message['type'] == 'http.response.start':
                given = [(n, v) for n, v in message.get('headers', []) if n.lower() not in self.names]
                if https:
                    given = [(n, _secure(v) if n.lower() == b'set-cookie' else v) for n, v in given]
                message = {**message, 'headers': [*given, *added]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _secure(cookie: bytes) -> bytes:
    attributes = [part.strip().lower() for part in cookie.split(b';')[1:]]
    return cookie if b'secure' in attributes else cookie + b'; Secure'
