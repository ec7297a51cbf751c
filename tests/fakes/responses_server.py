"""A fake OpenAI Responses API: a real HTTP server on 127.0.0.1, scripted per test, that checks the loop.

Tests queue steps (a reply, an HTTP error, a hang, a malformed body) and point the real `openai` SDK at
`server.url`. Every request is recorded and checked against what the Responses API requires of a
stateless tool loop; a wrong loop is answered with a 400 and listed in `server.violations`:

- every `function_call` in the input is followed by exactly one `function_call_output` with its call_id;
- each request repeats the previous exchange of its conversation: the earlier input unchanged, then the
  earlier output items in order (reasoning items included, with their encrypted content), then only
  tool outputs or user messages;
- the tools and the JSON-schema text format are sent on every turn, with `store=False` and, when
  expected, `include=["reasoning.encrypted_content"]`.

Usage figures are estimates (about 4 characters a token, a fixed number of reasoning tokens per
reasoning item), good for comparing runs, not for billing.

Run it for the whole app: `python -m tests.fakes.responses_server --port 8765 --script demo`, then start
the app with `OPENAI_BASE_URL=http://127.0.0.1:8765/v1 OPENAI_API_KEY=test-key PLANNER=openai`.
"""

import argparse
import itertools
import json
import logging
import random
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

log = logging.getLogger(__name__)

CHARS_PER_TOKEN = 4
REASONING_TOKENS_PER_ITEM = 160
DEFAULT_TOOLS = ('search_events', 'get_event')
_ids = itertools.count(1)


# --- Script steps --------------------------------------------------------------------------------


@dataclass
class Reply:
    """A 200 with a response object holding `output` (build items with the helpers below)."""

    output: list[dict[str, Any]]
    status: str = 'completed'
    incomplete_reason: str | None = None
    usage: dict[str, Any] | None = None  # None: estimated from the request and the output


@dataclass
class HttpError:
    status: int
    message: str = 'fake error'
    code: str | None = None
    # Retries come fast: the SDK honours retry-after-ms.
    headers: dict[str, str] = field(default_factory=lambda: {'retry-after-ms': '10'})


@dataclass
class Hang:
    """Answers nothing for `seconds` (the client should time out first), then a 504."""

    seconds: float = 30


@dataclass
class Malformed:
    """A 200 whose body is not a response object."""

    body: str = '{"id": "resp_broken", "object": "resp'


Step = Reply | HttpError | Hang | Malformed
Policy = Callable[[dict[str, Any]], Step]


# --- Item builders -------------------------------------------------------------------------------


def reasoning_item(summary: str = 'Thinking about what fits.') -> dict[str, Any]:
    number = next(_ids)
    return {
        'type': 'reasoning',
        'id': f'rs_{number:04d}',
        'summary': [{'type': 'summary_text', 'text': summary}],
        'encrypted_content': f'gAAAA-encrypted-{number:04d}',
    }


def function_call(name: str, arguments: dict[str, Any] | str, call_id: str | None = None) -> dict[str, Any]:
    number = next(_ids)
    return {
        'type': 'function_call',
        'id': f'fc_{number:04d}',
        'call_id': call_id or f'call_{number:04d}',
        'name': name,
        'arguments': arguments if isinstance(arguments, str) else json.dumps(arguments),
        'status': 'completed',
    }


def search_args(**given: Any) -> dict[str, Any]:
    """search_events arguments as a strict-schema model sends them: every field, null when unused."""
    arguments: dict[str, Any] = {
        'categories': [],
        'genres': [],
        'text': None,
        'neighborhood': None,
        'max_price': None,
        'starts_after': None,
        'starts_before': None,
        'limit': None,
    }
    return {**arguments, **given}


def message(text: str) -> dict[str, Any]:
    return {
        'type': 'message',
        'id': f'msg_{next(_ids):04d}',
        'role': 'assistant',
        'status': 'completed',
        'content': [{'type': 'output_text', 'text': text, 'annotations': []}],
    }


def refusal(text: str = "I can't help with that.") -> dict[str, Any]:
    return {
        'type': 'message',
        'id': f'msg_{next(_ids):04d}',
        'role': 'assistant',
        'status': 'completed',
        'content': [{'type': 'refusal', 'refusal': text}],
    }


def answer(*bundles: dict[str, Any]) -> dict[str, Any]:
    """A final message with the bundles JSON; bundles from `bundle()`."""
    return message(json.dumps({'bundles': list(bundles)}))


