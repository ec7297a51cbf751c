"""`GET /api/generations/{id}/calendar.ics`: a generation's bundles as iCalendar, for "Add to calendar"."""

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.errors import INVALID_RESPONSE, UNAVAILABLE_RESPONSE, ApiError
from models.generation import GenerationPublic
from services import calendar_export, clock
from services.generations import service
from services.generations.errors import GenerationNotFound

router = APIRouter()


@router.get(
    '/api/generations/{generation_id}/calendar.ics',
    response_class=Response,
    operation_id='generationCalendar',
    responses={
        200: {
            'content': {'text/calendar': {'schema': {'type': 'string'}}},
            'description': 'The events as iCalendar',
            'headers': {'Content-Disposition': {'schema': {'type': 'string'}, 'description': 'attachment; filename'}},
        },
        404: {'model': ApiError, 'description': 'Unknown, malformed or expired id, or no such bundle'},
        **INVALID_RESPONSE,
        **UNAVAILABLE_RESPONSE,
    },
    tags=['generations'],
)
async def generation_calendar(
    generation_id: str, bundle: int | None = Query(default=None, ge=0, description='0-based bundle number')
) -> Response:
    row = await service.get_generation(generation_id)
    if row is None:
        raise GenerationNotFound()
    generation = GenerationPublic.from_row(row)
    # An unknown bundle raises calendar_export.BundleNotFound: a 404 from api/errors.py.
    body = calendar_export.build_calendar(generation, bundle=bundle, now=clock.now())
    filename = calendar_export.filename_for(generation, bundle)
    return Response(
        body,
        media_type='text/calendar; charset=utf-8',
        headers={'Content-Disposition': f'attachment; filename="{filename}"'},
    )
