"""How the LLM planner phrases progress and tool outputs: counts, clipped texts, compact JSON."""

import json
from typing import Any


def count(number: int, noun: str) -> str:
    """'no events', '1 event', '12 events'."""
    return f'{number} {noun}' if number == 1 else f'{"no" if number == 0 else number} {noun}s'


def clip(text: str, limit: int = 60) -> str:
    text = ' '.join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + '…'


def error_output(message: str) -> str:
    """A tool output telling the model what went wrong, so it can correct its call."""
    return compact({'error': message})


def compact(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(',', ':'), ensure_ascii=False)
