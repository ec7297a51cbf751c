"""Small UI pieces shared by the pages: bundle cards, event rows, chips, status and formatting helpers.

All model and user text goes through `ui.label` (rendered as text, never HTML); links pass `safe_url`.
"""

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit

from nicegui import app, ui

from models.catalog import Price
from models.generation import GenerationPublic, ProgressEntry
from pages import theme
from pages.a11y import heading
from services.text import currency_symbol, isolate

EN_DASH = '\u2013'  # for ranges of prices and times
STATUS_LABELS = {
    'pending': 'Queued',
    'processing': 'Planning',
    'completed': 'Ready',
    'failed': 'Failed',
    'cancelled': 'Cancelled',
}
HISTORY_LIMIT = 50
SUMMARY_TEXT_LIMIT = 90  # characters of the free text repeated under a plan's heading


# --- This browser ---


def client_id() -> str:
    """Who is asking, for the service's rate limit and idempotency keys: this browser."""
    return f'browser:{app.storage.browser["id"]}'


def client_ip() -> str | None:
    """The address this page was asked from, counted by the rate limit besides the browser (a browser that
    clears its cookies is a new browser, not a new address). The server sets it from the real peer, or from
    X-Forwarded-For only when the peer is one of TRUSTED_PROXIES (app.py)."""
    request = ui.context.client.request
    return request.client.host if request is not None and request.client is not None else None


def my_generation_ids() -> list[str]:
    """This browser's generations, newest first (kept server side in `app.storage.user`)."""
    return list(app.storage.user.get('generations', []))


def remember_generation(generation_id: str, owner_token: str | None = None) -> None:
    """Adds the plan to this browser's history; its owner token (kept server side) lets this browser cancel it."""
    ids = [i for i in my_generation_ids() if i != generation_id]
    app.storage.user['generations'] = [generation_id, *ids][:HISTORY_LIMIT]
    if owner_token:
        tokens = {k: v for k, v in app.storage.user.get('owner_tokens', {}).items() if k in ids}
        app.storage.user['owner_tokens'] = {**tokens, generation_id: owner_token}


def owner_token_of(generation_id: str) -> str | None:
    """The token this browser got when it started the plan; None on a shared link."""
    return app.storage.user.get('owner_tokens', {}).get(generation_id)


# --- Formatting ---


def safe_url(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) link; anything else (javascript:, data:, relative) is dropped."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ('http', 'https') or not parts.netloc:
        return None
    return url.strip()


def format_amount(value: float) -> str:
    return f'{value:.0f}' if float(value).is_integer() else f'{value:.2f}'


def format_price(price: Price | None, *, unknown: str = 'Price TBA') -> str:
    if price is None:
        return unknown
    if price.max <= 0:
        return 'Free'
    symbol = currency_symbol(price.currency)
    if price.min == price.max:
        return f'{symbol}{format_amount(price.min)}'
    return f'{symbol}{format_amount(price.min)}{EN_DASH}{format_amount(price.max)}'


def per_person(price: Price | None, *, unknown: str = 'Price TBA') -> str:
    """'€12-18 per person', 'Free': every price the catalog gives is one ticket's."""
    text = format_price(price, unknown=unknown)
    return text if price is None or text == 'Free' else f'{text} per person'


def format_time_range(start: datetime, end: datetime) -> str:
    return f'{start:%H:%M}{EN_DASH}{end:%H:%M}'


def format_elapsed(seconds: float) -> str:
    seconds = max(0, int(seconds))
    minutes, secs = divmod(seconds, 60)
    if minutes >= 60:
        hours, minutes = divmod(minutes, 60)
        return f'{hours}:{minutes:02d}:{secs:02d}'
    return f'{minutes}:{secs:02d}'


