"""Changing one bundle of a finished plan from its card: "Swap" beside each event, "Cheaper", "Closer
together" and "Change this plan..." (a short wish), plus the lineage a refined plan shows.

Each control calls the same service function as `POST /api/generations/{id}/refinements` and keeps the new
plan's owner token in this browser (so it may cancel it); the page then follows the new plan in place
(pages/refine_in_place.py), or, without a follower, opens its page. Refusals at the door (plan not finished,
bad index, rate limit, busy database) become a notification, never a stack trace.
"""

import uuid
from collections.abc import Callable
from typing import Any

from nicegui import ui
from pydantic import ValidationError

from models.generation import MAX_INSTRUCTION, Bundle, GenerationPublic, KeyEvent, RefinementCreate, RefinementPublic
from pages.a11y import FILLED, dom_id, heading
from pages.bundle_card import event_times
from pages.components import client_id, client_ip, per_person, remember_generation
from services.generations import service
from services.generations.errors import GenerationError, InvalidPreferences
from services.text import isolate

QUICK_CHANGES = (('cheaper', 'Cheaper', 'savings'), ('closer together', 'Closer together', 'near_me'))
PHRASE_LIMIT = 60  # characters of a free-text wish repeated in the lineage line


class Refiner:
    """The refine actions of one shown plan; one idempotency key per distinct change, so a double tap
    (or a click that lands twice) opens the same new plan instead of starting two."""

    def __init__(self, generation_id: str, *, on_started: Callable[[int, str], Any] | None = None) -> None:
        self.generation_id = generation_id
        self.on_started = on_started  # (bundle index, new generation id): follows the change on this page
        self.keys: dict[tuple[int, str, str | None, str | None], str] = {}
        self.busy = False

    async def apply(
        self,
        bundle_index: int,
        *,
        instruction: str = '',
        replace_event_id: str | None = None,
        replacement_event_id: str | None = None,
    ) -> str | None:
        """Starts the refinement and opens its page; the new generation's id, or None when refused."""
        if self.busy:
            return None
        try:
            # only the fields given: the model refuses an explicit null or a blank text
            given = {
                'instruction': instruction.strip(),
                'replace_event_id': replace_event_id,
                'replacement_event_id': replacement_event_id,
            }
            change = RefinementCreate(bundle_index=bundle_index, **{k: v for k, v in given.items() if v})
        except ValidationError:
            ui.notify(f'Say what should change, in at most {MAX_INSTRUCTION} characters.', type='warning')
            return None
        change_key = (bundle_index, instruction.strip(), replace_event_id, replacement_event_id)
        key = self.keys.setdefault(change_key, str(uuid.uuid4()))
        self.busy = True
        try:
            row = await service.refine_generation(
                parent_id=self.generation_id,
                change=change,
                client_id=client_id(),
                client_ip=client_ip(),
                idempotency_key=key,
            )
        except GenerationError as error:
            self.busy = False
            ui.notify(error.reason if isinstance(error, InvalidPreferences) else error.message, type='warning')
            return None
        remember_generation(row.id, service.owner_token(row.id))
        if self.on_started is not None:
            self.on_started(bundle_index, row.id)
        else:
            ui.navigate.to(f'/generations/{row.id}')
        return row.id

    def reset(self) -> None:
        """After a change that could not be made: the same change may be asked again (as a new plan)."""
        self.keys.clear()
        self.busy = False


