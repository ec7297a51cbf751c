"""The bundles of a plan still being made: each card as it lands ("2 of 3 ready"), a placeholder where the
next one will appear. A refinement shows the bundles it keeps and a placeholder where the remade one lands.
"""

from collections.abc import Callable
from typing import Any

from nicegui import ui

from models.generation import Bundle, GenerationPublic
from pages.refine_controls import change_phrase, placeholder_card

EXPECTED_BUNDLES = 3  # what a new plan usually holds; only for the "2 of 3 ready" line (a plan may hold more)
CardMaker = Callable[[Bundle, int, int], Any]  # (bundle, index, count) -> the card


def slots(generation: GenerationPublic) -> list[Bundle | None]:
    """The cards to show in order while running; None where a bundle is still being made."""
    bundles = list(generation.bundles or [])
    refinement = generation.refinement
    if refinement is not None:  # the kept bundles, with the remade one's place held open
        index = min(refinement.bundle_index, len(bundles))
        return [*bundles[:index], None, *bundles[index:]]
    if not bundles:
        return []
    return [*bundles, *[None] * max(1, EXPECTED_BUNDLES - len(bundles))]


def ready_text(generation: GenerationPublic) -> str:
    if generation.refinement is not None:
        return f'Remaking plan {generation.refinement.bundle_index + 1} · the others are kept'
    ready = len(generation.bundles or [])
    if ready < EXPECTED_BUNDLES:
        return f'{ready} of {EXPECTED_BUNDLES} ready'
    return f'{ready} ready · finishing up'


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
                make_card(bundle, index, len(shown))
            elif generation.refinement is not None:
                placeholder_card(f'Plan {index + 1}: {_wish(generation)}…', marker='placeholder')
            else:
                placeholder_card(f'Plan {index + 1} is on its way…', marker='placeholder')


def _wish(generation: GenerationPublic) -> str:
    phrase = change_phrase(generation.refinement)  # 'plan 2 made cheaper' -> 'making it cheaper'
    wish = generation.refinement.instruction if generation.refinement else ''
    if generation.refinement and generation.refinement.replace_event_id and not wish:
        return 'swapping one event'
    if wish in ('cheaper', 'closer together', 'earlier', 'later'):
        return f'making it {wish}'
    return phrase.split(': ', 1)[-1] if phrase else 'remaking it'