def time_ago(moment: datetime, now: datetime) -> str:
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return 'just now'
    if seconds < 3600:
        return f'{int(seconds // 60)} min ago'
    if seconds < 86400:
        return f'{int(seconds // 3600)} h ago'
    days = int(seconds // 86400)
    return f'{days} day{"s" if days != 1 else ""} ago'


def timeframe_label(generation: GenerationPublic) -> str:
    timeframe = generation.preferences.get('timeframe')
    return timeframe if isinstance(timeframe, str) else generation.window.label


def generation_title(generation: GenerationPublic) -> str:
    """The first bundle's title, else what was asked: 'Plan for music, nightlife · This weekend'."""
    if generation.bundles:
        return generation.bundles[0].title
    interests = ', '.join(generation.preferences.get('interests') or []) or 'you'
    return f'Plan for {interests} · {timeframe_label(generation)}'


def preferences_summary(generation: GenerationPublic, *, currency: str = '', private: bool = True) -> list[str]:
    """Short facts about what was asked, for a line of chips under a heading; without `private`, the sender's own
    words and budget are left out (a friend opening a shared link sees the plans, not what was typed)."""
    prefs = generation.preferences
    facts = [
        ', '.join(i.capitalize() for i in prefs.get('interests') or []),
        f'{timeframe_label(generation)} ({generation.window.label})'
        if isinstance(prefs.get('timeframe'), str)
        else generation.window.label,
    ]
    if prefs.get('city'):
        facts.append(prefs['city'])
    if prefs.get('musicProfile'):
        facts.append(prefs['musicProfile'])
    if not private:
        return [fact for fact in facts if fact]
    if prefs.get('budget') is not None:
        facts.append(f'Up to {currency_symbol(currency)}{format_amount(prefs["budget"])} per plan')
    if prefs.get('otherPreferences'):
        other = prefs['otherPreferences']
        facts.append(f'“{isolate(other[:SUMMARY_TEXT_LIMIT] + ("…" if len(other) > SUMMARY_TEXT_LIMIT else ""))}”')
    return [fact for fact in facts if fact]


# --- Elements ---


def field_error(marker: str) -> ui.label:
    """An inline error line under a form field, hidden until it has text."""
    label = ui.label('').classes('tb-error').mark(marker)
    label.set_visibility(False)
    return label


def show_error(label: ui.label, message: str | None) -> None:
    label.set_text(message or '')
    label.set_visibility(bool(message))


def status_chip(status: str) -> ui.label:
    text_colour, background = theme.STATUS_COLOURS.get(status, ('#333', '#eee'))
    return (
        ui.label(STATUS_LABELS.get(status, status))
        .classes('tb-status')
        .style(f'color: {text_colour}; background: {background}')
        .mark(f'status-{status}')
    )


def link_button(text: str, target: str, *, icon: str | None = None, primary: bool = False) -> ui.link:
    """A link that looks like a button (a real <a>: works without JavaScript and can be opened in a new tab)."""
    with ui.link(target=target).classes('tb-btn-link' + (' tb-primary' if primary else '')) as link:
        if icon:
            ui.icon(icon, size='20px')
        ui.label(text)
    return link


def progress_step(entry: ProgressEntry, *, started: datetime, current: bool) -> None:
    with ui.element('div').classes('tb-step'):
        with ui.element('div').classes('tb-step-dot'):
            if current:
                ui.spinner('dots', size='18px', color='primary')
            else:
                ui.icon('check', size='16px')
        with ui.column().classes('gap-0 tb-wrap'):
            ui.label(entry.message).classes('tb-wrap')
            ui.label(f'+{format_elapsed((entry.at - started).total_seconds())}').classes('tb-step-time')


def notes_list(notes: Sequence[str], *, title: str, icon: str = 'info', marker: str = 'notes') -> None:
    """A short titled list of notes about a plan (what was understood or not used, why a wish could not be
    kept); nothing when there are none. Each note is shown as text."""
    if not notes:
        return
    with ui.element('section').classes('tb-notes').mark(marker):
        with ui.row().classes('items-center gap-2 no-wrap'):
            ui.icon(icon, size='20px').classes('tb-notes-icon')
            heading(title, level=2, classes='tb-section-title')
        with ui.element('ul').classes('tb-notes-list'):
            for note in notes:
                with ui.element('li'):
                    ui.label(note).classes('tb-wrap')
