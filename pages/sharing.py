"""Sharing a plan and keeping it: the phone's share sheet (Web Share API) with copying the link as the fallback,
links that name one plan (`?plan=2`), and "Keep this plan" for the browser that made it.
"""

import json

from nicegui import ui

from pages.components import owner_token_of
from services.generations import service
from services.generations.errors import GenerationError

SHARE_TIMEOUT_S = 120  # the share sheet stays open while the person picks an app
# On a touch device with the Web Share API: the share sheet; elsewhere (or if it fails): the clipboard.
# Answers 'shared', 'aborted', 'copied' or 'failed'.
_SHARE_JS = """
(async (data) => {
  if (navigator.share && matchMedia('(pointer: coarse)').matches) {
    try { await navigator.share(data); return 'shared'; }
    catch (error) { if (error && error.name === 'AbortError') return 'aborted'; }
  }
  try { await navigator.clipboard.writeText(data.url); return 'copied'; }
  catch (error) { return 'failed'; }
})(%s)
"""


def plan_url(share_url: str, index: int | None = None) -> str:
    """The plan's link; with an index, the link that opens that one plan (`?plan=2` for the second)."""
    return share_url if index is None else f'{share_url}?plan={index + 1}'


async def share(url: str, title: str) -> None:
    """Shares the link through the phone's share sheet, else copies it; says which happened."""
    try:
        outcome = await ui.run_javascript(_SHARE_JS % json.dumps({'title': title, 'url': url}), timeout=SHARE_TIMEOUT_S)
    except TimeoutError:
        return
    if outcome == 'copied':
        ui.notify('Link copied. Open it on any device to see this plan.', type='positive', position='top')
    elif outcome == 'failed':
        ui.notify(f'Copy this link to share it: {url}', type='info', position='top', timeout=15_000)


def open_plan(number: int) -> None:
    """Scrolls to plan `number` (from `?plan=N`), highlights it and moves the focus there, once the page is up."""

    def reveal() -> None:
        ui.run_javascript(
            f'const card = document.querySelector(\'[data-plan="{int(number)}"]\'); if (card) {{'
            " card.classList.add('tb-opened'); card.setAttribute('tabindex', '-1');"
            " card.scrollIntoView({block: 'start'}); card.focus({preventScroll: true}); }"
        )

    ui.timer(0.1, reveal, once=True)


class KeepButton:
    """The owner's "Keep this plan": kept plans outlive the clean-up until un-kept (shown in "My plans")."""

    def __init__(self, generation_id: str, *, kept: bool) -> None:
        self.generation_id = generation_id
        self.kept = kept
        self.button = ui.button(on_click=self.toggle).props('outline no-caps color=primary').mark('keep-plan')
        self._paint()

    def _paint(self) -> None:
        self.button.set_text('Kept' if self.kept else 'Keep this plan')
        self.button.props(f'icon={"bookmark" if self.kept else "bookmark_border"}')
        self.button.props['aria-pressed'] = 'true' if self.kept else 'false'
        self.button.update()

    async def toggle(self) -> None:
        try:
            row = await service.keep_generation(
                self.generation_id, owner_token_of(self.generation_id), kept=not self.kept
            )
        except GenerationError as error:
            ui.notify(error.message, type='warning')
            return
        if row is None:
            ui.notify('This plan has expired and can no longer be kept.', type='warning')
            return
        self.kept = row.kept
        self._paint()
        ui.notify(
            'Kept: this plan stays in “My plans” until you let it go.' if self.kept else 'No longer kept.',
            type='positive',
            position='top',
        )
