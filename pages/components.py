"""Small UI pieces shared by the pages: bundle cards, event rows, chips, status and formatting helpers.

All model and user text goes through `ui.label` (rendered as text, never HTML); links pass `safe_url`.
"""

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from nicegui import app, ui

from models.catalog import Price
from models.generation import Bundle, GenerationPublic, KeyEvent, ProgressEntry
from models.geo import Travel, describe_travel
from pages import theme
from pages.a11y import heading
from pages.bundle_map import bundle_map, maps_shown
from services.text import currency_symbol, isolate
from services.timeframes import describe_span

EN_DASH = '\u2013'  # for ranges of prices and times
STATUS_LABELS = {
    'pending': 'Queued',
    'processing': 'Planning',
    'completed': 'Ready',
    'failed': 'Failed',
    'cancelled': 'Cancelled',
}
PLANNER_LABELS = {'offline': 'the offline planner', 'openai': 'the AI planner'}
# The card names where a real event is listed (the demo city's events are listed nowhere).
SOURCE_LABELS = {'ticketmaster': 'via Ticketmaster', 'jsonld': 'from venue site', 'ics': 'from venue calendar'}
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


def directions_url(event: KeyEvent) -> str | None:
    """OpenStreetMap's directions to the venue (no key, any device); None when its position is unknown."""
    if event.lat is None or event.lon is None:
        return None
    return f'https://www.openstreetmap.org/directions?to={quote(f"{event.lat:.6f},{event.lon:.6f}", safe="")}'


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


def cover(bundle: Bundle, *, badges: Sequence[str] = ()) -> None:
    """The card's top: the bundle's (or lead event's) photo when it is an http(s) image, else a designed cover."""
    lead = bundle.key_events[0] if bundle.key_events else None
    image = safe_url(bundle.image_url) or (safe_url(lead.image_url) if lead else None)
    category = lead.category if lead else ''
    with ui.element('div').classes('tb-cover').style(f'background: {theme.cover_gradient(bundle.title)}'):
        if image:
            ui.image(image).classes('tb-cover-img').props('alt="" no-spinner no-transition')
        else:
            ui.element('div').classes('tb-cover-pattern')
            ui.icon(theme.category_icon(category)).classes('tb-cover-icon')
        with ui.column().classes('gap-2 tb-wrap w-full'):
            if badges:
                with ui.row().classes('gap-2'):
                    for badge in badges:
                        ui.label(badge).classes('tb-badge tb-badge-glass')
            heading(bundle.title, level=2, classes='tb-cover-title tb-wrap').mark('bundle-title')
            if bundle.key_events:  # titles name a theme, the days go on their own line
                ui.label(bundle_days(bundle)).classes('tb-cover-days').mark('bundle-days')


def bundle_days(bundle: Bundle) -> str:
    """'Fri 5 - Sun 7 Dec' or 'Sat 6 Dec': the days of the key events' starts, in the city's time (the catalog
    gives every event its city's offset, the same the event rows show)."""
    starts = [event.starts_at for event in bundle.key_events]
    return describe_span(min(starts), max(starts)) if starts else ''


def bundle_card(
    bundle: Bundle,
    *,
    index: int,
    count: int | None,
    calendar_url: str,
    on_share: Callable[[], Any],
    planner: str,
    is_demo: bool,
    swap: Callable[[KeyEvent], Any] | None = None,
    controls: Callable[[], Any] | None = None,
    badges: Sequence[str] = (),
) -> ui.element:
    """One bundle; `swap` builds a control beside each event and `controls` a row under the events (refining).
    `count` is None while more plans may still come: the badge then never promises a total."""
    badges = [f'Plan {index + 1} of {count}' if count else f'Plan {index + 1}', *badges]
    if is_demo:
        badges.append('Demo data')
    with ui.element('article').classes('tb-card tb-bundle').mark(f'bundle-{index}') as card:
        card.props['data-plan'] = str(index + 1)  # what `?plan=N` scrolls to
        cover(bundle, badges=badges)
        with ui.element('div').classes('tb-bundle-body'):
            ui.label(bundle.description).classes('tb-wrap')
            if bundle.tags:
                with ui.element('div').classes('tb-tags'):
                    for tag in bundle.tags:
                        ui.label(f'#{tag}').classes('tb-tag')
            with ui.row().classes('items-center justify-between w-full no-wrap'):
                ui.label(f'{len(bundle.key_events)} event{"s" if len(bundle.key_events) != 1 else ""}').classes(
                    'tb-hint'
                )
                with ui.row().classes('items-center gap-1 no-wrap'):
                    ui.label('Est. cost').classes('tb-hint')
                    ui.label(per_person(bundle.estimated_cost, unknown='Varies')).classes('tb-cost')
            bundle_map(bundle, name=f'Map of {bundle.title}, plan {index + 1}')
            numbered = maps_shown(bundle)  # the numbers of the pins, next to the events they stand for
            with ui.element('div'):
                previous: KeyEvent | None = None
                for number, event in enumerate(bundle.key_events, start=1):
                    if event.travel_from_previous is not None and _same_outing(previous, event):
                        travel_row(event.travel_from_previous)
                    previous = event
                    event_row(event, number=number if numbered and event.lat is not None else None, swap=swap)
            if controls is not None:
                controls()
        with ui.element('div').classes('tb-actions'):
            link_button('Add to calendar', calendar_url, icon='event').props('download').mark('calendar-link')
            ui.button('Share', icon='ios_share', on_click=on_share).props('outline color=primary').mark('share')
        ui.label(f'Made by {PLANNER_LABELS.get(planner, planner)}' + (' · Demo data' if is_demo else '')).classes(
            'tb-foot'
        )
    return card


