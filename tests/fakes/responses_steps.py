"""What a test scripts the fake Responses API with: the steps it answers with and the items of a reply."""

import itertools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

_ids = itertools.count(1)


def next_number() -> int:
    """Numbers for item and response ids, unique across every fake server of the process."""
    return next(_ids)


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
    number = next_number()
    return {
        'type': 'reasoning',
        'id': f'rs_{number:04d}',
        'summary': [{'type': 'summary_text', 'text': summary}],
        'encrypted_content': f'gAAAA-encrypted-{number:04d}',
    }


def function_call(name: str, arguments: dict[str, Any] | str, call_id: str | None = None) -> dict[str, Any]:
    number = next_number()
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
        'id': f'msg_{next_number():04d}',
        'role': 'assistant',
        'status': 'completed',
        'content': [{'type': 'output_text', 'text': text, 'annotations': []}],
    }


def refusal(text: str = "I can't help with that.") -> dict[str, Any]:
    return {
        'type': 'message',
        'id': f'msg_{next_number():04d}',
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
