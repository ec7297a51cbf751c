"""The durable conversation: the input resent every turn, saved after each turn, and read from responses.

The loop is stateless on the provider's side (`store=False`): the whole conversation is resent every
turn, reasoning items included (encrypted when the server supports it), and saved after every completed
turn so a restarted generation continues where it stopped instead of paying again.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from openai.types.responses import Response, ResponseOutputItem

from services.planners.base import PlanRequest
from services.planners.llm import prompts
from services.planners.llm.scope import Scope
from settings import settings

# Fields the SDK adds to parsed items that the API rejects when they are sent back.
SDK_ONLY_FIELDS = ('parsed_arguments', 'parsed')


@dataclass
class Conversation:
    """The input resent every turn, plus what a resumed run must not repeat."""

    items: list[dict[str, Any]]
    turns: int = 0
    json_retry_used: bool = False
    repair_used: bool = False

    @classmethod
    def start(cls, request: PlanRequest, scope: Scope) -> 'Conversation':
        text = prompts.render_request(
            request.preferences,
            scope.window,
            city=scope.city,
            currency=scope.currency,
            saved=request.saved_bundles,
            refinement=request.refinement,
        )
        return cls(items=[{'role': 'user', 'content': text}])

    @classmethod
    def resume(cls, state: dict[str, Any] | None) -> 'Conversation | None':
        # Encrypted reasoning only decodes for the model that wrote it, and a new prompt means a new run.
        if not state or state.get('prompt_version') != prompts.PROMPT_VERSION:
            return None
        if state.get('model') != settings.openai_model or not isinstance(state.get('input'), list):
            return None
        return cls(
            items=list(state['input']),
            turns=int(state.get('turns', 0)),
            json_retry_used=bool(state.get('json_retry_used')),
            repair_used=bool(state.get('repair_used')),
        )

    def to_state(self) -> dict[str, Any]:
        return {
            'prompt_version': prompts.PROMPT_VERSION,
            'model': settings.openai_model,
            'turns': self.turns,
            'json_retry_used': self.json_retry_used,
            'repair_used': self.repair_used,
            'input': self.items,
        }

    def add_user_message(self, text: str) -> None:
        self.items.append({'role': 'user', 'content': text})


def resendable(output: Iterable[ResponseOutputItem]) -> list[dict[str, Any]]:
    """Output items as the input of the next turn: all of them, in order, without SDK-only fields."""
    items = []
    for item in output:
        data = _strip_sdk_fields(item.to_dict(mode='json'))
        # Without encrypted content a reasoning item can only be resolved by a server that stored it.
        bare_reasoning = data.get('type') == 'reasoning' and not (data.get('encrypted_content') or data.get('content'))
        if bare_reasoning and not settings.openai_encrypted_reasoning:
            continue
        items.append(data)
    return items


def _strip_sdk_fields(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_sdk_fields(v) for k, v in value.items() if k not in SDK_ONLY_FIELDS}
    if isinstance(value, list):
        return [_strip_sdk_fields(v) for v in value]
    return value


def has_usable_output(output: Sequence[ResponseOutputItem]) -> bool:
    return any(item.type == 'function_call' for item in output) or bool(final_text(output)[0])


def final_text(output: Iterable[ResponseOutputItem]) -> tuple[str, str | None]:
    """The answer's text and, if the model refused, its refusal."""
    texts, refusals = [], []
    for item in output:
        if item.type != 'message':
            continue
        for part in item.content:
            if part.type == 'output_text':
                texts.append(part.text)
            elif part.type == 'refusal':
                refusals.append(part.refusal)
    return ''.join(texts), ' '.join(refusals) or None


def usage_of(response: Response) -> dict[str, int]:
    usage = response.usage
    if usage is None:  # some compatible servers send none
        return {}
    details = getattr(usage, 'output_tokens_details', None)
    return {
        'input_tokens': usage.input_tokens or 0,
        'output_tokens': usage.output_tokens or 0,
        'reasoning_tokens': getattr(details, 'reasoning_tokens', 0) or 0,
        'total_tokens': usage.total_tokens or 0,
    }