def bundle(title: str, *event_ids: str, tags: Iterable[str] = ('fun',)) -> dict[str, Any]:
    return {
        'title': title,
        'description': f'{title}: a plan made of real events.',
        'tags': list(tags),
        'key_events': [{'event_id': event_id, 'why': f'Fits the {title} theme'} for event_id in event_ids],
    }


def tool_outputs(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The parsed outputs of every function call in a request (what the planner's tools answered)."""
    outputs = []
    for item in body.get('input', []):
        if isinstance(item, dict) and item.get('type') == 'function_call_output':
            try:
                outputs.append(json.loads(item['output']))
            except (TypeError, ValueError):
                outputs.append({'unparsed': item.get('output')})
    return outputs


# --- The server ----------------------------------------------------------------------------------


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
        self._exchanges: dict[str, tuple[list[Any], list[dict[str, Any]]]] = {}  # per conversation
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
                return _error_reply(400, '; '.join(problems), 'fake_check_failed', {})
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
                return _error_reply(step.status, step.message, step.code, step.headers)
            case Hang():
                self._stopping.wait(step.seconds)
                return _error_reply(504, 'the fake server hung', None, {'x-should-retry': 'false'})
            case Malformed():
                return 200, {}, step.body
        reply = self._response_object(step, body)
        with self._lock:
            self.replies.append(reply)
            self._exchanges[_conversation_key(body)] = (list(body['input']), reply['output'])
        return 200, {}, json.dumps(reply)

    def _response_object(self, step: Reply, body: dict[str, Any]) -> dict[str, Any]:
        output = [dict(item) for item in step.output]
        if 'reasoning.encrypted_content' not in (body.get('include') or []):
            # Like the real API: encrypted reasoning only when asked for.
            output = [{k: v for k, v in item.items() if k != 'encrypted_content'} for item in output]
        incomplete = {'reason': step.incomplete_reason} if step.status == 'incomplete' else None
        return {
            'id': f'resp_{next(_ids):04d}',
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
        problems = [f'request {number}: {p}' for p in _check_shape(body, self.expect_tools)]
        problems += [f'request {number}: {p}' for p in self._check_options(body)]
        items = body.get('input')
        if isinstance(items, list):
            problems += [f'request {number}: {p}' for p in _check_calls_answered(items)]
            problems += [f'request {number}: {p}' for p in self._check_continuity(items, body)]
        return problems

    def _check_options(self, body: dict[str, Any]) -> list[str]:
        problems = []
        include = body.get('include') or []
        if body.get('store') is not False:
            problems.append('store must be false (the loop resends the whole conversation)')
        if self.expect_encrypted_reasoning and 'reasoning.encrypted_content' not in include:
            problems.append('include must ask for reasoning.encrypted_content')
        if not self.expect_encrypted_reasoning and 'reasoning.encrypted_content' in include:
            problems.append('include asks for encrypted reasoning this server does not support')
        return problems

    def _check_continuity(self, items: list[Any], body: dict[str, Any]) -> list[str]:
        key = _conversation_key(body)
        previous = self._exchanges.get(key)
        if previous is None:
            return []
        earlier_input, earlier_output = previous
        if len(items) == 1 and len(earlier_input) >= 1:
            self.restarts += 1  # the same request started over from its first message
            return []
        if items[: len(earlier_input)] != earlier_input:
            return ['the earlier input was changed or dropped (it must be resent unchanged)']
        expected = [i for i in earlier_output if self._must_be_resent(i)]
        echoed = items[len(earlier_input) : len(earlier_input) + len(expected)]
        problems = []
        for position, (want, got) in enumerate(itertools.zip_longest(expected, echoed)):
            if got is None or not _same_item(want, got):
                kind = want.get('type') if want else 'extra'
                problems.append(f'output item {position} of the last response ({kind}) not passed back in order')
                break
        for item in items[len(earlier_input) + len(expected) :]:
            if not isinstance(item, dict):
                continue
            if item.get('type') not in ('function_call_output', 'message', None) or (
                item.get('type') != 'function_call_output' and item.get('role') != 'user'
            ):
                problems.append(f'unexpected {item.get("type") or item.get("role")} item after the last response')
        return problems

    def _must_be_resent(self, item: dict[str, Any]) -> bool:
        # Reasoning without encrypted content cannot be resolved by a stateless server; dropping it is right.
        return item.get('type') != 'reasoning' or bool(item.get('encrypted_content') or item.get('content'))


def _check_shape(body: dict[str, Any], expect_tools: tuple[str, ...]) -> list[str]:
    problems = []
    if not isinstance(body.get('model'), str) or not body['model']:
        problems.append('model missing')
    if not isinstance(body.get('input'), list) or not body['input']:
        problems.append('input must be a non-empty list of items')
    tools = body.get('tools') or []
    names = {t.get('name') for t in tools if isinstance(t, dict)}
    missing = [n for n in expect_tools if n not in names]
    if missing:
        problems.append(f'tools not sent on this turn: {", ".join(missing)}')
    for tool in tools:
        if tool.get('type') != 'function' or 'function' in tool:
            problems.append(f'tool {tool.get("name")!r} is not a flat Responses-API function tool')
        elif tool.get('strict') is not True or tool.get('parameters', {}).get('additionalProperties') is not False:
            problems.append(f'tool {tool.get("name")!r} is not strict')
    text_format = (body.get('text') or {}).get('format') or {}
    if text_format.get('type') != 'json_schema' or not text_format.get('schema'):
        problems.append('text.format json_schema not sent on this turn')
    return problems


def _check_calls_answered(items: list[Any]) -> list[str]:
    problems = []
    open_calls: dict[str, int] = {}
    answered: set[str] = set()
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(f'input item {position} is not an object')
            continue
        if item.get('type') == 'function_call':
            open_calls[item.get('call_id', '')] = position
        elif item.get('type') == 'function_call_output':
            call_id = item.get('call_id')
            if call_id not in open_calls:
                problems.append(f'function_call_output {call_id} answers no earlier function_call')
            elif call_id in answered:
                problems.append(f'function_call {call_id} answered twice')
            if not isinstance(item.get('output'), str):
                problems.append(f'function_call_output {call_id} output must be a string')
            answered.add(call_id)
        for sdk_only in ('parsed_arguments', 'parsed'):
            if sdk_only in json.dumps(item) and _has_key(item, sdk_only):
                problems.append(f'input item {position} carries the SDK-only field {sdk_only}')
    for call_id, position in open_calls.items():
        if call_id not in answered:
            problems.append(f'function_call {call_id} (input item {position}) has no function_call_output')
    return problems


def _has_key(value: Any, key: str) -> bool:
    if isinstance(value, dict):
        return key in value or any(_has_key(v, key) for v in value.values())
    if isinstance(value, list):
        return any(_has_key(v, key) for v in value)
    return False


def _same_item(want: dict[str, Any], got: Any) -> bool:
    if not isinstance(got, dict) or got.get('type') != want.get('type') or got.get('id') != want.get('id'):
        return False
    match want.get('type'):
        case 'reasoning':
            return got.get('encrypted_content') == want.get('encrypted_content')
        case 'function_call':
            return all(got.get(k) == want.get(k) for k in ('call_id', 'name', 'arguments'))
        case 'message':
            return got.get('content') == want.get('content')
    return True


def _conversation_key(body: dict[str, Any]) -> str:
    items = body.get('input') or [{}]
    return json.dumps(items[0], sort_keys=True)[:2000]


def estimate_usage(body: dict[str, Any], output: list[dict[str, Any]]) -> dict[str, Any]:
    """About 4 characters a token over what the model would read and write."""
    read = json.dumps([body.get('instructions'), body.get('input'), body.get('tools'), body.get('text')])
    visible = [{k: v for k, v in item.items() if k != 'encrypted_content'} for item in output]
    reasoning = REASONING_TOKENS_PER_ITEM * sum(1 for item in output if item.get('type') == 'reasoning')
    input_tokens = len(read) // CHARS_PER_TOKEN
    output_tokens = len(json.dumps(visible)) // CHARS_PER_TOKEN + reasoning
    return {
        'input_tokens': input_tokens,
        'input_tokens_details': {'cached_tokens': 0},
        'output_tokens': output_tokens,
        'output_tokens_details': {'reasoning_tokens': reasoning},
        'total_tokens': input_tokens + output_tokens,
    }


def _error_reply(status: int, text: str, code: str | None, headers: dict[str, str]) -> tuple[int, dict[str, str], str]:
    kind = 'rate_limit_error' if status == 429 else 'invalid_request_error' if status < 500 else 'server_error'
    error = {'message': text, 'type': kind, 'param': None, 'code': code}
    return status, headers, json.dumps({'error': error})


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
                self._send(*_error_reply(400, 'the request body is not JSON', None, {}))
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


def demo_policy(body: dict[str, Any]) -> Step:
    """Turn 1: two parallel searches. Later turns: bundles made of the events the searches returned."""
    found = _events_found(body)
    if not any(item.get('type') == 'function_call_output' for item in body['input'] if isinstance(item, dict)):
        if body.get('tool_choice') == 'none':
            return Reply([message(json.dumps({'bundles': []}))])
        return Reply(
            [
                reasoning_item('Search broadly first, then for underground venues.'),
                function_call('search_events', search_args(limit=40)),
                function_call('search_events', search_args(text='underground', limit=20)),
            ]
        )
    bundles = compose_demo_bundles(found, budget=_budget(body))
    return Reply([reasoning_item('Group the events into evenings that do not overlap.'), answer(*bundles)])


def _events_found(body: dict[str, Any]) -> list[dict[str, Any]]:
    events: dict[str, dict[str, Any]] = {}
    for output in tool_outputs(body):
        for event in output.get('events', []):
            events.setdefault(event['eventId'], event)
    return sorted(events.values(), key=lambda e: e['startsAt'])


def _budget(body: dict[str, Any]) -> float | None:
    first = body['input'][0]
    text = first.get('content') if isinstance(first.get('content'), str) else json.dumps(first.get('content'))
    found = re.search(r'"budget_per_bundle": "([\d.]+)', text or '')
    return float(found.group(1)) if found else None


def compose_demo_bundles(events: list[dict[str, Any]], budget: float | None, size: int = 2) -> list[dict[str, Any]]:
    """Up to three bundles of `size` events each: no overlaps, no event twice, within the budget."""
    from datetime import datetime

    remaining = list(events)
    bundles = []
    for number in range(3):
        chosen: list[dict[str, Any]] = []
        cost = 0.0
        for event in list(remaining):
            price = (event.get('price') or {}).get('min') or 0
            starts = datetime.fromisoformat(event['startsAt'])
            if chosen and starts < datetime.fromisoformat(chosen[-1]['endsAt']):
                continue
            if budget is not None and cost + price > budget:
                continue
            chosen.append(event)
            cost += price
            remaining.remove(event)
            if len(chosen) == size:
                break
        if len(chosen) < 2:
            break
        title = f'{chosen[0]["category"].title()} plan {number + 1}'
        bundles.append(
            {
                'title': title,
                'description': f'Starts with {chosen[0]["title"]} at {chosen[0]["venue"]}, then keeps going.',
                'tags': list(dict.fromkeys(chosen[0]['tags']))[:3],
                'key_events': [
                    {'event_id': e['eventId'], 'why': f'{e["title"]} at {e["venue"]} fits your taste'} for e in chosen
                ],
            }
        )
    return bundles


def searching_policy(tool_turns: int = 3) -> Policy:
    """`tool_turns` turns of one search each (broad, then narrower), then the demo answer."""
    queries = [search_args(limit=40), search_args(text='underground', limit=20), search_args(text='late', limit=20)]

    def policy(body: dict[str, Any]) -> Step:
        calls_made = sum(1 for item in body['input'] if isinstance(item, dict) and item.get('type') == 'function_call')
        if calls_made < tool_turns and body.get('tool_choice') != 'none':
            arguments = queries[calls_made % len(queries)]
            return Reply([reasoning_item('Look a little further.'), function_call('search_events', arguments)])
        bundles = compose_demo_bundles(_events_found(body), budget=_budget(body))
        return Reply([reasoning_item('Group the events into evenings.'), answer(*bundles)])

    return policy


def flaky_policy(policy: Policy, *, failure_rate: float, seed: int = 7, hang_s: float = 30) -> Policy:
    """`policy`, except that a share of the calls fail: 429, 500, a hang past the timeout, or a broken body."""
    chance = random.Random(seed)
    failures: list[Step] = [
        HttpError(429, 'Rate limit reached'),
        HttpError(500, 'The server had an error'),
        Hang(hang_s),
        Malformed(),
    ]

    def policy_with_faults(body: dict[str, Any]) -> Step:
        if chance.random() < failure_rate:
            return chance.choice(failures)
        return policy(body)

    return policy_with_faults


SCRIPTS: dict[str, Policy] = {'demo': demo_policy, 'searching': searching_policy()}


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
