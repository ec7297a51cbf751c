"""`/generations/{id}`: one generation, rebuilt from the URL and the database on every open.

The page never starts work: it reads the row at once, then a `ui.timer` re-reads it every
POLL_INTERVAL_S and swaps the view when the status changes (progress -> bundles, failed, cancelled).
A refresh, a reconnect after sleep, or the link on another device all land on the same state.
`?plan=N` opens plan N; a browser without the plan's owner token sees a friend's view ("Plans shared with
you", without the sender's own words or budget). A polite live region tells screen readers what changed.
"""

from fastapi import Request
from nicegui import ui

from models.generation import (
    FINISHED_STATUSES,
    NAMED_TIMEFRAMES,
    RUNNING_STATUSES,
    Bundle,
    Generation,
    GenerationPublic,
)
from pages import running_view, theme
from pages.a11y import FILLED, LANGUAGE, LiveRegion, heading
from pages.bundle_card import bundle_card
from pages.components import generation_title, link_button, notes_list, owner_token_of
from pages.layout import frame
from pages.plan_states import cancelled_view, failed_view, not_found_view, summary_chips
from pages.progressive import landed_view
from pages.refine_controls import Refiner, lineage_line, refine_panel, swap_button
from pages.refine_in_place import InPlace, changed_note, refused_note, show_url, side_effects, working_note
from pages.sharing import KeepButton, open_plan, plan_url, share
from services import metrics
from services.catalog import queries
from services.database import in_db
from services.generations import service
from services.generations.errors import GenerationError
from services.text import isolate
from settings import settings

ROTATE_EVERY_S = 4
CLOCK_INTERVAL_S = 1.0


@ui.page('/generations/{generation_id}', language=LANGUAGE)
async def generation_page(generation_id: str, request: Request, plan: str | None = None) -> None:
    row = await service.get_generation(generation_id)
    generation = GenerationPublic.from_row(row) if row is not None else None
    is_demo, currency = False, ''
    if generation is not None:
        city = await in_db(queries.get_city, name=generation.preferences.get('city'))
        is_demo, currency = bool(city and city.is_demo), city.currency if city else ''
    parent_title = await _parent_title(generation) if generation is not None else None
    before = _before(row) if row is not None else None
    share_url = f'{str(request.base_url).rstrip("/")}/generations/{generation_id}'
    with frame('Your plan' if generation else 'Plan not found'):
        if generation is None:
            not_found_view()
            return
        view = GenerationView(
            generation, share_url=share_url, is_demo=is_demo, currency=currency, parent_title=parent_title
        )
        view.before = before
        if plan and plan.isdigit() and generation.bundles and 1 <= int(plan) <= len(generation.bundles):
            open_plan(int(plan))
        view.announce_state()


async def _parent_title(generation: GenerationPublic) -> str | None:
    """The title of the plan this one changed (the bundle it remade); None when not a refinement or expired."""
    if generation.parent_id is None:
        return None
    parent = await service.get_generation(generation.parent_id)
    if parent is None:
        return None
    public = GenerationPublic.from_row(parent)
    index = generation.refinement.bundle_index if generation.refinement else 0
    return public.bundles[index].title if public.bundles and index < len(public.bundles) else generation_title(public)


