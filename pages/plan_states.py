"""The generation page's ends other than a finished set of plans: failed, cancelled, not found; and the line of
chips that repeats what was asked (without the private parts when a friend opens a shared link).
"""

import uuid

from nicegui import ui

from models.generation import GenerationPublic, Preferences
from pages.a11y import FILLED, heading
from pages.components import client_id, client_ip, link_button, preferences_summary, remember_generation
from services.generations import service
from services.generations.errors import GenerationError, InvalidPreferences
from settings import settings


def summary_chips(generation: GenerationPublic, *, currency: str, private: bool) -> None:
    """What was asked, as chips; a friend's view (`private=False`) leaves out the free text and the budget."""
    with ui.element('div').classes('tb-tags').mark('summary'):
        for fact in preferences_summary(generation, currency=currency, private=private):
            ui.label(fact).classes('tb-tag tb-wrap')


def failed_view(generation: GenerationPublic, *, currency: str, private: bool) -> None:
    with ui.element('section').classes('tb-card tb-panel tb-narrow').mark('failed-view'):
        with ui.row().classes('items-center gap-3 no-wrap'):
            ui.icon('sentiment_dissatisfied', size='36px').classes('text-negative')
            heading("We couldn't make this plan", level=1, classes='tb-h2')
        ui.label(generation.error or 'Something went wrong.').classes('tb-wrap').mark('failure-reason')
        summary_chips(generation, currency=currency, private=private)
        retry_row(generation, 'Try again')


def cancelled_view(generation: GenerationPublic, *, currency: str, private: bool) -> None:
    with ui.element('section').classes('tb-card tb-panel tb-narrow').mark('cancelled-view'):
        with ui.row().classes('items-center gap-3 no-wrap'):
            ui.icon('do_not_disturb_on', size='36px').classes('tb-muted')
            heading('This plan was cancelled', level=1, classes='tb-h2')
        ui.label('Nothing more will happen with it. Start again whenever you are ready.').classes('tb-muted')
        summary_chips(generation, currency=currency, private=private)
        retry_row(generation, 'Plan again')


def not_found_view() -> None:
    with ui.element('section').classes('tb-card tb-panel tb-narrow').mark('not-found'):
        ui.icon('travel_explore', size='44px').classes('text-primary')
        heading("We can't find this plan", level=1, classes='tb-h2')
        ui.label(
            'The link may be incomplete, or the plan has expired: plans are kept for '
            f'{settings.generation_ttl_hours:g} hours after they are ready, unless their owner keeps them.'
        ).classes('tb-muted')
        with ui.row().classes('gap-3'):
            link_button('Make a new plan', '/', icon='add', primary=True)
            link_button('My plans', '/history', icon='history')


def retry_row(generation: GenerationPublic, text: str) -> None:
    retry = Retry(generation)
    with ui.row().classes('gap-3 w-full'):
        if generation.parent_id is not None:  # a refinement: its parent is still the plan to go back to
            link_button('Back to the plan', f'/generations/{generation.parent_id}', icon='undo', primary=True)
        retry.button = (
            ui.button(text, icon='refresh', on_click=retry.run).props(f'{FILLED} color=primary').mark('retry')
        )
        link_button('Change preferences', '/', icon='tune')
    retry.notice = ui.label('').classes('tb-error').props('role=alert').mark('retry-error')
    retry.notice.set_visibility(False)


class Retry:
    """“Try again”: the same preferences as a new generation, one idempotency key per shown button."""

    def __init__(self, generation: GenerationPublic) -> None:
        self.generation = generation
        self.idempotency_key = str(uuid.uuid4())
        self.button: ui.button
        self.notice: ui.label

    async def run(self) -> None:
        self.button.props('loading').disable()
        try:
            preferences = Preferences.model_validate(self.generation.preferences)
            row = await service.start_generation(
                preferences=preferences,
                client_id=client_id(),
                client_ip=client_ip(),
                idempotency_key=self.idempotency_key,
            )
        except GenerationError as error:
            reason = error.reason if isinstance(error, InvalidPreferences) else error.message
            self.notice.set_text(reason)
            self.notice.set_visibility(True)
            self.button.props(remove='loading').enable()
            return
        remember_generation(row.id, service.owner_token(row.id))
        ui.navigate.to(f'/generations/{row.id}')
