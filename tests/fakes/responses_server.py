"""A fake OpenAI Responses API: a real HTTP server on 127.0.0.1, scripted per test, that checks the loop.

Tests queue steps (`tests.fakes.responses_steps`: a reply, an HTTP error, a hang, a malformed body) and
point the real `openai` SDK at `server.url`. Every request is recorded and checked against what the
Responses API requires of a stateless tool loop (`tests.fakes.responses_protocol`); a wrong loop is
answered with a 400 and listed in `server.violations`.

Run it for the whole app: `python -m tests.fakes.responses_server --port 8765 --script demo`, then start
the app with `OPENAI_BASE_URL=http://127.0.0.1:8765/v1 OPENAI_API_KEY=test-key PLANNER=openai`
(scripts: `tests.fakes.responses_policies`).
"""

import argparse
import json
import logging
import signal
import sys
import threading
import time
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fakes.responses_policies import SCRIPTS
from tests.fakes.responses_protocol import (
    Exchange,
    check_calls_answered,
    check_continuity,
    check_options,
    check_shape,
    conversation_key,
    error_reply,
    estimate_usage,
    is_restart,
)
from tests.fakes.responses_steps import Hang, HttpError, Malformed, Policy, Reply, Step, next_number

log = logging.getLogger(__name__)

DEFAULT_TOOLS = ('search_events', 'get_event')