def _before(row: Generation) -> Bundle | None:
    """A refinement's remade bundle as it was before the change (kept on the row), to name what changed."""
    refinement = row.refinement or {}
    parent_bundles = refinement.get('parentBundles') or []
    index = refinement.get('bundleIndex', -1)
    return Bundle.model_validate(parent_bundles[index]) if 0 <= index < len(parent_bundles) else None


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
        self.before: Bundle | None = None  # a refinement's changed bundle as it was, to name what changed
        self.card_boxes: dict[int, ui.element] = {}
        self.in_place = InPlace(self)
        self.refiner = Refiner(generation.generation_id, on_started=self.in_place.started)
        self.owner = owner_token_of(generation.generation_id) is not None  # else: a friend with a shared link
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
        self.live = LiveRegion()  # outside the redrawn content, so screen readers hear each change once
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
        landed = len(generation.bundles or []) > len(self.generation.bundles or [])
        self.generation = generation
        if generation.status in FINISHED_STATUSES:
            self.stop()
        # Waiting for a planner and planning share one view, updated in place: a rebuild between them
        # would swallow a click on Cancel made just then (seen on CI).
        same_view = self.shown_status in RUNNING_STATUSES and generation.status in RUNNING_STATUSES
        if generation.status != self.shown_status and not same_view:
            self.shown_status = generation.status
            self.shown_steps = 0
            self.content.refresh()
            self.announce_state()
        elif generation.status in RUNNING_STATUSES:
            self.shown_status = generation.status
            self._update_running(landed=landed)

    def announce_state(self) -> None:
        """What the live region says for the state now shown."""
        generation = self.generation
        count = len(generation.bundles or [])
        if generation.status == 'completed':
            self.live.say(f'Your {count} plan{"s are" if count != 1 else " is"} ready.')
        elif generation.status == 'failed':
            self.live.say(f'Planning failed: {generation.error or "something went wrong."}')
        elif generation.status == 'cancelled':
            self.live.say(f'Stopped. {count} plan{"s" if count != 1 else ""} kept.' if count else 'Stopped.')
        else:
            self.live.say(f'Making your plans: {running_view.ready_phrase(generation).lower()}.')

    def stop(self) -> None:
        self.poll.cancel()
        self.clock.cancel()

    def tick(self) -> None:
        if self.generation.status not in RUNNING_STATUSES or not hasattr(self, 'elapsed'):
            return
        self.ticks += 1
        self.elapsed.set_text(running_view.elapsed_text(self.generation))
        self.bar_elapsed.set_text(running_view.elapsed_text(self.generation))
        if self.ticks % ROTATE_EVERY_S == 0:
            messages = running_view.FRIENDLY_MESSAGES
            self.rotating.set_text(messages[(self.ticks // ROTATE_EVERY_S) % len(messages)])

    def _build(self) -> None:
        status = self.generation.status
        private = self.owner
        if status in RUNNING_STATUSES:
            self._build_running()
        elif status == 'completed' or (status == 'cancelled' and self.generation.bundles):
            self._build_plans()
        elif status == 'failed':
            failed_view(self.generation, currency=self.currency, private=private)
        else:
            cancelled_view(self.generation, currency=self.currency, private=private)

    def summary(self) -> None:
        summary_chips(self.generation, currency=self.currency, private=self.owner)

    # --- Running ---

    def _build_running(self) -> None:
        running_view.status_bar(self, can_cancel=self.owner)
        lineage_line(self.generation, self.parent_title)
        running_view.progress_panel(self, can_cancel=self.owner, steps=self._steps, status=self._status)
        self._landed()  # the bundles finished so far, under the progress (which no longer moves as they land)

    def _update_running(self, *, landed: bool) -> None:
        self._status.refresh()
        self.waiting.set_visibility(not self.generation.progress and self.generation.status == 'pending')
        self.bar_text.set_text(running_view.ready_phrase(self.generation))
        if len(self.generation.progress) != self.shown_steps:
            self._steps.refresh()  # redrawn so only the newest step shows the spinner
            if not landed:
                self.live.say(self.generation.progress[-1].message)
        if len(self.generation.bundles or []) != self.shown_bundles:
            self._landed.refresh()
            bundles = self.generation.bundles or []
            if bundles and self.generation.refinement is None:
                self.live.say(f'Plan {len(bundles)} is ready: {bundles[-1].title}.')

    @ui.refreshable_method
    def _landed(self) -> None:
        self.shown_bundles = len(self.generation.bundles or [])
        landed_view(self.generation, lambda bundle, index: self._card(bundle, index, None, refinable=False))

    @ui.refreshable_method
    def _status(self) -> None:
        running_view.show_status(self.generation)

    @ui.refreshable_method
    def _steps(self) -> None:
        running_view.show_steps(self.generation)
        self.shown_steps = len(self.generation.progress)

    async def confirm_cancel(self) -> None:
        # Built outside the container: a status change rebuilds the container while the dialog is open.
        if not await running_view.ask_to_stop(self.dialog_slot, self.generation):
            return
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

    def _build_plans(self) -> None:
        """The plans: all of them when completed, the ones kept when planning was stopped."""
        generation = self.generation
        bundles = generation.bundles or []
        completed = generation.status == 'completed'
        with ui.column().classes('gap-3 w-full'):
            with ui.row().classes('items-center gap-2'):
                eyebrow = 'Your plans are ready' if self.owner else 'Plans shared with you'
                if not completed:
                    eyebrow = f'Planning stopped · {len(bundles)} plan{"s" if len(bundles) != 1 else ""} kept'
                ui.label(eyebrow).classes('tb-eyebrow').mark('eyebrow')
                if self.is_demo:
                    ui.label('Demo data').classes('tb-badge').style(
                        f'background: {theme.ACCENT}; color: {theme.SECONDARY}'
                    ).mark('demo-label')
            heading(f'{len(bundles)} ways to spend {_timeframe_phrase(generation)}', level=1, classes='tb-hero-title')
            lineage_line(generation, self.parent_title)
            self.summary()
            self._about_the_answer()
            with ui.row().classes('gap-3 items-center'):
                ui.button('Share these plans', icon='ios_share', on_click=self.share_all).props(
                    f'{FILLED} color=primary'
                ).mark('share-all')
                if self.owner:
                    KeepButton(generation.generation_id, kept=generation.kept)
                link_button('New plan', '/', icon='add')
            if self.is_demo:
                ui.label(
                    'These plans use the built-in demo catalog: the events are realistic examples, not real listings.'
                ).classes('tb-hint')
        self.card_boxes = {}
        with ui.element('div').classes('tb-grid w-full').mark('bundles'):
            for index, bundle in enumerate(bundles):
                with ui.element('div').classes('tb-card-slot') as box:
                    self._card(bundle, index, len(bundles), refinable=completed)
                self.card_boxes[index] = box

    def redraw_card(self, index: int) -> None:
        """Redraws one card in its place (being changed, refused), leaving the rest of the page alone."""
        box, bundles = self.card_boxes.get(index), self.generation.bundles or []
        if box is None or index >= len(bundles):
            return
        box.clear()
        with box:
            self._card(bundles[index], index, len(bundles), refinable=self.generation.status == 'completed')

    def adopt(self, row: Generation, index: int) -> None:
        """The change is made: the changed plan takes this page's place, the changed card in view."""
        old = (self.generation.bundles or [])[index]
        self.generation = GenerationPublic.from_row(row)
        self.before, self.parent_title = old, old.title
        self.shown_status = self.generation.status
        self.refiner = Refiner(row.id, on_started=self.in_place.started)
        self.share_url = f'{self.share_url.rsplit("/", 1)[0]}/{row.id}'
        self.owner = owner_token_of(row.id) is not None
        self.content.refresh()
        show_url(plan_url(self.share_url, index))
        open_plan(index + 1)
        self.live.say(f'Plan {index + 1} changed.')

    def _about_the_answer(self) -> None:
        """What the planner understood of the request, what it did not use, and the wishes it could not keep
        (or why there are fewer plans); nothing until the planner has read the request."""
        generation = self.generation
        if not self.owner:
            return  # the sender's wishes quote their own words: a friend's view leaves them out
        understood = [item.value for item in generation.understood or [] if item.text != 'form']
        if understood:
            notes_list(
                [f'We understood: {", ".join(understood)}.'], title='Your wishes', icon='check', marker='understood'
            )
        if generation.not_understood:
            unused = '; '.join(isolate(text) for text in generation.not_understood)
            notes_list([f'We did not use: {unused}.'], title='Not used', icon='help_outline', marker='not-understood')
        notes_list(generation.notes or [], title='Good to know', icon='info', marker='plan-notes')

    def _card(self, bundle: Bundle, index: int, count: int | None, *, refinable: bool) -> None:
        """One bundle card; a finished plan's cards carry the refine controls (a running one's cannot change yet)."""
        generation = self.generation
        refinement = generation.refinement
        changed = refinement is not None and refinement.bundle_index == index and generation.status == 'completed'

        async def share_one() -> None:
            await share(plan_url(self.share_url, index), bundle.title)

        bundle_card(
            bundle,
            index=index,
            count=count,
            calendar_url=f'/api/generations/{generation.generation_id}/calendar.ics?bundle={index}',
            on_share=share_one,
            planner=generation.planner,
            is_demo=self.is_demo,
            swap=(lambda event: swap_button(self.refiner, index, event)) if refinable else None,
            controls=(lambda: refine_panel(self.refiner, index, bundle)) if refinable else None,
            badges=['Changed'] if changed else (),
            notes=lambda: self._card_notes(bundle, index, changed=changed),
        )

    def _card_notes(self, bundle: Bundle, index: int, *, changed: bool) -> None:
        if index in self.in_place.pending:
            working_note('Making the change… the plan below stays until the new one is ready.')
        elif index in self.in_place.refused:
            refused_note(self.in_place.refused[index])
        elif changed:
            effects = side_effects(self.before, bundle) if self.before is not None else []
            undo = plan_url(f'/generations/{self.generation.parent_id}', index) if self.parent_title else None
            changed_note(effects, undo_url=undo)

    async def share_all(self) -> None:
        await share(self.share_url, generation_title(self.generation))


def _timeframe_phrase(generation: GenerationPublic) -> str:
    timeframe = generation.preferences.get('timeframe')
    if timeframe in NAMED_TIMEFRAMES:  # 'Next 7 days' -> 'the next 7 days', 'Tonight' -> 'tonight'
        return timeframe.lower().replace('next', 'the next')
    if isinstance(timeframe, str):
        return timeframe
    return generation.window.label
