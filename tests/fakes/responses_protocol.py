"""What the fake Responses API checks in every request, and how it answers errors and counts usage.

A stateless tool loop must:

- answer every `function_call` in the input with exactly one `function_call_output` with its call_id;
- repeat the previous exchange of its conversation: the earlier input unchanged, then the earlier output
  items in order (reasoning items included, with their encrypted content), then only tool outputs or
  user messages;
- send the tools and the JSON-schema text format on every turn, with `store=False` and, when expected,
  `include=["reasoning.encrypted_content"]`.

Usage figures are estimates (about 4 characters a token, a fixed number of reasoning tokens per
reasoning item), good for comparing runs, not for billing.
"""

import itertools
import json
from typing import Any

CHARS_PER_TOKEN = 4
REASONING_TOKENS_PER_ITEM = 160
# One earlier exchange of a conversation: its input, then the output items the server answered with.
Exchange = tuple[list[Any], list[dict[str, Any]]]


def check_options(body: dict[str, Any], *, expect_encrypted_reasoning: bool) -> list[str]:
    problems = []
    include = body.get('include') or []
    if body.get('store') is not False:
        problems.append('store must be false (the loop resends the whole conversation)')
    if expect_encrypted_reasoning and 'reasoning.encrypted_content' not in include:
        problems.append('include must ask for reasoning.encrypted_content')
    if not expect_encrypted_reasoning and 'reasoning.encrypted_content' in include:
        problems.append('include asks for encrypted reasoning this server does not support')
    return problems


def is_restart(items: list[Any], previous: Exchange) -> bool:
    """The same request started over from its first message."""
    return len(items) == 1 and len(previous[0]) >= 1


def check_continuity(items: list[Any], previous: Exchange) -> list[str]:
    earlier_input, earlier_output = previous
    if items[: len(earlier_input)] != earlier_input:
        return ['the earlier input was changed or dropped (it must be resent unchanged)']
    expected = [i for i in earlier_output if _must_be_resent(i)]
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


def _must_be_resent(item: dict[str, Any]) -> bool:
    # Reasoning without encrypted content cannot be resolved by a stateless server; dropping it is right.
    return item.get('type') != 'reasoning' or bool(item.get('encrypted_content') or item.get('content'))


def check_shape(body: dict[str, Any], expect_tools: tuple[str, ...]) -> list[str]:
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


def check_calls_answered(items: list[Any]) -> list[str]:
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


def conversation_key(body: dict[str, Any]) -> str:
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


def error_reply(status: int, text: str, code: str | None, headers: dict[str, str]) -> tuple[int, dict[str, str], str]:
    kind = 'rate_limit_error' if status == 429 else 'invalid_request_error' if status < 500 else 'server_error'
    error = {'message': text, 'type': kind, 'param': None, 'code': code}
    return status, headers, json.dumps({'error': error})
