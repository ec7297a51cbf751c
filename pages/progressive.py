"""The bundles of a plan still being made: each card as it lands ("2 plans ready so far"), and a placeholder
that looks for another one without promising it ("Looking for another plan…": a plan may hold fewer than
usual, so no total is ever named while planning). A refinement shows the bundles it keeps and a placeholder
where the remade one lands.
"""

from collections.abc import Callable
from typing import Any

from nicegui import ui

from models.generation import Bundle, GenerationPublic
from pages.refine_controls import change_phrase, placeholder_card

EXPECTED_BUNDLES = 3  # what a new plan usually holds: past this, no placeholder (a plan may hold more or fewer)
CardMaker = Callable[[Bundle, int], Any]  # (bundle, index) -> the card


def slots(generation: GenerationPublic) -> list[Bundle | None]:
    """The cards to show in order while running; None where a bundle is still being made."""
    bundles = list(generation.bundles or [])
    refinement = generation.refinement
    if refinement is not None:  # the kept bundles, with the remade one's place held open
        index = min(refinement.bundle_index, len(bundles))
        return [*bundles[:index], None, *bundles[index:]]
    if not bundles:
        return []
    return [*bundles, None] if len(bundles) < EXPECTED_BUNDLES else bundles


def ready_text(generation: GenerationPublic) -> str:
    if generation.refinement is not None:
        return f'Remaking plan {generation.refinement.bundle_index + 1} · the others are kept'
    ready = len(generation.bundles or [])
    if ready < EXPECTED_BUNDLES:
        return f'{ready} plan{"s" if ready != 1 else ""} ready so far'
    return f'{ready} plans ready · finishing up'


def landed_view(generation: GenerationPublic, make_card: CardMaker) -> None:
    """Nothing until the first bundle lands (or, for a refinement, at once)."""
    shown = slots(generation)
    if not shown:
        return
    with ui.row().classes('items-center gap-2'):
        ui.spinner('dots', size='20px', color='primary')
        ui.label(ready_text(generation)).classes('tb-eyebrow').mark('ready-count')
    with ui.element('div').classes('tb-grid w-full').mark('landed'):
        for index, bundle in enumerate(shown):
            if bundle is not None:
                make_card(bundle, index)
            elif generation.refinement is not None:
                placeholder_card(f'Plan {index + 1}: {_wish(generation)}…', marker='placeholder')
            else:
                placeholder_card('Looking for another plan…', marker='placeholder')


def _wish(generation: GenerationPublic) -> str:
    phrase = change_phrase(generation.refinement)  # 'plan 2 made cheaper' -> 'making it cheaper'
    wish = generation.refinement.instruction if generation.refinement else ''
    if generation.refinement and generation.refinement.replace_event_id and not wish:
        return 'swapping one event'
    if wish in ('cheaper', 'closer together', 'earlier', 'later'):
        return f'making it {wish}'
    return phrase.split(': ', 1)[-1] if phrase else 'remaking it'
