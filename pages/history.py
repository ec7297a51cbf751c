"""`/history`: this browser's generations, newest first, read from the database through the services."""

from datetime import datetime

from nicegui import ui

from models.generation import GenerationPublic
from pages import theme
from pages.a11y import LANGUAGE, heading
from pages.components import generation_title, link_button, my_generation_ids, status_chip, time_ago, timeframe_label
from pages.layout import frame
from pages.refine_controls import change_phrase
from services import clock
from services.generations import service
from settings import settings


@ui.page('/history', language=LANGUAGE)
async def history_page() -> None:
    rows = await service.list_generations(my_generation_ids())
    items = [GenerationPublic.from_row(row) for row in rows]
    parents = await _parent_titles(items)
    now = clock.now()
    with frame('My plans', active='/history'):
        with ui.row().classes('items-end justify-between w-full tb-narrow gap-3'):
            with ui.column().classes('gap-1'):
                ui.label('Kept on this device').classes('tb-eyebrow')
                heading('My plans', level=1, classes='tb-hero-title')
            link_button('New plan', '/', icon='add', primary=True)
        if not items:
            empty_state()
            return
        with ui.element('section').classes('tb-card tb-narrow overflow-hidden').mark('history'):
            for item in items:
                history_row(item, now=now, parent_title=parents.get(item.parent_id or ''))
        ui.label(
            f'Finished plans are kept for {settings.generation_ttl_hours:g} hours, then removed from our server; '
            'a plan you keep (“Keep this plan”) stays until you let it go.'
        ).classes('tb-hint tb-narrow')


async def _parent_titles(items: list[GenerationPublic]) -> dict[str, str]:
    """The titles of the plans these refined (one read for those not in this browser's list)."""
    titles = {item.generation_id: generation_title(item) for item in items}
    missing = list({i.parent_id for i in items if i.parent_id and i.parent_id not in titles})
    if missing:
        for row in await service.list_generations(missing):
            titles[row.id] = generation_title(GenerationPublic.from_row(row))
    return titles


def history_row(item: GenerationPublic, *, now: datetime, parent_title: str | None = None) -> None:
    title = generation_title(item)
    interests = item.preferences.get('interests') or ['']
    with ui.link(target=f'/generations/{item.generation_id}').classes('tb-history-row').mark('history-row'):
        with ui.element('div').classes('tb-thumb').style(f'background: {theme.cover_gradient(title)}'):
            ui.icon(theme.category_icon(interests[0]), size='24px')
        with ui.column().classes('gap-0 tb-wrap').style('flex: 1 1 auto'):
            ui.label(title).classes('tb-section-title tb-wrap')
            place = item.preferences.get('city') or ''
            ui.label(
                ' · '.join(p for p in (timeframe_label(item), place, time_ago(item.created_at, now)) if p)
            ).classes('tb-hint tb-wrap')
            if item.parent_id is not None:  # the lineage: which plan this one remade, and how
                with ui.element('div').classes('tb-history-lineage tb-wrap').mark('history-lineage'):
                    ui.icon('call_split', size='16px')
                    what = change_phrase(item.refinement)
                    source = f'“{parent_title}”' if parent_title else 'an earlier plan'
                    ui.label(f'Refined from {source}' + (f' · {what}' if what else '')).classes('tb-wrap')
        with ui.column().classes('items-end gap-1'):
            status_chip(item.status)
            if item.kept:
                with ui.row().classes('tb-kept items-center gap-1 no-wrap').mark('kept-badge'):
                    ui.icon('bookmark', size='16px')
                    ui.label('Kept')


def empty_state() -> None:
    with ui.element('section').classes('tb-card tb-panel tb-narrow items-center text-center').mark('history-empty'):
        ui.icon('luggage', size='48px').classes('text-primary')
        heading('No plans yet', level=2, classes='tb-h2')
        ui.label('Plans you make in this browser show up here, so you can come back to them.').classes('tb-muted')
        link_button('Make your first plan', '/', icon='auto_awesome', primary=True)
