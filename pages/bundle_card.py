"""A bundle card: its cover, facts, map, and one row per event (when, where with the street address and
directions, price per person, tickets, why), with the travel between stops and a header per day in plans
that span several days. Model text is shown as text; links pass `safe_url`.
"""

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

from nicegui import ui

from models.generation import Bundle, KeyEvent
from models.geo import Travel, describe_travel
from pages import theme
from pages.a11y import heading
from pages.bundle_map import bundle_map, maps_shown, same_outing, show_stop
from pages.components import format_time_range, link_button, per_person, safe_url
from services.timeframes import describe_span

PLANNER_LABELS = {'offline': 'the offline planner', 'openai': 'the AI planner'}
# The card names where a real event is listed (the demo city's events are listed nowhere).
SOURCE_LABELS = {'ticketmaster': 'via Ticketmaster', 'jsonld': 'from venue site', 'ics': 'from venue calendar'}


def directions_url(event: KeyEvent) -> str | None:
    """OpenStreetMap's directions to the venue (no key, any device); None when its position is unknown."""
    if event.lat is None or event.lon is None:
        return None
    return f'https://www.openstreetmap.org/directions?to={quote(f"{event.lat:.6f},{event.lon:.6f}", safe="")}'


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
    notes: Callable[[], Any] | None = None,
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
            if notes is not None:  # what is happening to this plan (being changed, changed, refused)
                notes()
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
            leaflet = bundle_map(bundle, name=f'Map of {bundle.title}, plan {index + 1}', plan=index + 1)
            numbered = maps_shown(bundle)  # the numbers of the pins, next to the events they stand for
            events = bundle.key_events
            several_days = sum(not same_outing(a, b) for a, b in zip([None, *events], events, strict=False)) > 1
            with ui.element('div'):
                previous: KeyEvent | None = None
                for number, event in enumerate(bundle.key_events, start=1):
                    if not same_outing(previous, event):  # a new outing: its day, in plans over several days
                        if several_days:
                            ui.label(f'{event.starts_at:%A} {event.starts_at.day} {event.starts_at:%B}').classes(
                                'tb-day-header'
                            ).mark('day-header')
                    elif event.travel_from_previous is not None:
                        travel_row(event.travel_from_previous)
                    previous = event
                    mapped = numbered and event.lat is not None
                    event_row(
                        event,
                        number=number if mapped else None,
                        swap=swap,
                        stop=f'{index + 1}-{number}',
                        locate=(lambda n=number: show_stop(leaflet, n)) if mapped and leaflet else None,
                    )
            if controls is not None:
                controls()
        with ui.element('div').classes('tb-actions'):
            link_button('Add to calendar', calendar_url, icon='event').props('download').mark('calendar-link')
            ui.button('Share', icon='ios_share', on_click=on_share).props('outline color=primary').mark('share')
        ui.label(f'Made by {PLANNER_LABELS.get(planner, planner)}' + (' · Demo data' if is_demo else '')).classes(
            'tb-foot'
        )
    return card


TRAVEL_ICONS = {'walk': 'directions_walk', 'transit': 'directions_transit'}


def travel_row(travel: Travel) -> None:
    """'14 min walk' between two events, by the shared estimate."""
    with ui.element('div').classes('tb-travel').mark('travel'):
        ui.icon(TRAVEL_ICONS[travel.mode], size='18px')
        ui.label(describe_travel(travel))


def event_row(
    event: KeyEvent,
    *,
    number: int | None = None,
    swap: Callable[[KeyEvent], Any] | None = None,
    stop: str = '',
    locate: Callable[[], Any] | None = None,
) -> None:
    """One event; `stop` names it for its pin (`data-stop`), `locate` adds "Show on map"."""
    with ui.element('div').classes('tb-event') as row:
        if stop:
            row.props['data-stop'] = stop
            row.props['tabindex'] = '-1'  # a pin moves the focus here
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
            ui.label(event_times(event)).classes('tb-event-meta')
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
                if locate is not None:
                    show = ui.button('Show on map', icon='map', on_click=locate).classes('tb-show-on-map')
                    show.props('flat dense no-caps color=primary').mark('show-on-map')
                    show.props['aria-label'] = f'Show on map: {event.title}'
                if url and event.source in SOURCE_LABELS:  # where the event is listed, so it can be checked there
                    ui.link(SOURCE_LABELS[event.source], url, new_tab=True).props('rel="noopener noreferrer"').classes(
                        'tb-event-source'
                    ).mark('event-source')
            if event.why:
                ui.label(event.why).classes('tb-event-why tb-wrap')


def event_times(event: KeyEvent) -> str:
    """'19:00-21:00', or for a drop-in visit 'Drop in 15:00-17:30 (runs 14:00-23:00)' (with en dashes)."""
    if event.visit_start is None or event.visit_end is None:
        return format_time_range(event.starts_at, event.ends_at)
    visit = format_time_range(event.visit_start, event.visit_end)
    return f'Drop in {visit} (runs {format_time_range(event.starts_at, event.ends_at)})'
