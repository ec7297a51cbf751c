"""A worker's tiny HTTP face: `GET /healthz` (the database answers; how much it plans) and `GET /metrics`.

Only for probes on HOST:PORT (systemd, a load balancer's health check, Prometheus): a worker serves no
pages, so a few lines of asyncio streams do, instead of a web framework in every worker.
"""

import asyncio
import json
import logging
import os

from models.db import ping
from services import metrics
from services.database import in_db
from services.generations.runner import Runner

log = logging.getLogger(__name__)


async def start(*, host: str, port: int, runner: Runner) -> asyncio.Server:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readuntil(b'\r\n\r\n'), timeout=5)
            path = request.split(b' ', 2)[1].decode(errors='replace') if request.count(b' ') >= 2 else ''
            status, kind, body = await _route(path.split('?')[0], runner)
            head = f'HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\n'
            head += 'Connection: close\r\n\r\n'
            writer.write(head.encode() + body)
            await writer.drain()
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass  # a probe that hung up or sent garbage gets nothing
        finally:
            writer.close()

    return await asyncio.start_server(answer, host, port)


async def _route(path: str, runner: Runner) -> tuple[str, str, bytes]:
    if path == '/metrics':
        return '200 OK', 'text/plain; version=0.0.4', metrics.exposition()
    if path != '/healthz':
        return '404 Not Found', 'application/json', b'{"error": "Not found"}'
    try:
        await in_db(ping)
    except Exception as error:  # any database failure means "not healthy", said in one line
        log.warning('health check: database unavailable (%s)', type(error).__name__)
        return '503 Service Unavailable', 'application/json', b'{"status": "database unavailable"}'
    body = {'status': 'ok', 'role': 'worker', 'pid': os.getpid(), 'planning': runner.active}
    return '200 OK', 'application/json', json.dumps(body).encode()
