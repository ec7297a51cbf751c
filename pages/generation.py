"""`/generations/{id}`: one generation, rebuilt from the URL and the database on every open.

The page never starts work: it reads the row at once, then a `ui.timer` re-reads it every
POLL_INTERVAL_S and swaps the view when the status changes (progress -> bundles, failed, cancelled).
A refresh, a reconnect after sleep, or the link on another device all land on the same state.
"""

import uuid

from fastapi import Request
from nicegui import ui

from models.generation import (
    FINISHED_STATUSES,
    NAMED_TIMEFRAMES,
    RUNNING_STATUSES,
    Bundle,
    GenerationPublic,
    Preferences,
)
from pages import theme
from pages.components import (
    bundle_card,
    client_id,
    client_ip,
    format_elapsed,
    generation_title,
    link_button,
    owner_token_of,
    preferences_summary,
    progress_step,
    remember_generation,
    status_chip,
)
from pages.layout import frame
from pages.progressive import landed_view
from pages.refine_controls import Refiner, lineage_line, refine_panel, swap_button
from services import clock, metrics
from services.catalog import queries
from services.database import in_db
from services.generations import service
from services.generations.errors import GenerationError, InvalidPreferences
from settings import settings

FRIENDLY_MESSAGES = (
    "Reading the city's listings…",
    'Matching venues to your taste…',
    'Checking that nothing overlaps…',
    'Keeping an eye on the budget…',
    'Finding the late-night gems…',
    'Writing the story of each plan…',
)
ROTATE_EVERY_S = 4
CLOCK_INTERVAL_S = 1.0


@ui.page('/generations/{generation_id}')
async def generation_page(generation_id: str, request: Request) -> None:
    row = await service.get_generation(generation_id)
    generation = GenerationPublic.from_row(row) if row is not None else None
    is_demo, currency = False, ''
    if generation is not None:
        city = await in_db(queries.get_city, name=generation.preferences.get('city'))
        is_demo, currency = bool(city and city.is_demo), city.currency if city else ''
    parent_title = await _parent_title(generation) if generation is not None else None
    share_url = f'{str(request.base_url).rstrip("/")}/generations/{generation_id}'
    with frame('Your plan' if generation else 'Plan not found'):
        if generation is None:
            not_found_view()
            return
        GenerationView(generation, share_url=share_url, is_demo=is_demo, currency=currency, parent_title=parent_title)


async def _parent_title(generation: GenerationPublic) -> str | None:
    """The title of the plan this one refined; None when it is not a refinement or the parent expired."""
    if generation.parent_id is None:
        return None
    parent = await service.get_generation(generation.parent_id)
    return generation_title(GenerationPublic.from_row(parent)) if parent is not None else None


