"""A local stand-in for Ticketmaster's Discovery API v2 (`/discovery/v2/events.json`), on 127.0.0.1.

It answers in the documented shape (`_embedded.events`, `page` {size, totalElements, totalPages,
number}, `_links`), page by page from the events it is given; `script` puts answers (a 429, a malformed
body) in front of chosen pages, once each. Every request's query is kept in `requests`.
"""

import json
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class DiscoveryApi:
    events: list[dict]
    size: int = 2
    # page number -> answers given (once each, in order) before the real page: (status, headers, body)
    script: dict[int, list[tuple[int, dict[str, str], bytes]]] = field(default_factory=dict)
    requests: list[dict[str, list[str]]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    url: str = ''

    def page(self, number: int) -> dict:
        total_pages = max(1, math.ceil(len(self.events) / self.size))
        chunk = self.events[number * self.size : (number + 1) * self.size]
        body: dict = {
            '_links': {'self': {'href': f'/discovery/v2/events.json?page={number}&size={self.size}'}},
            'page': {'size': self.size, 'totalElements': len(self.events), 'totalPages': total_pages, 'number': number},
        }
        if number + 1 < total_pages:
            body['_links']['next'] = {'href': f'/discovery/v2/events.json?page={number + 1}&size={self.size}'}
        if chunk:
            body['_embedded'] = {'events': chunk}
        return body


def tm_event(event_id: str, name: str, start: str, **extra: object) -> dict:
    """An event as the Discovery API writes one (trimmed to the fields importers read, plus some noise)."""
    event = {
        'name': name,
        'type': 'event',
        'id': event_id,
        'test': False,
        'url': f'https://www.ticketmaster.de/event/{event_id}',
        'locale': 'en-de',
        'images': [
            {'ratio': '3_2', 'url': f'https://s1.ticketm.net/{event_id}_3_2.jpg', 'width': 1024, 'height': 683},
            {'ratio': '16_9', 'url': f'https://s1.ticketm.net/{event_id}_640.jpg', 'width': 640, 'height': 360},
            {'ratio': '16_9', 'url': f'https://s1.ticketm.net/{event_id}_2048.jpg', 'width': 2048, 'height': 1152},
        ],
        'dates': {
            'start': {'localDate': start[:10], 'localTime': start[11:19], 'dateTime': start},
            'timezone': 'Europe/Berlin',
            'status': {'code': 'onsale'},
        },
        'classifications': [
            {
                'primary': True,
                'segment': {'id': 'KZFzniwnSyZfZ7v7nJ', 'name': 'Music'},
                'genre': {'id': 'KnvZfZ7vAvF', 'name': 'Dance/Electronic'},
                'subGenre': {'id': 'KZazBEonSMnZfZ7vkE1', 'name': 'Techno'},
            }
        ],
        'priceRanges': [{'type': 'standard', 'currency': 'EUR', 'min': 25.0, 'max': 49.5}],
        '_embedded': {
            'venues': [
                {
                    'name': 'Columbiahalle',
                    'id': 'KovZpZAFkvEA',
                    'postalCode': '10965',
                    'city': {'name': 'Berlin'},
                    'address': {'line1': 'Columbiadamm 13-21'},
                    'location': {'longitude': '13.39111', 'latitude': '52.48444'},
                }
            ]
        },
        '_links': {'self': {'href': f'/discovery/v2/events/{event_id}?locale=en-de'}},
    }
    event.update(extra)
    return event


@contextmanager
def serve(api: DiscoveryApi) -> Iterator[DiscoveryApi]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            api.requests.append(query)
            api.times.append(time.monotonic())
            if parts.path != '/discovery/v2/events.json' or not query.get('apikey'):
                return self._answer(401, {}, b'{"fault":{"faultstring":"Invalid ApiKey"}}')
            number = int(query.get('page', ['0'])[0])
            scripted = api.script.get(number)
            if scripted:
                return self._answer(*scripted.pop(0))
            self._answer(200, {}, json.dumps(api.page(number)).encode())

        def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            self.send_header('Content-Type', 'application/json')
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    api.url = f'http://127.0.0.1:{server.server_address[1]}'
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
