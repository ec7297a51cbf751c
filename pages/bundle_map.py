"""A bundle's route on a map: numbered stops in visiting order joined by a line, fitted to the stops.

Leaflet comes with NiceGUI (no CDN); only the tiles come from `MAP_TILES_URL`, and `off` hides every map.
Events without a known position are listed in the card but not mapped; their numbers are skipped on the map
so a pin's number is always the event's place in the list.
"""

from nicegui import ui

from models.generation import Bundle, KeyEvent
from models.geo import SAME_OUTING
from pages import theme
from settings import settings

# Keeps the outer pins clear of the zoom buttons (top left) and the attribution bar (bottom right).
FIT_PADDING_TOP_LEFT = [84, 28]  # the zoom buttons are 44 px wide (thumb-sized), 10 px from the edge
FIT_PADDING_BOTTOM_RIGHT = [32, 60]
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


def bundle_map(bundle: Bundle, *, name: str = '', plan: int = 1) -> ui.leaflet | None:
    """The bundle's map, or None when maps are off or no event has a position; `name` tells it from the others.
    Activating a pin (click, tap, or Enter on a focused pin) highlights its stop in plan `plan`'s list."""
    stops = mapped_stops(bundle)
    if not settings.maps_enabled() or not stops:
        return None
    points = [(event.lat, event.lon) for _, event in stops]
    places = _places(stops)
    centre = (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
    # No scroll-wheel zoom: scrolling down the page must not get caught by a map on the way. No zoom animation:
    # while one runs the pins sit in passing places, overlapping; without it a zoom and the fan-out after it are
    # drawn in one frame.
    options = {'scrollWheelZoom': False, 'zoomSnap': 0.5, 'zoomAnimation': False, 'markerZoomAnimation': False}
    leaflet = (
        ui.leaflet(center=centre, zoom=14, options=options).classes('tb-map').props('role=region').mark('bundle-map')
    )
    leaflet.props['aria-label'] = f'{name or "Map of this plan"}: {len(stops)} stop{"s" if len(stops) != 1 else ""}'
    leaflet.clear_layers()  # drops NiceGUI's default tile layer for the configured one
    leaflet.tile_layer(
        url_template=settings.map_tiles_url,
        options={'attribution': settings.map_tiles_attribution, 'maxZoom': 19},
    )
    for day in _days(stops):  # one route per day: stops of different days are never joined
        if len(day) > 1:
            leaflet.generic_layer(name='polyline', args=[day, _ROUTE_STYLE])
    markers = [
        leaflet.marker(
            latlng=point,
            options={'title': '; '.join(f'{n}. {e.title}' for n, e in visits), 'alt': f'Stop {_label(visits)}'},
        )
        for point, visits in places.items()
    ]

    def decorate() -> None:
        # Runs once Leaflet is up in the browser (again after a reconnect): numbered pins, the fit (at once, not
        # animated), then the fan-out, which shows the pins (hidden by style.css until then, so no state of the page
        # has them with Leaflet's default icon, at the first view's zoom, or on top of each other).
        for marker, visits in zip(markers, places.values(), strict=True):
            leaflet.run_layer_method(marker.id, ':setIcon', _pin_icon([n for n, _ in visits]))
        fit = {'paddingTopLeft': FIT_PADDING_TOP_LEFT, 'paddingBottomRight': FIT_PADDING_BOTTOM_RIGHT}
        leaflet.run_map_method('fitBounds', points, {**fit, 'maxZoom': MAX_FIT_ZOOM, 'animate': False})
        ui.run_javascript(_SPREAD_PINS_JS % int(leaflet.id))
        ui.run_javascript(_PIN_TO_STOP_JS % (int(leaflet.id), int(plan)))

    leaflet.on('init', decorate)
    unmapped = len(bundle.key_events) - len(stops)
    if unmapped:
        what = 'One stop has' if unmapped == 1 else f'{unmapped} stops have'
        ui.label(f'{what} no known location and {"is" if unmapped == 1 else "are"} not on the map.').classes(
            'tb-hint tb-map-note'
        )
    return leaflet


# Pins that would touch on screen are fanned out around their spot, in visiting order, and again after each zoom
# and each pin added: two stops in one street never hide each other (the first keeps its place). Each pin is
# taken at its drawn size, so a wide "1·3" pin keeps as clear of its neighbours as a round one. The nearest free
# spot is taken, each ring of spots tried from the side facing the middle of the map, and a pin the fit put inside
# the padded box stays inside it: fanned out, it never lands on the zoom buttons or the attribution bar.
PIN_GAP_PX = 4
_SPREAD_PINS_JS = """(() => {
  const map = getElement(%d).map; if (!map) return;
  const clash = (a, b) => a.l < b.r + GAP && b.l < a.r + GAP && a.t < b.b + GAP && b.t < a.b + GAP;
  const spread = () => {
    const [left, top, right, bottom] = PADDING, view = map.getSize(), placed = [];
    const lo = map.containerPointToLayerPoint([left, top]);
    const hi = map.containerPointToLayerPoint([view.x - right, view.y - bottom]);
    const inside = (x, y) => lo.x <= x && x <= hi.x && lo.y <= y && y <= hi.y;
    const middle = lo.add(hi).divideBy(2);
    map.eachLayer((pin) => {
      if (!(pin instanceof L.Marker) || !pin._icon) return;
      const icon = pin._icon, drawn = icon.firstElementChild || icon;
      if (icon.dataset.ml === undefined || icon.dataset.icon !== icon.innerHTML) {
        // First seen, or given a new icon since (setIcon resets the margins): remember where it sits.
        icon.dataset.ml = icon.style.marginLeft; icon.dataset.mt = icon.style.marginTop;
        icon.dataset.icon = icon.innerHTML;
      }
      const w = Math.max(drawn.offsetWidth, PIN), h = Math.max(drawn.offsetHeight, PIN), size = Math.max(w, h) + GAP;
      const base = map.latLngToLayerPoint(pin.getLatLng());
      const box = (dx, dy) => ({l: base.x + dx - w / 2, r: base.x + dx + w / 2,
                                t: base.y + dy - h / 2, b: base.y + dy + h / 2});
      const keepInside = inside(base.x, base.y), toMiddle = Math.atan2(middle.y - base.y, middle.x - base.x);
      let spot = null, free = null;  // the first spot clear of the pins placed, and inside the box if need be
      for (let ring = 0; ring <= 4 && !spot; ring++) {
        for (let k = 0, spots = Math.max(1, 6 * ring); k < spots && !spot; k++) {
          const angle = toMiddle + Math.ceil(k / 2) * (k %% 2 ? 1 : -1) * 2 * Math.PI / spots;
          const dx = Math.round(ring * size * Math.cos(angle)), dy = Math.round(ring * size * Math.sin(angle));
          if (placed.some((p) => clash(p, box(dx, dy)))) continue;
          free = free || [dx, dy];
          if (!keepInside || inside(base.x + dx, base.y + dy)) spot = [dx, dy];
        }
      }
      const [dx, dy] = spot || free || [0, 0];
      placed.push(box(dx, dy));
      icon.style.marginLeft = (parseFloat(icon.dataset.ml) + dx) + 'px';
      icon.style.marginTop = (parseFloat(icon.dataset.mt) + dy) + 'px';
    });
  };
  spread();
  map.getPane('markerPane').classList.add('tb-pins-ready');
  if (!map.tbSpread) {
    map.tbSpread = true;
    map.on('zoomend moveend resize', spread);
    // Pins can land after this ran (the map fills in as it loads): fan each arrival out at once, too.
    map.on('layeradd', (event) => { if (event.layer instanceof L.Marker) requestAnimationFrame(spread); });
  }
})()""".replace('GAP', str(PIN_GAP_PX)).replace('PIN', str(PIN_PX))
_SPREAD_PINS_JS = _SPREAD_PINS_JS.replace('PADDING', str([*FIT_PADDING_TOP_LEFT, *FIT_PADDING_BOTTOM_RIGHT]))

# A pin, when activated, highlights its (first) stop in the card's list and moves the focus there.
_PIN_TO_STOP_JS = """(() => {
  const map = getElement(%d).map, plan = %d; if (!map) return;
  map.eachLayer((pin) => {
    if (!(pin instanceof L.Marker) || pin.tbStop) return;
    pin.tbStop = true;
    pin.on('click', () => {
      const number = ((pin.options.alt || '').match(/[0-9]+/) || [''])[0];
      const stop = document.querySelector(`[data-stop="${plan}-${number}"]`); if (!stop) return;
      stop.closest('article').querySelectorAll('.tb-stop-active').forEach((e) => e.classList.remove('tb-stop-active'));
      stop.classList.add('tb-stop-active');
      stop.scrollIntoView({block: 'center'}); stop.focus({preventScroll: true});
    });
  });
})()"""


def show_stop(leaflet: ui.leaflet, number: int) -> None:
    """ "Show on map": brings the map into view, centres the stop's pin, highlights it and focuses it."""
    ui.run_javascript(
        f"""(() => {{ const map = getElement({int(leaflet.id)}).map; if (!map) return;
  map.getContainer().scrollIntoView({{block: 'center'}});
  map.eachLayer((pin) => {{
    if (!(pin instanceof L.Marker) || !pin._icon) return;
    const numbers = (pin.options.alt || '').match(/[0-9]+/g) || [];
    const mine = numbers.includes('{int(number)}');
    pin._icon.classList.toggle('tb-pin-active', mine);
    if (mine) {{ map.panTo(pin.getLatLng()); pin._icon.focus({{preventScroll: true}}); }}
  }});
}})()"""
    )


def same_outing(previous: KeyEvent | None, event: KeyEvent) -> bool:
    """Whether `event` follows `previous` in one outing (no going home in between), as attended."""
    return previous is not None and event.attended_from - previous.attended_until <= SAME_OUTING


def _days(stops: list[tuple[int, KeyEvent]]) -> list[list[tuple[float, float]]]:
    """The stops' points, one list per outing (a night that runs past midnight stays one outing)."""
    days: list[list[tuple[float, float]]] = []
    previous: KeyEvent | None = None
    for _, event in stops:
        if not same_outing(previous, event):
            days.append([])
        days[-1].append((event.lat, event.lon))
        previous = event
    return days


_ROUTE_STYLE = {
    'color': theme.ROUTE_COLOUR,
    'weight': 4,
    'opacity': 0.9,
    'dashArray': '2 9',
    'lineCap': 'round',
    'interactive': False,
}


def _places(stops: list[tuple[int, KeyEvent]]) -> dict[tuple[float, float], list[tuple[int, KeyEvent]]]:
    """The stops grouped by position: two visits to one venue share one pin ("1·3"), never hide each other."""
    places: dict[tuple[float, float], list[tuple[int, KeyEvent]]] = {}
    for number, event in stops:
        places.setdefault((event.lat, event.lon), []).append((number, event))
    return places


def _label(visits: list[tuple[int, KeyEvent]]) -> str:
    return '·'.join(str(number) for number, _ in visits)


def _pin_icon(numbers: list[int]) -> str:
    """A JavaScript expression for a numbered pin; only ints go into it, never event text."""
    label = '·'.join(str(int(n)) for n in numbers)
    width, half = PIN_PX + 12 * (len(numbers) - 1), PIN_PX // 2
    return (
        f"L.divIcon({{className: 'tb-pin', html: '<span>{label}</span>', "
        f'iconSize: [{width}, {PIN_PX}], iconAnchor: [{width // 2}, {half}]}})'
    )
