"""Refinements in place: a change asked on a card is followed on the same page. While it is made the card
says so; when it is done the changed plan takes the card's place ("Changed", what else changed, "Undo");
when it cannot be done the card says why, inline, and the plan stays as it was.

The change itself is a new generation (the refinement lifecycle); the page adopts it when it completes and
puts its link in the address bar, so a refresh or a shared link shows the changed plan.
"""

import json
from collections.abc import Sequence
from typing import Any

from nicegui import ui

from models.generation import RUNNING_STATUSES, Bundle, Generation
from pages.components import per_person
from services.generations import service
from settings import settings


class InPlace:
    """The changes this page is waiting for, one per card, and the ones refused (their reasons)."""

    def __init__(self, view: Any) -> None:
        self.view = view
        self.pending: dict[int, str] = {}  # card index -> the generation making the change
        self.refused: dict[int, str] = {}
        self.timer = ui.timer(settings.poll_interval_s, self.check, active=False)

    def started(self, index: int, child_id: str) -> None:
        self.pending[index] = child_id
        self.refused.pop(index, None)
        self.timer.activate()
        self.view.redraw_card(index)
        self.view.live.say(f'Changing plan {index + 1}…')

    async def check(self) -> None:
        for index, child_id in list(self.pending.items()):
            row = await service.get_generation(child_id)
            if row is not None and row.status in RUNNING_STATUSES:
                continue
            del self.pending[index]
            if row is not None and row.status == 'completed':
                self.timer.deactivate()
                self.view.adopt(row, index)
                return
            self.refused[index] = _reason(row)
            self.view.refiner.reset()
            self.view.redraw_card(index)
            self.view.live.say(f'Plan {index + 1} could not be changed: {self.refused[index]} It is unchanged.')
        if not self.pending:
            self.timer.deactivate()


def _reason(row: Generation | None) -> str:
    if row is None:
        return 'the change was lost.'
    if row.status == 'cancelled':
        return 'the change was cancelled.'
    return row.error or 'it could not be done.'


def show_url(url: str) -> None:
    """Puts the changed plan's link in the address bar without reloading (a refresh shows the changed plan)."""
    ui.run_javascript(f'history.replaceState(null, "", {json.dumps(url)})')


def side_effects(before: Bundle, after: Bundle) -> list[str]:
    """What else changed with the change asked: events, cost, travel between stops, start and end times."""
    effects: list[str] = []
    old_ids = {event.event_id for event in before.key_events}
    new = [event.title for event in after.key_events if event.event_id not in old_ids]
    if new:
        effects.append(f'New: {", ".join(new)}')
    old_cost, new_cost = per_person(before.estimated_cost, unknown='varies'), per_person(after.estimated_cost)
    if old_cost != new_cost:
        effects.append(f'Cost: {new_cost} (was {old_cost.removesuffix(" per person")})')
    old_travel, new_travel = _travel_minutes(before), _travel_minutes(after)
    if old_travel != new_travel:
        effects.append(f'Travel between stops: {new_travel} min (was {old_travel} min)')
    for name, old, new_time in (
        ('Starts', before.key_events[0].starts_at, after.key_events[0].starts_at),
        ('Ends', before.key_events[-1].ends_at, after.key_events[-1].ends_at),
    ):
        if old != new_time:
            effects.append(f'{name} {new_time:%a %H:%M} (was {old:%a %H:%M})')
    return effects


def _travel_minutes(bundle: Bundle) -> int:
    return sum(event.travel_from_previous.minutes for event in bundle.key_events if event.travel_from_previous)


def working_note(text: str) -> None:
    with ui.element('div').classes('tb-inline-note tb-working').mark('refine-working'):
        ui.spinner('dots', size='20px', color='primary')
        ui.label(text).classes('tb-wrap')


def refused_note(reason: str) -> None:
    with ui.element('div').classes('tb-inline-note tb-refused').mark('refine-refused'):
        ui.icon('info', size='20px')
        ui.label(f'This change could not be made: {reason} Your plan is unchanged.').classes('tb-wrap')


def changed_note(effects: Sequence[str], *, undo_url: str | None) -> None:
    """'Changed' with what else changed and, while the plan it came from exists, an Undo back to it."""
    with ui.element('div').classes('tb-inline-note tb-changed').mark('changed-note'):
        with ui.row().classes('items-center justify-between w-full no-wrap gap-2'):
            with ui.row().classes('items-center gap-2 no-wrap'):
                ui.icon('auto_fix_high', size='20px')
                ui.label('Changed').classes('tb-section-title')
            if undo_url:
                with ui.link(target=undo_url).classes('tb-undo').mark('undo') as undo:
                    ui.icon('undo', size='18px')
                    ui.label('Undo')
                undo.props['aria-label'] = 'Undo this change (back to the plan before it)'
        if effects:
            with ui.element('ul').classes('tb-notes-list'):
                for effect in effects:
                    with ui.element('li'):
                        ui.label(effect).classes('tb-wrap')