class FakeResponsesServer:
    """`with FakeResponsesServer() as server:` ... `server.add(Reply([...]))`; `server.url` for base_url."""

    def __init__(
        self,
        *steps: Step,
        policy: Policy | None = None,
        expect_encrypted_reasoning: bool = True,
        expect_tools: Iterable[str] = DEFAULT_TOOLS,
        port: int = 0,
        latency_s: float = 0,
    ) -> None:
        self.steps: list[Step] = list(steps)
        self.latency_s = latency_s  # every answer waits this long, like a model thinking (outside the lock)
        self.policy = policy  # answers once the queued steps are used up (the demo script)
        self.expect_encrypted_reasoning = expect_encrypted_reasoning
        self.expect_tools = tuple(expect_tools)
        self.requests: list[dict[str, Any]] = []  # every request body, in order, retries included
        self.replies: list[dict[str, Any]] = []  # every response object sent
        self.violations: list[str] = []
        self.restarts = 0  # conversations that began again from their first message
        self._exchanges: dict[str, Exchange] = {}  # per conversation
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(('127.0.0.1', port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={'poll_interval': 0.05}, name='fake-responses', daemon=True
        )

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f'http://127.0.0.1:{self.port}/v1'

    def add(self, *steps: Step) -> None:
        with self._lock:
            self.steps.extend(steps)

    def start(self) -> 'FakeResponsesServer':
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes hanging handlers
        if self._thread.is_alive():  # shutdown() waits forever for a loop that never ran
            self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> 'FakeResponsesServer':
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def assert_clean(self) -> None:
        assert not self.violations, 'the planner broke the Responses API loop:\n' + '\n'.join(self.violations)

    @property
    def usage_totals(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for reply in self.replies:
            usage = reply.get('usage') or {}
            for key in ('input_tokens', 'output_tokens', 'total_tokens'):
                totals[key] = totals.get(key, 0) + usage.get(key, 0)
            reasoning = (usage.get('output_tokens_details') or {}).get('reasoning_tokens', 0)
            totals['reasoning_tokens'] = totals.get('reasoning_tokens', 0) + reasoning
        return totals

    # Called from the handler threads.

    def handle(self, body: dict[str, Any]) -> tuple[int, dict[str, str], str]:
        with self._lock:
            self.requests.append(body)
            problems = self._check(body)
            if problems:
                self.violations.extend(problems)
                return error_reply(400, '; '.join(problems), 'fake_check_failed', {})
            step = self._next_step(body)
        if self.latency_s:
            self._stopping.wait(self.latency_s)
        return self._serve(step, body)

    def _next_step(self, body: dict[str, Any]) -> Step:
        if self.steps:
            return self.steps.pop(0)
        if self.policy is not None:
            return self.policy(body)
        self.violations.append(f'request {len(self.requests)} came after the script ended')
        return HttpError(500, 'the fake server has no step left for this request', headers={'x-should-retry': 'false'})

    def _serve(self, step: Step, body: dict[str, Any]) -> tuple[int, dict[str, str], str]:
        match step:
            case HttpError():
                return error_reply(step.status, step.message, step.code, step.headers)
            case Hang():
                self._stopping.wait(step.seconds)
                return error_reply(504, 'the fake server hung', None, {'x-should-retry': 'false'})
            case Malformed():
                return 200, {}, step.body
        reply = self._response_object(step, body)
        with self._lock:
            self.replies.append(reply)
            self._exchanges[conversation_key(body)] = (list(body['input']), reply['output'])
        return 200, {}, json.dumps(reply)

    def _response_object(self, step: Reply, body: dict[str, Any]) -> dict[str, Any]:
        output = [dict(item) for item in step.output]
        if 'reasoning.encrypted_content' not in (body.get('include') or []):
            # Like the real API: encrypted reasoning only when asked for.
            output = [{k: v for k, v in item.items() if k != 'encrypted_content'} for item in output]
        incomplete = {'reason': step.incomplete_reason} if step.status == 'incomplete' else None
        return {
            'id': f'resp_{next_number():04d}',
            'object': 'response',
            'created_at': int(time.time()),
            'model': body.get('model', 'fake-model'),
            'status': step.status,
            'error': None,
            'incomplete_details': incomplete,
            'instructions': body.get('instructions'),
            'output': output,
            'parallel_tool_calls': body.get('parallel_tool_calls', True),
            'tool_choice': body.get('tool_choice', 'auto'),
            'tools': body.get('tools', []),
            'text': body.get('text'),
            'reasoning': body.get('reasoning'),
            'store': body.get('store', True),
            'usage': step.usage or estimate_usage(body, output),
        }

    # --- The checks ---

    def _check(self, body: dict[str, Any]) -> list[str]:
        number = len(self.requests)
        problems = [f'request {number}: {p}' for p in check_shape(body, self.expect_tools)]
        options = check_options(body, expect_encrypted_reasoning=self.expect_encrypted_reasoning)
        problems += [f'request {number}: {p}' for p in options]
        items = body.get('input')
        if isinstance(items, list):
            problems += [f'request {number}: {p}' for p in check_calls_answered(items)]
            problems += [f'request {number}: {p}' for p in self._check_continuity(items, body)]
        return problems

    def _check_continuity(self, items: list[Any], body: dict[str, Any]) -> list[str]:
        previous = self._exchanges.get(conversation_key(body))
        if previous is None:
            return []
        if is_restart(items, previous):
            self.restarts += 1
            return []
        return check_continuity(items, previous)


def _handler_for(server: FakeResponsesServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'
        # Headers and body in one segment: split writes cost a delayed ACK (~40 ms) per request.
        disable_nagle_algorithm = True
        wbufsize = 1 << 16

        def do_POST(self) -> None:
            length = int(self.headers.get('content-length') or 0)
            raw = self.rfile.read(length)
            if self.path.rstrip('/') != '/v1/responses':
                self._send(404, {}, json.dumps({'error': {'message': f'no route {self.path}', 'type': 'not_found'}}))
                return
            try:
                body = json.loads(raw)
            except ValueError:
                self._send(*error_reply(400, 'the request body is not JSON', None, {}))
                return
            self._send(*server.handle(body))

        def _send(self, status: int, headers: dict[str, str], text: str) -> None:
            data = text.encode()
            try:
                self.send_response(status)
                self.send_header('content-type', 'application/json')
                self.send_header('content-length', str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test): nothing to answer

        def log_message(self, format: str, *args: Any) -> None:
            log.debug('fake responses server: ' + format, *args)

    return Handler


# --- The demo script: searches, then answers with real ids from the tool outputs -------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description='A fake OpenAI Responses API on 127.0.0.1.')
    parser.add_argument('--port', type=int, default=0, help='0 picks a free port')
    parser.add_argument('--script', choices=sorted(SCRIPTS), default='demo')
    parser.add_argument('--no-encrypted-reasoning', action='store_true', help='expect OPENAI_ENCRYPTED_REASONING=false')
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(message)s')
    server = FakeResponsesServer(
        policy=SCRIPTS[args.script], expect_encrypted_reasoning=not args.no_encrypted_reasoning, port=args.port
    )
    server.start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # a test stopping us still gets the usage line
    print(f'fake Responses API listening on {server.url}', flush=True)
    reported = 0
    try:
        while True:
            time.sleep(0.5)
            for problem in server.violations[reported:]:
                print(f'LOOP VIOLATION: {problem}', file=sys.stderr, flush=True)
            reported = len(server.violations)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        totals = server.usage_totals
        print(f'requests: {len(server.requests)}; estimated usage: {json.dumps(totals)}', flush=True)


if __name__ == '__main__':
    main()
