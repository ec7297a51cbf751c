"""`GET /api/generations/{id}/calendar.ics`: a generation's bundles as iCalendar, for "Add to calendar"."""

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from models.generation import GenerationPublic
from services import calendar_export, clock, generations
from services.database import in_db

router = APIRouter()

NOT_FOUND = {'error': 'Generation not found'}


@router.get(
    '/api/generations/{generation_id}/calendar.ics',
    response_class=Response,
    responses={
        200: {'content': {'text/calendar': {}}, 'description': 'The events as iCalendar'},
        404: {'description': 'Unknown, malformed or expired id, or no such bundle'},
    },
    tags=['generations'],
)
async def generation_calendar(
    generation_id: str, bundle: int | None = Query(default=None, ge=0, description='0-based bundle number')
) -> Response:
    row = await in_db(generations.get_generation, generation_id=generation_id, now=clock.now())
    if row is None:
        return JSONResponse(NOT_FOUND, status_code=404)
    generation = GenerationPublic.from_row(row)
    try:
        body = calendar_export.build_calendar(generation, bundle=bundle, now=clock.now())
        filename = calendar_export.filename_for(generation, bundle)
    except calendar_export.BundleNotFound as error:
        return JSONResponse({'error': str(error)}, status_code=404)
    return Response(
        body,
        media_type='text/calendar; charset=utf-8',
        headers={'Content-Disposition': f'attachment; filename="{filename}"'},
    )