class GenerationView:
    """Shows one generation and follows it until it is finished."""

    def __init__(
        self,
        generation: GenerationPublic,
        *,
        share_url: str,
        is_demo: bool,
        currency: str = '',
        parent_title: str | None = None,
    ) -> None:
        self.generation = generation
        self.parent_title = parent_title
        self.refiner = Refiner(generation.generation_id)
        self.shown_bundles = 0
        self.share_url = share_url
        self.is_demo = is_demo
        self.currency = currency
        self.missing = False  # expired or deleted while open
        self.shown_status = generation.status
        self.shown_steps = 0
        self.ticks = 0
        self.polls = 0  # database reads made by this page, for /metrics
        self.dialog_slot = ui.element('div')
        self.poll = ui.timer(settings.poll_interval_s, self.refresh)
        self.clock = ui.timer(CLOCK_INTERVAL_S, self.tick)
        with ui.element('div').classes('w-full flex flex-col gap-5'):
            self.content()
        if generation.status in FINISHED_STATUSES:
            self.stop()

    @ui.refreshable_method
    def content(self) -> None:
        """The view of the current state; redrawn (`content.refresh()`) when the status changes."""
        if self.missing:
            not_found_view()
        else:
            self._build()

    async def refresh(self) -> None:
        row = await service.get_generation(self.generation.generation_id)
        self.polls += 1
        metrics.polls.inc()
        if row is not None and row.status in FINISHED_STATUSES:
            metrics.polls_per_generation.observe(self.polls)
        if row is None:  # expired or deleted while open
            self.stop()
            self.missing = True
            self.content.refresh()
            return
        fresh = GenerationPublic.from_row(row)
        if fresh.updated_at < self.generation.updated_at:
            return  # read before a newer state was shown (e.g. the cancel just made here): never step back
        self.show(fresh)

    def show(self, generation: GenerationPublic) -> None:
        self.generation = generation
        if generation.status in FINISHED_STATUSES:
            self.stop()
        if generation.status != self.shown_status:
            self.shown_status = generation.status
            self.shown_steps = 0
            self.content.refresh()
        elif generation.status in RUNNING_STATUSES:
            self._update_running()

    def stop(self) -> None:
        self.poll.cancel()
        self.clock.cancel()

    def tick(self) -> None:
        if self.generation.status not in RUNNING_STATUSES or not hasattr(self, 'elapsed'):
            return
        self.ticks += 1
        self.elapsed.set_text(self._elapsed_text())
        if self.ticks % ROTATE_EVERY_S == 0:
            self.rotating.set_text(FRIENDLY_MESSAGES[(self.ticks // ROTATE_EVERY_S) % len(FRIENDLY_MESSAGES)])

    def _build(self) -> None:
        status = self.generation.status
        if status in RUNNING_STATUSES:
            self._build_running()
        elif status == 'completed':
            self._build_completed()
        elif status == 'failed':
            self._build_failed()
        else:
            self._build_cancelled()

    # --- Running ---

    def _build_running(self) -> None:
        lineage_line(self.generation, self.parent_title)
        self._landed()  # the bundles finished so far, above the progress that continues below them
        with ui.element('section').classes('tb-card tb-panel tb-narrow').mark('progress-view'):
            with ui.row().classes('items-center gap-4 no-wrap'):
                with ui.element('div').classes('tb-orbit'), ui.element('div').classes('tb-orbit-inner'):
                    ui.icon('auto_awesome', size='26px').classes('text-primary')
                with ui.column().classes('gap-0 tb-wrap'):
                    ui.label('Planning your bundles').classes('tb-eyebrow')
                    self.rotating = ui.label(FRIENDLY_MESSAGES[0]).classes('tb-rotating tb-wrap').mark('rotating')
            self._summary_chips()
            with ui.row().classes('items-center gap-3 w-full'):
                with ui.element('div'):
                    self._status()
                ui.icon('schedule', size='18px').classes('tb-muted')
                self.elapsed = ui.label(self._elapsed_text()).classes('tb-elapsed tb-muted').mark('elapsed')
            with ui.column().classes('gap-1 w-full'):
                ui.label('Progress').classes('tb-section-title')
                with ui.element('div').classes('tb-steps w-full').mark('progress-steps'):
                    self._steps()
                self.waiting = ui.label('Waiting for a free planner…').classes('tb-hint').mark('waiting')
                self.waiting.set_visibility(self._waiting())
            with ui.element('div').classes('tb-note'):
                ui.icon('bedtime', size='20px')
                ui.label(
                    'You can close this page: planning continues on our server. '
                    'Reopen this link (or find it under “My plans”) whenever you like.'
                ).classes('tb-wrap')
            with ui.row().classes('gap-3 w-full'):
                ui.button('Copy link', icon='link', on_click=self.share).props('outline color=primary').mark('share')
                if owner_token_of(self.generation.generation_id):  # a shared link only watches
                    ui.button('Cancel', icon='close', on_click=self.confirm_cancel).props('flat color=negative').mark(
                        'cancel'
                    )

    def _update_running(self) -> None:
        progress = self.generation.progress
        self._status.refresh()
        self.waiting.set_visibility(self._waiting())
        if len(progress) != self.shown_steps:
            self._steps.refresh()  # redrawn so only the newest step shows the spinner
        if len(self.generation.bundles or []) != self.shown_bundles:
            self._landed.refresh()

    @ui.refreshable_method
    def _landed(self) -> None:
        self.shown_bundles = len(self.generation.bundles or [])
        landed_view(self.generation, lambda bundle, index, count: self._card(bundle, index, count, refinable=False))

    def _waiting(self) -> bool:
        return not self.generation.progress and self.generation.status == 'pending'

    @ui.refreshable_method
    def _status(self) -> None:
        status_chip(self.generation.status)

    @ui.refreshable_method
    def _steps(self) -> None:
        progress = self.generation.progress
        for number, entry in enumerate(progress):
            progress_step(entry, started=self.generation.created_at, current=number == len(progress) - 1)
        self.shown_steps = len(progress)

    def _elapsed_text(self) -> str:
        return f'{format_elapsed((clock.now() - self.generation.created_at).total_seconds())} elapsed'

    async def confirm_cancel(self) -> None:
        # Built outside the container: a status change rebuilds the container while the dialog is open.
        with self.dialog_slot, ui.dialog() as dialog, ui.card().classes('tb-card tb-panel').style('max-width: 420px'):
            ui.label('Stop planning?').classes('tb-h2')
            ui.label('The plan so far will be dropped. You can start a new one at any time.').classes('tb-muted')
            with ui.row().classes('justify-end gap-2 w-full'):
                ui.button('Keep planning', on_click=lambda: dialog.submit(False)).props('flat').mark('keep')
                ui.button('Stop', on_click=lambda: dialog.submit(True)).props('unelevated color=negative').mark(
                    'confirm-cancel'
                )
        stop = await dialog
        dialog.delete()
        if stop:
            try:
                row = await service.cancel_generation(
                    self.generation.generation_id, owner_token_of(self.generation.generation_id)
                )
            except GenerationError as error:
                ui.notify(error.message, type='warning')
                return
            if row is not None:
                self.show(GenerationPublic.from_row(row))

    # --- Finished ---

    def _build_completed(self) -> None:
        generation = self.generation
        bundles = generation.bundles or []
        with ui.column().classes('gap-3 w-full'):
            with ui.row().classes('items-center gap-2'):
                ui.label('Your plans are ready').classes('tb-eyebrow')
                if self.is_demo:
                    ui.label('Demo data').classes('tb-badge').style(
                        f'background: {theme.ACCENT}; color: {theme.SECONDARY}'
                    ).mark('demo-label')
            ui.label(f'{len(bundles)} ways to spend {_timeframe_phrase(generation)}').classes('tb-hero-title')
            lineage_line(generation, self.parent_title)
            self._summary_chips()
            with ui.row().classes('gap-3 items-center'):
                ui.button('Share these plans', icon='ios_share', on_click=self.share).props(
                    'unelevated color=primary'
                ).mark('share-all')
                link_button('New plan', '/', icon='add')
            if self.is_demo:
                ui.label(
                    'These plans use the built-in demo catalog: the events are realistic examples, not real listings.'
                ).classes('tb-hint')
        with ui.element('div').classes('tb-grid w-full').mark('bundles'):
            for index, bundle in enumerate(bundles):
                self._card(bundle, index, len(bundles), refinable=True)

    def _card(self, bundle: Bundle, index: int, count: int, *, refinable: bool) -> None:
        """One bundle card; a finished plan's cards carry the refine controls (a running one's cannot change yet)."""
        generation = self.generation
        refinement = generation.refinement
        changed = refinement is not None and refinement.bundle_index == index and generation.status == 'completed'
        bundle_card(
            bundle,
            index=index,
            count=count,
            calendar_url=f'/api/generations/{generation.generation_id}/calendar.ics?bundle={index}',
            on_share=self.share,
            planner=generation.planner,
            is_demo=self.is_demo,
            swap=(lambda event: swap_button(self.refiner, index, event)) if refinable else None,
            controls=(lambda: refine_panel(self.refiner, index)) if refinable else None,
            badges=['Changed'] if changed else (),
        )

    def _build_failed(self) -> None:
        with ui.element('section').classes('tb-card tb-panel tb-narrow').mark('failed-view'):
            with ui.row().classes('items-center gap-3 no-wrap'):
                ui.icon('sentiment_dissatisfied', size='36px').classes('text-negative')
                ui.label("We couldn't make this plan").classes('tb-h2')
            ui.label(self.generation.error or 'Something went wrong.').classes('tb-wrap').mark('failure-reason')
            self._summary_chips()
            self._retry_row('Try again')

    def _build_cancelled(self) -> None:
        with ui.element('section').classes('tb-card tb-panel tb-narrow').mark('cancelled-view'):
            with ui.row().classes('items-center gap-3 no-wrap'):
                ui.icon('do_not_disturb_on', size='36px').classes('tb-muted')
                ui.label('This plan was cancelled').classes('tb-h2')
            ui.label('Nothing more will happen with it. Start again whenever you are ready.').classes('tb-muted')
            self._summary_chips()
            self._retry_row('Plan again')

    def _retry_row(self, text: str) -> None:
        retry = Retry(self.generation)
        with ui.row().classes('gap-3 w-full'):
            if self.generation.parent_id is not None:  # a refinement: its parent is still the plan to go back to
                link_button('Back to the plan', f'/generations/{self.generation.parent_id}', icon='undo', primary=True)
            retry.button = (
                ui.button(text, icon='refresh', on_click=retry.run).props('unelevated color=primary').mark('retry')
            )
            link_button('Change preferences', '/', icon='tune')
        retry.notice = ui.label('').classes('tb-error').mark('retry-error')
        retry.notice.set_visibility(False)

    def _summary_chips(self) -> None:
        with ui.element('div').classes('tb-tags'):
            for fact in preferences_summary(self.generation, currency=self.currency):
                ui.label(fact).classes('tb-tag tb-wrap')

    def share(self) -> None:
        ui.clipboard.write(self.share_url)
        ui.notify('Link copied. Open it on any device to see this plan.', type='positive', position='top')


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


def not_found_view() -> None:
    with ui.element('section').classes('tb-card tb-panel tb-narrow').mark('not-found'):
        ui.icon('travel_explore', size='44px').classes('text-primary')
        ui.label("We can't find this plan").classes('tb-h2')
        ui.label(
            'The link may be incomplete, or the plan has expired: plans are kept for '
            f'{settings.generation_ttl_hours:g} hours after they are ready.'
        ).classes('tb-muted')
        with ui.row().classes('gap-3'):
            link_button('Make a new plan', '/', icon='add', primary=True)
            link_button('My plans', '/history', icon='history')


def _timeframe_phrase(generation: GenerationPublic) -> str:
    timeframe = generation.preferences.get('timeframe')
    if timeframe in NAMED_TIMEFRAMES:  # 'Next 7 days' -> 'the next 7 days', 'Tonight' -> 'tonight'
        return timeframe.lower().replace('next', 'the next')
    if isinstance(timeframe, str):
        return timeframe
    return generation.window.label