def swap_button(refiner: Refiner, bundle_index: int, event: KeyEvent) -> ui.button:
    """The small "Swap" beside an event: a dialog of the checked replacements to pick from, or the planner's pick."""

    async def swap() -> None:
        button.props('loading')
        try:
            choices = await service.bundle_alternatives(
                generation_id=refiner.generation_id, bundle_index=bundle_index, event_id=event.event_id
            )
        except GenerationError as error:
            ui.notify(error.message, type='warning')
            choices = []
        finally:
            button.props(remove='loading')
        picked = await _pick_replacement(event, choices)
        if picked is None:
            return
        button.props('loading')
        chosen = picked or None  # '': the planner's pick
        if await refiner.apply(bundle_index, replace_event_id=event.event_id, replacement_event_id=chosen) is None:
            button.props(remove='loading')

    button = (
        ui.button('Swap', icon='swap_horiz', on_click=swap)
        .props('flat dense no-caps stack color=primary')
        .classes('tb-swap')
        .mark('swap', f'swap-{bundle_index}-{event.event_id}')
    )
    button.props['aria-label'] = f'Swap {event.title} for another event'  # a dict entry: no quoting to escape
    return button


async def _pick_replacement(event: KeyEvent, choices: list[KeyEvent]) -> str | None:
    """The swap dialog: an event id picked, '' for "let the planner choose", None for "keep it"."""
    with ui.dialog() as dialog, ui.card().classes('tb-card tb-panel tb-swap-dialog'):
        title = heading(f'Swap {event.title}', level=2, classes='tb-h2 tb-wrap')
        if choices:
            text = 'These fit in its place without breaking the plan, best first.'
        else:
            text = 'Nothing else in the catalog fits in its place without breaking the plan right now.'
        body = ui.label(text).classes('tb-muted')
        with ui.column().classes('gap-2 w-full'):
            for choice in choices:
                _choice_button(choice, on_pick=dialog.submit)
        with ui.row().classes('justify-end gap-2 w-full'):
            ui.button('Keep it', on_click=lambda: dialog.submit(None)).props('flat no-caps').mark('swap-keep')
            if choices:
                ui.button('Let the planner choose', on_click=lambda: dialog.submit('')).props(
                    'outline no-caps color=primary'
                ).mark('swap-any')
    dialog.props['aria-labelledby'] = dom_id(title)
    dialog.props['aria-describedby'] = dom_id(body)
    dialog.update()
    picked = await dialog
    dialog.delete()
    return picked


def _choice_button(choice: KeyEvent, *, on_pick: Callable[[str], Any]) -> None:
    """One replacement: what, when, where, how much and why, the whole of it one button (its visible text is its
    name, after a "Swap in" only screen readers hear)."""
    with (
        ui.button(on_click=lambda: on_pick(choice.event_id))
        .props('outline no-caps align=left color=primary')
        .classes('tb-swap-choice w-full')
        .mark('swap-choice', f'swap-choice-{choice.event_id}'),
        ui.column().classes('gap-0 items-start text-left tb-wrap'),
    ):
        ui.label('Swap in').classes('tb-sr-only')
        ui.label(choice.title).classes('tb-event-title tb-wrap')
        place = ' · '.join(part for part in (choice.venue, choice.neighborhood) if part)
        when = f'{choice.starts_at:%a %-d %b}, {event_times(choice)}'
        ui.label(f'{when} · {place} · {per_person(choice.price)}').classes('tb-event-meta tb-wrap')
        if choice.why:
            ui.label(choice.why).classes('tb-event-why tb-wrap')