SAME_OUTING = timedelta(hours=6)  # a longer gap means going home in between: no hop to show


def _same_outing(previous: KeyEvent | None, event: KeyEvent) -> bool:
    return previous is not None and event.starts_at - previous.ends_at <= SAME_OUTING


TRAVEL_ICONS = {'walk': 'directions_walk', 'transit': 'directions_transit'}


def travel_row(travel: Travel) -> None:
    """'14 min walk' between two events, by the shared estimate."""
    with ui.element('div').classes('tb-travel').mark('travel'):
        ui.icon(TRAVEL_ICONS[travel.mode], size='18px')
        ui.label(describe_travel(travel))


def event_row(event: KeyEvent, *, number: int | None = None, swap: Callable[[KeyEvent], Any] | None = None) -> None:
    with ui.element('div').classes('tb-event'):
        with ui.element('div').classes('tb-event-side'):
            with ui.element('div').classes('tb-event-when'):
                if number is not None:
                    ui.label(str(number)).classes('tb-stop-num').props('aria-hidden="true"')
                ui.label(f'{event.starts_at:%a}').classes('tb-event-day')
                ui.label(f'{event.starts_at.day}').classes('tb-event-date')
                ui.label(f'{event.starts_at:%b}').classes('tb-event-time')
            if swap is not None:  # under the date: beside the event without taking width from its text
                swap(event)
        with ui.column().classes('gap-1 tb-wrap'):
            heading(event.title, level=3, classes='tb-event-title tb-wrap')
            ui.label(format_time_range(event.starts_at, event.ends_at)).classes('tb-event-meta')
            place = ' · '.join(part for part in (event.venue, event.neighborhood) if part)
            with ui.row().classes('items-start gap-1 no-wrap tb-event-meta'):
                ui.icon('place', size='16px').classes('tb-meta-icon')
                with ui.column().classes('gap-0 tb-wrap'):
                    ui.label(place).classes('tb-wrap')
                    if event.address:
                        ui.label(event.address).classes('tb-wrap tb-address').mark('address')
            with ui.row().classes('items-center gap-x-3 gap-y-0 tb-event-links'):
                ui.label(per_person(event.price)).classes('tb-cost').mark('price')
                url = safe_url(event.url)
                if url:
                    with ui.link(target=url, new_tab=True).props('rel="noopener noreferrer"') as tickets:
                        ui.label('Tickets')
                        ui.icon('north_east', size='16px')
                    tickets.props['aria-label'] = f'Tickets for {event.title} (opens in a new tab)'
                directions = directions_url(event)
                if directions:
                    with ui.link(target=directions, new_tab=True).props('rel="noopener noreferrer"') as way:
                        ui.icon('directions', size='16px')
                        ui.label('Directions')
                    way.props['aria-label'] = f'Directions to {event.venue or event.title} (opens in a new tab)'
                    way.mark('directions')
                if url and event.source in SOURCE_LABELS:  # where the event is listed, so it can be checked there
                    ui.link(SOURCE_LABELS[event.source], url, new_tab=True).props('rel="noopener noreferrer"').classes(
                        'tb-event-source'
                    ).mark('event-source')
            if event.why:
                ui.label(event.why).classes('tb-event-why tb-wrap')


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
