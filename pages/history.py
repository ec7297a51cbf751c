"""`/history`: this browser's generations, newest first, read from the database through the services."""

from datetime import datetime

from nicegui import ui

from models.generation import GenerationPublic
from pages import theme
from pages.components import generation_title, link_button, my_generation_ids, status_chip, time_ago, timeframe_label
from pages.layout import frame
from services import clock
from services.generations import service
from settings import settings


@ui.page('/history')
async def history_page() -> None:
    rows = await service.list_generations(my_generation_ids())
    items = [GenerationPublic.from_row(row) for row in rows]
    now = clock.now()
    with frame('My plans', active='/history'):
        with ui.row().classes('items-end justify-between w-full tb-narrow gap-3'):
            with ui.column().classes('gap-1'):
                ui.label('Kept on this device').classes('tb-eyebrow')
                ui.label('My plans').classes('tb-hero-title')
            link_button('New plan', '/', icon='add', primary=True)
        if not items:
            empty_state()
            return
        with ui.element('section').classes('tb-card tb-narrow overflow-hidden').mark('history'):
            for item in items:
                history_row(item, now=now)
        ui.label(
            f'Finished plans are kept for {settings.generation_ttl_hours:g} hours, then removed from our server.'
        ).classes('tb-hint tb-narrow')


def history_row(item: GenerationPublic, *, now: datetime) -> None:
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
        status_chip(item.status)


def empty_state() -> None:
    with ui.element('section').classes('tb-card tb-panel tb-narrow items-center text-center').mark('history-empty'):
        ui.icon('luggage', size='48px').classes('text-primary')
        ui.label('No plans yet').classes('tb-h2')
        ui.label('Plans you make in this browser show up here, so you can come back to them.').classes('tb-muted')
        link_button('Make your first plan', '/', icon='auto_awesome', primary=True)
