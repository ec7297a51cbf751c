"""A plan still being made: the progress panel (real steps, a rotating line, elapsed time), a compact status bar
that stays at the top on a phone (with Cancel), and the cancel dialog, which keeps the plans already made.
"""

from collections.abc import Callable
from typing import Any

from nicegui import ui

from models.generation import GenerationPublic
from pages.a11y import FILLED, dom_id, heading
from pages.components import format_elapsed, progress_step, status_chip
from services import clock

FRIENDLY_MESSAGES = (
    "Reading the city's listings…",
    'Matching venues to your taste…',
    'Checking that nothing overlaps…',
    'Keeping an eye on the budget…',
    'Finding the late-night gems…',
    'Writing the story of each plan…',
)


def elapsed_text(generation: GenerationPublic) -> str:
    return f'{format_elapsed((clock.now() - generation.created_at).total_seconds())} elapsed'


def ready_phrase(generation: GenerationPublic) -> str:
    """'Planning' then '2 plans ready so far': never a total that might not come."""
    ready = len(generation.bundles or [])
    if generation.refinement is not None:
        return f'Remaking plan {generation.refinement.bundle_index + 1}'
    return f'{ready} plan{"s" if ready != 1 else ""} ready so far' if ready else 'Planning'


def cancel_text(generation: GenerationPublic) -> str:
    """What Cancel will do: stop, keeping what is already made."""
    ready = len(generation.bundles or []) if generation.refinement is None else 0
    if ready:
        return f'Stop here, keep {ready} plan{"s" if ready != 1 else ""}'
    return 'Stop planning'


def status_bar(view: Any, *, can_cancel: bool) -> None:
    """The compact status that sticks under the header on a phone: what is going on, and Cancel in reach."""
    with ui.element('div').classes('tb-sticky-status').mark('sticky-status'):
        ui.spinner('dots', size='20px', color='primary')
        view.bar_text = ui.label(ready_phrase(view.generation)).classes('tb-sticky-text tb-wrap')
        view.bar_elapsed = ui.label(elapsed_text(view.generation)).classes('tb-muted tb-elapsed')
        if can_cancel:
            ui.button('Cancel', icon='close', on_click=view.confirm_cancel).props(
                'flat dense no-caps color=negative'
            ).classes('tb-sticky-cancel').mark('cancel-bar')


def progress_panel(view: Any, *, can_cancel: bool, steps: Callable[[], Any], status: Callable[[], Any]) -> None:
    """The panel of steps; `steps` and `status` are the view's refreshable parts."""
    with ui.element('section').classes('tb-card tb-panel tb-narrow').mark('progress-view'):
        with ui.row().classes('items-center gap-4 no-wrap'):
            with ui.element('div').classes('tb-orbit'), ui.element('div').classes('tb-orbit-inner'):
                ui.icon('auto_awesome', size='26px').classes('text-primary')
            with ui.column().classes('gap-0 tb-wrap'):
                heading('Planning your bundles', level=1, classes='tb-eyebrow')
                view.rotating = ui.label(FRIENDLY_MESSAGES[0]).classes('tb-rotating tb-wrap').mark('rotating')
        view.summary()
        with ui.row().classes('items-center gap-3 w-full'):
            with ui.element('div'):
                status()
            ui.icon('schedule', size='18px').classes('tb-muted')
            view.elapsed = ui.label(elapsed_text(view.generation)).classes('tb-elapsed tb-muted').mark('elapsed')
        with ui.column().classes('gap-1 w-full'):
            heading('Progress', level=2, classes='tb-section-title')
            with ui.element('div').classes('tb-steps w-full').mark('progress-steps'):
                steps()
            view.waiting = ui.label('Waiting for a free planner…').classes('tb-hint').mark('waiting')
            view.waiting.set_visibility(not view.generation.progress and view.generation.status == 'pending')
        with ui.element('div').classes('tb-note'):
            ui.icon('bedtime', size='20px')
            ui.label(
                'You can close this page: planning continues on our server. '
                'Reopen this link (or find it under “My plans”) whenever you like.'
            ).classes('tb-wrap')
        with ui.row().classes('gap-3 w-full'):
            ui.button('Copy link', icon='link', on_click=view.share_all).props('outline color=primary').mark('share')
            if can_cancel:  # a shared link only watches
                ui.button('Cancel', icon='close', on_click=view.confirm_cancel).props('flat color=negative').mark(
                    'cancel'
                )


def show_steps(generation: GenerationPublic) -> None:
    progress = generation.progress
    for number, entry in enumerate(progress):
        progress_step(entry, started=generation.created_at, current=number == len(progress) - 1)


def show_status(generation: GenerationPublic) -> None:
    status_chip(generation.status)


async def ask_to_stop(slot: ui.element, generation: GenerationPublic) -> bool:
    """The cancel dialog (named by its heading); True when the person chose to stop."""
    keep = cancel_text(generation)
    with slot, ui.dialog() as dialog, ui.card().classes('tb-card tb-panel').style('max-width: 420px'):
        title = heading('Stop planning?', level=2, classes='tb-h2')
        if keep.startswith('Stop here'):
            text = 'The plans already made stay here; no more will be made.'
        else:
            text = 'Nothing has been made yet. You can start a new plan at any time.'
        body = ui.label(text).classes('tb-muted')
        with ui.row().classes('justify-end gap-2 w-full'):
            ui.button('Keep planning', on_click=lambda: dialog.submit(False)).props('flat no-caps').mark('keep')
            ui.button(keep, on_click=lambda: dialog.submit(True)).props(f'{FILLED} color=negative').mark(
                'confirm-cancel'
            )
    dialog.props['aria-labelledby'] = dom_id(title)
    dialog.props['aria-describedby'] = dom_id(body)
    dialog.update()
    stop = await dialog
    dialog.delete()
    return bool(stop)
