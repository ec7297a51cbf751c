"""OpenAPI links: from a response naming a generation to every operation on it, so a stateful client (or
schemathesis' stateful phase) can walk a generation's life: create, read, calendar, cancel, refine."""

from typing import Any

# Link name -> operationId of the route it leads to. A route taking a generation id adds itself here.
GENERATION_OPERATIONS = {
    'ReadGeneration': 'readGeneration',
    'GenerationCalendar': 'generationCalendar',
    'CancelGeneration': 'cancelGeneration',
    'RefineGeneration': 'refineGeneration',
}
# Only the creator may cancel: the token comes with the answer that named the generation.
EXTRA_PARAMETERS = {'CancelGeneration': {'header.X-Owner-Token': '$response.body#/ownerToken'}}


def generation_links(id_pointer: str = '$response.body#/generationId') -> dict[str, Any]:
    """The `links` of a response whose body names a generation at `id_pointer`."""
    return {
        name: {
            'operationId': operation_id,
            'parameters': {'generation_id': id_pointer, **EXTRA_PARAMETERS.get(name, {})},
        }
        for name, operation_id in GENERATION_OPERATIONS.items()
    }