def refine_panel(refiner: Refiner, bundle_index: int, bundle: Bundle) -> None:
    """The card's "Adjust this plan" row: the quick changes that can mean something for this plan (no "Cheaper"
    for a free plan, no "Closer together" without a way between two stops of one outing), and a short wish in a
    text field."""
    with ui.element('div').classes('tb-refine').mark(f'refine-{bundle_index}'):
        ui.label('Adjust this plan').classes('tb-refine-title')
        with ui.element('div').classes('tb-refine-row'):
            for instruction, text, icon in QUICK_CHANGES:
                if _makes_sense(instruction, bundle):
                    _quick_button(refiner, bundle_index, instruction, text, icon)
            opener = (
                ui.button('Change this plan…', icon='edit_note')
                .props('outline no-caps color=primary')
                .classes('tb-refine-btn')
                .mark('change-plan', f'change-plan-{bundle_index}')
            )
        with ui.element('div').classes('tb-refine-form w-full') as form:
            wish = (
                ui.textarea(placeholder='e.g. more live music, nothing after midnight')
                .props(f'outlined dense autogrow counter maxlength={MAX_INSTRUCTION}')
                .classes('w-full')
                .mark('change-text', f'change-text-{bundle_index}')
            )
            wish.props['aria-label'] = 'What should change in this plan?'
            with ui.row().classes('justify-end gap-2 w-full'):
                ui.button('Never mind', on_click=lambda: form.set_visibility(False)).props('flat no-caps').mark(
                    'change-close'
                )

                async def send() -> None:
                    text = (wish.value or '').strip()
                    if not text:
                        ui.notify('Say what should change first.', type='warning')
                        return
                    apply.props('loading')
                    if await refiner.apply(bundle_index, instruction=text) is None:
                        apply.props(remove='loading')

                apply = (
                    ui.button('Remake this plan', icon='auto_awesome', on_click=send)
                    .props(f'{FILLED} color=primary')
                    .mark('change-apply', f'change-apply-{bundle_index}')
                )
        form.set_visibility(False)
        opener.on_click(lambda: form.set_visibility(not form.visible))


def _makes_sense(instruction: str, bundle: Bundle) -> bool:
    if instruction == 'cheaper':
        return bundle.estimated_cost is None or bundle.estimated_cost.max > 0
    return bundle.has_rides  # closer together


def _quick_button(refiner: Refiner, bundle_index: int, instruction: str, text: str, icon: str) -> None:
    async def run() -> None:
        button.props('loading')
        if await refiner.apply(bundle_index, instruction=instruction) is None:
            button.props(remove='loading')

    button = (
        ui.button(text, icon=icon, on_click=run)
        .props('outline no-caps color=primary')
        .classes('tb-refine-btn')
        .mark(f'refine-{bundle_index}-{instruction.replace(" ", "-")}')
    )


# --- Lineage ---


def change_phrase(refinement: RefinementPublic | None) -> str:
    """What a refinement asked, in a few words: 'swapped one event in plan 2', 'plan 1 made cheaper'."""
    if refinement is None:
        return ''
    number = refinement.bundle_index + 1
    wish = refinement.instruction
    if refinement.replace_event_id and not wish:
        return f'swapped one event in plan {number}'
    if wish in ('cheaper', 'closer together', 'earlier', 'later'):
        return f'plan {number} made {wish}'
    short = wish[:PHRASE_LIMIT] + ('…' if len(wish) > PHRASE_LIMIT else '')
    return f'plan {number}: “{isolate(short)}”'


def lineage_line(generation: GenerationPublic, parent_title: str | None) -> None:
    """'Refined from: <title>' linking back to the plan this one remade (or saying it has expired)."""
    if generation.parent_id is None:
        return
    with ui.element('div').classes('tb-lineage').mark('lineage'):
        ui.icon('call_split', size='18px')
        ui.label('Refined from:')
        if parent_title is not None:
            ui.link(parent_title, f'/generations/{generation.parent_id}').classes('tb-lineage-link').mark('parent-link')
        else:
            ui.label('an earlier plan (expired)').classes('tb-muted')
        phrase = change_phrase(generation.refinement)
        if phrase:
            ui.label(f'· {phrase}').classes('tb-muted tb-wrap')


def placeholder_card(text: str, *, marker: str) -> None:
    """Where a bundle still being made will land: the card's shape, gently pulsing."""
    with ui.element('article').classes('tb-card tb-bundle tb-placeholder').mark(marker):
        with ui.element('div').classes('tb-cover tb-placeholder-cover'):
            ui.spinner('dots', size='28px', color='primary')
        with ui.element('div').classes('tb-bundle-body'):
            ui.label(text).classes('tb-section-title tb-wrap')
            for width in ('92%', '70%', '80%'):
                ui.element('div').classes('tb-skeleton-line').style(f'width: {width}')
