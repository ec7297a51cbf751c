"""What assistive technology relies on: real headings, toggle buttons, a polite live region, and errors tied to
(and focused on) their fields. The pages build these through here so every page states them the same way.
"""

import json
from collections.abc import Callable, Sequence
from typing import Any

from nicegui import ui
from nicegui.elements.mixins.text_element import TextElement

# A filled button's props: its text colour follows the palette (white on light ember, dark ink on dark ember).
FILLED = 'unelevated no-caps text-color=on-primary'
LANGUAGE = 'en-GB'  # the pages' language, for <html lang> (screen readers pick their voice from it)


def heading(text: str, *, level: int, classes: str = '') -> TextElement:
    """An <h1>-<h6> holding `text` as text (never HTML); the look comes from `classes`, not from the level."""
    return TextElement(tag=f'h{level}', text=text).classes(f'tb-heading {classes}'.strip())


def dom_id(element: ui.element) -> str:
    """The id NiceGUI gives the element in the page (what aria-describedby and aria-labelledby point at)."""
    return f'c{element.id}'


class LiveRegion:
    """A visually hidden `role=status` line: screen readers read each new text politely (progress, plans landing,
    completion) without moving the focus. Built outside anything that is redrawn, so it survives redraws."""

    def __init__(self) -> None:
        self.label = ui.label('').classes('tb-sr-only').props('role=status aria-live=polite aria-atomic=true')
        self.label.mark('live-region')

    def say(self, text: str) -> None:
        if text != self.label.text:
            self.label.set_text(text)


class ToggleChips:
    """Chips that select one or several options: real <button>s with `aria-pressed`, so Space and Enter toggle
    them and screen readers say "pressed"; the selection is kept server side."""

    def __init__(
        self,
        options: Sequence[str],
        *,
        multiple: bool,
        label: str,
        labels: dict[str, str] | None = None,
        icons: dict[str, str] | None = None,
        selected: Sequence[str] = (),
        on_change: Callable[[list[str]], Any] | None = None,
        marker: str = '',
    ) -> None:
        self.multiple = multiple
        self.selected: list[str] = list(selected)
        self._on_change = on_change
        self._chips: dict[str, ui.button] = {}
        with ui.element('div').classes('tb-chips').props('role=group') as self.container:
            for option in options:
                chip = (
                    ui.button(
                        (labels or {}).get(option, option), color=None, on_click=lambda _, o=option: self.toggle(o)
                    )
                    .props('no-caps unelevated' + (f' icon={icons[option]}' if icons and option in icons else ''))
                    .classes('tb-chip')
                )
                if marker:
                    chip.mark(f'{marker}-{option.lower().replace(" ", "-")}')
                self._chips[option] = chip
        self.container.props['aria-label'] = label
        self._paint()

    def toggle(self, option: str) -> None:
        if self.multiple:
            if option in self.selected:
                self.selected.remove(option)
            else:
                self.selected.append(option)
        else:
            self.selected = [option]
        self._paint()
        if self._on_change:
            self._on_change(list(self.selected))

    def _paint(self) -> None:
        for option, chip in self._chips.items():
            on = option in self.selected
            chip.classes(add='tb-on') if on else chip.classes(remove='tb-on')
            chip.props['aria-pressed'] = 'true' if on else 'false'
            chip.update()


def describe_field(field: ui.element, error: ui.label, *, invalid: bool) -> None:
    """Ties the error line to its field (read with it) and marks the field invalid while the error shows."""
    field.props['aria-describedby'] = dom_id(error)
    if invalid:
        field.props['aria-invalid'] = 'true'
    else:
        field.props.pop('aria-invalid', None)
    field.update()


def focus_first(element: ui.element) -> None:
    """Scrolls to the element (centred, so a phone's header does not hide it) and focuses its control."""
    target = json.dumps(dom_id(element))
    ui.run_javascript(
        f'const box = document.getElementById({target}); if (box) {{'
        " const control = box.matches('input,textarea,button,[tabindex]') ? box"
        '   : box.querySelector(\'input,textarea,button,[tabindex]:not([tabindex="-1"])\') || box;'
        " box.scrollIntoView({block: 'center'}); control.focus({preventScroll: true}); }"
    )
