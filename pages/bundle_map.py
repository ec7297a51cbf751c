"""A bundle's route on a map: numbered stops in visiting order joined by a line, fitted to the stops.

Leaflet comes with NiceGUI (no CDN); only the tiles come from `MAP_TILES_URL`, and `off` hides every map.
Events without a known position are listed in the card but not mapped; their numbers are skipped on the map
so a pin's number is always the event's place in the list.
"""

from nicegui import ui

from models.generation import Bundle, KeyEvent
from pages import theme
from settings import settings

# Keeps the outer pins clear of the zoom buttons (top left) and the attribution bar (bottom right).
FIT_PADDING_TOP_LEFT = [60, 28]
FIT_PADDING_BOTTOM_RIGHT = [28, 60]
MAX_FIT_ZOOM = 16  # two stops in one street should still show the streets around them
PIN_PX = 28


def mapped_stops(bundle: Bundle) -> list[tuple[int, KeyEvent]]:
    """(number in visiting order, event) for each event with a known position."""
    return [
        (number, event)
        for number, event in enumerate(bundle.key_events, start=1)
        if event.lat is not None and event.lon is not None
    ]


def maps_shown(bundle: Bundle) -> bool:
    return settings.maps_enabled() and bool(mapped_stops(bundle))


def bundle_map(bundle: Bundle) -> ui.leaflet | None:
    """The bundle's map, or None when maps are off or no event has a position."""
    stops = mapped_stops(bundle)
    if not settings.maps_enabled() or not stops:
        return None
    points = [(event.lat, event.lon) for _, event in stops]
    centre = (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
    # No scroll-wheel zoom: scrolling down the page must not get caught by a map on the way.
    leaflet = (
        ui.leaflet(center=centre, zoom=14, options={'scrollWheelZoom': False, 'zoomSnap': 0.5})
        .classes('tb-map')
        .props(f'role="region" aria-label="Map of the {len(stops)} stops of this plan"')
        .mark('bundle-map')
    )
    leaflet.clear_layers()  # drops NiceGUI's default tile layer for the configured one
    leaflet.tile_layer(
        url_template=settings.map_tiles_url,
        options={'attribution': settings.map_tiles_attribution, 'maxZoom': 19},
    )
    if len(points) > 1:
        leaflet.generic_layer(name='polyline', args=[points, _ROUTE_STYLE])
    markers = [
        leaflet.marker(latlng=point, options={'title': f'{number}. {event.title}', 'alt': f'Stop {number}'})
        for point, (number, event) in zip(points, stops, strict=True)
    ]

    def decorate() -> None:
        # Runs once Leaflet is up in the browser (again after a reconnect): numbered pins, then the fit.
        for marker, (number, _) in zip(markers, stops, strict=True):
            leaflet.run_layer_method(marker.id, ':setIcon', _pin_icon(number))
        fit = {'paddingTopLeft': FIT_PADDING_TOP_LEFT, 'paddingBottomRight': FIT_PADDING_BOTTOM_RIGHT}
        leaflet.run_map_method('fitBounds', points, {**fit, 'maxZoom': MAX_FIT_ZOOM})

    leaflet.on('init', decorate)
    unmapped = len(bundle.key_events) - len(stops)
    if unmapped:
        what = 'One stop has' if unmapped == 1 else f'{unmapped} stops have'
        ui.label(f'{what} no known location and {"is" if unmapped == 1 else "are"} not on the map.').classes(
            'tb-hint tb-map-note'
        )
    return leaflet


_ROUTE_STYLE = {
    'color': theme.ROUTE_COLOUR,
    'weight': 4,
    'opacity': 0.9,
    'dashArray': '2 9',
    'lineCap': 'round',
    'interactive': False,
}


def _pin_icon(number: int) -> str:
    """A JavaScript expression for a numbered pin; only an int goes into it, never event text."""
    half = PIN_PX // 2
    return (
        f"L.divIcon({{className: 'tb-pin', html: '<span>{int(number)}</span>', "
        f'iconSize: [{PIN_PX}, {PIN_PX}], iconAnchor: [{half}, {half}]}})'
    )
