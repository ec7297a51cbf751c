"""Strict-mode JSON schemas generated from the pydantic models that validate what the model sends.

One source of truth: the schema the model is given and the validation of its tool calls and answer come
from the same model. Only keywords every strict-mode server accepts are kept (type, properties, items,
enum, anyOf, description); length and range limits stay the validator's job, since servers other than
OpenAI may not enforce a schema anyway.
"""

from typing import Any

from pydantic import BaseModel

KEPT_KEYWORDS = frozenset({'type', 'items', 'enum', 'anyOf', 'description'})


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """`model`'s JSON schema for strict mode: every object closed with all its properties required, `$ref`s
    inlined, optional fields nullable via `anyOf` (pydantic already writes `X | None` that way)."""
    schema = model.model_json_schema()
    return _strict(schema, schema.get('$defs', {}))


def _strict(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_strict(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    if '$ref' in node:
        return _strict(definitions[node['$ref'].rsplit('/', 1)[-1]], definitions)
    result = {key: _strict(value, definitions) for key, value in node.items() if key in KEPT_KEYWORDS}
    if 'properties' in node:
        # Property names are data, not keywords: keep every one of them.
        result['properties'] = {name: _strict(value, definitions) for name, value in node['properties'].items()}
        result['required'] = list(node['properties'])
        result['additionalProperties'] = False
    return result
