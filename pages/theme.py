"""Design tokens (colours, type, spacing) and the one style sheet built from them.

Light and dark palettes are CSS custom properties; Quasar sets `body--dark` when the system asks for
dark mode (`ui.dark_mode(None)`), which swaps the palette without any Python round trip.
"""

import hashlib

PRODUCT_NAME = 'Trip Bundles'
TAGLINE = 'Your free time, turned into plans worth leaving the house for.'

# Brand colours (Quasar's named colours are set from these, so buttons and chips match).
PRIMARY = '#E2553B'  # ember: calls to action
SECONDARY = '#2D2263'  # midnight indigo: header, headings
ACCENT = '#F1A93B'  # amber: highlights
POSITIVE = '#1F9D6B'
NEGATIVE = '#C8343E'
WARNING = '#E59A1B'
INFO = '#3A6FD8'
DARK_SURFACE = '#1B1730'
DARK_PAGE = '#110E1C'

LIGHT = {
    'bg': '#FAF6F1',
    'surface': '#FFFFFF',
    'surface-2': '#F4EEE7',
    'text': '#1C1633',
    'muted': '#655E7A',
    'border': '#E9E1D7',
    'primary': PRIMARY,
    'primary-soft': '#FCE6E0',
    'on-primary': '#FFFFFF',
    'header': 'rgba(250, 246, 241, 0.86)',
    'shadow': '0 1px 2px rgba(28, 22, 51, 0.06), 0 8px 24px rgba(28, 22, 51, 0.07)',
}
DARK = {
    'bg': DARK_PAGE,
    'surface': DARK_SURFACE,
    'surface-2': '#241F3D',
    'text': '#F2EEF9',
    'muted': '#A9A1C0',
    'border': '#2F2950',
    'primary': '#FF6A4D',
    'primary-soft': '#3A2130',
    'on-primary': '#FFFFFF',
    'header': 'rgba(17, 14, 28, 0.86)',
    'shadow': '0 1px 2px rgba(0, 0, 0, 0.4), 0 8px 24px rgba(0, 0, 0, 0.35)',
}

# Type: system fonts only (fast, private, no web-font download); a serif for display titles.
FONT_SANS = (
    'ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Liberation Sans", Arial, '
    'sans-serif'
)
FONT_DISPLAY = '"Iowan Old Style", "Palatino Linotype", Palatino, "Book Antiqua", Georgia, "DejaVu Serif", serif'

# Spacing and shape.
RADIUS_CARD = '20px'
RADIUS_CONTROL = '12px'
CONTENT_MAX_WIDTH = '1120px'
FORM_MAX_WIDTH = '760px'
TOUCH_TARGET = '44px'

# One icon per catalog category (Material Icons names).
CATEGORY_ICONS = {
    'music': 'music_note',
    'nightlife': 'nightlife',
    'food': 'restaurant',
    'art': 'palette',
    'theatre': 'theater_comedy',
    'comedy': 'sentiment_very_satisfied',
    'film': 'movie',
    'outdoors': 'park',
    'sports': 'sports_soccer',
    'markets': 'storefront',
    'talks': 'record_voice_over',
    'wellness': 'spa',
}
DEFAULT_CATEGORY_ICON = 'auto_awesome'

STATUS_COLOURS = {
    'pending': ('#7A5A00', '#FFF1C7'),
    'processing': ('#254E9E', '#E1EAFD'),
    'completed': ('#136B48', '#DDF4E9'),
    'failed': ('#9B1F2A', '#FBE1E3'),
    'cancelled': ('#514A66', '#ECE8F2'),
}

# Generated covers: gradient pairs picked deterministically from a bundle's title.
COVER_GRADIENTS = (
    ('#2D2263', '#E2553B'),
    ('#0F3D3E', '#38B28A'),
    ('#3B1C5A', '#D64F8F'),
    ('#1B2A6B', '#4FA3E3'),
    ('#5A1E1E', '#F1A93B'),
    ('#1F3B2C', '#B5C94C'),
    ('#40204F', '#F07A5A'),
    ('#13294B', '#9D7BF0'),
)

FAVICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
    '<rect width="64" height="64" rx="16" fill="#2D2263"/>'
    '<path d="M16 24h32v6a4 4 0 0 0 0 8v6H16v-6a4 4 0 0 0 0-8z" fill="#E2553B"/>'
    '<circle cx="40" cy="21" r="5" fill="#F1A93B"/></svg>'
)


def cover_gradient(seed: str) -> str:
    """A CSS gradient chosen from the seed: the same title always gets the same cover."""
    digest = hashlib.sha256(seed.encode('utf-8')).digest()
    start, end = COVER_GRADIENTS[digest[0] % len(COVER_GRADIENTS)]
    angle = 110 + digest[1] % 70
    return f'linear-gradient({angle}deg, {start} 0%, {end} 100%)'


def category_icon(category: str) -> str:
    return CATEGORY_ICONS.get(category, DEFAULT_CATEGORY_ICON)


def _variables(palette: dict[str, str]) -> str:
    return ' '.join(f'--tb-{name}: {value};' for name, value in palette.items())


STYLESHEET = f"""
:root {{ {_variables(LIGHT)} --tb-radius: {RADIUS_CARD}; --tb-radius-control: {RADIUS_CONTROL}; }}
body.body--dark {{ {_variables(DARK)} }}
html, body {{ max-width: 100%; overflow-x: hidden; }}
body {{
  background: var(--tb-bg); color: var(--tb-text); font-family: {FONT_SANS};
  -webkit-font-smoothing: antialiased; font-size: 16px; line-height: 1.5;
}}
.nicegui-content {{ padding: 0; gap: 0; align-items: stretch; }}
.tb-display {{ font-family: {FONT_DISPLAY}; letter-spacing: -0.01em; }}
.tb-muted {{ color: var(--tb-muted); }}
.tb-wrap {{ overflow-wrap: anywhere; word-break: break-word; min-width: 0; }}

/* Header */
.q-header.tb-header {{
  background: var(--tb-header); color: var(--tb-text); backdrop-filter: saturate(160%) blur(12px);
  border-bottom: 1px solid var(--tb-border); box-shadow: none;
}}
.tb-header-inner {{ max-width: {CONTENT_MAX_WIDTH}; margin: 0 auto; width: 100%; padding: 8px 16px;
  display: flex; align-items: center; gap: 8px; flex-wrap: nowrap; }}
.tb-brand {{ display: flex; align-items: center; gap: 10px; text-decoration: none; color: var(--tb-text);
  font-family: {FONT_DISPLAY}; font-weight: 700; font-size: 1.3rem; min-height: {TOUCH_TARGET}; white-space: nowrap; }}
.tb-brand-mark {{ width: 34px; height: 34px; border-radius: 10px; display: grid; place-items: center;
  background: linear-gradient(135deg, {SECONDARY}, {PRIMARY}); color: #fff; }}
.tb-nav {{ display: flex; gap: 4px; margin-left: auto; }}
.tb-nav a {{ display: inline-flex; align-items: center; gap: 6px; min-height: {TOUCH_TARGET}; padding: 0 14px;
  border-radius: 999px; color: var(--tb-muted); text-decoration: none; font-weight: 600; font-size: 0.95rem; }}
.tb-nav a:hover {{ background: var(--tb-surface-2); color: var(--tb-text); }}
.tb-nav a.tb-active {{ background: var(--tb-primary-soft); color: var(--tb-primary); }}
.tb-nav-text {{ white-space: nowrap; }}
@media (max-width: 560px) {{
  .tb-header-inner {{ padding: 4px 12px; }}
  .tb-brand {{ font-size: 1.12rem; gap: 8px; }}
  .tb-nav a {{ flex-direction: column; gap: 0; padding: 4px 10px; border-radius: 14px; font-size: 0.72rem;
    min-width: 64px; justify-content: center; }}
}}
@media (max-width: 340px) {{ .tb-brand-name {{ display: none; }} }}

/* Page */
.tb-main {{ max-width: {CONTENT_MAX_WIDTH}; margin: 0 auto; width: 100%; padding: 28px 16px 72px;
  display: flex; flex-direction: column; gap: 20px; }}
.tb-narrow {{ max-width: {FORM_MAX_WIDTH}; width: 100%; margin: 0 auto; }}
.tb-hero-title {{ font-family: {FONT_DISPLAY}; font-size: clamp(1.9rem, 4.5vw, 2.8rem); line-height: 1.1;
  font-weight: 700; letter-spacing: -0.02em; color: var(--tb-text); }}
.tb-hero-sub {{ color: var(--tb-muted); font-size: 1.05rem; max-width: 60ch; }}
.tb-eyebrow {{ text-transform: uppercase; letter-spacing: 0.12em; font-size: 0.75rem; font-weight: 700;
  color: var(--tb-primary); }}
.tb-h2 {{ font-family: {FONT_DISPLAY}; font-size: 1.5rem; font-weight: 700; line-height: 1.2; }}
.tb-section-title {{ font-weight: 700; font-size: 1rem; color: var(--tb-text); }}
.tb-hint {{ color: var(--tb-muted); font-size: 0.875rem; }}

/* Surfaces */
.tb-card {{ background: var(--tb-surface); border: 1px solid var(--tb-border); border-radius: var(--tb-radius);
  box-shadow: var(--tb-shadow); }}
.tb-panel {{ padding: 24px; display: flex; flex-direction: column; gap: 22px; }}
@media (max-width: 480px) {{ .tb-panel {{ padding: 18px 16px; }} .tb-main {{ padding-top: 20px; }} }}
.tb-field {{ display: flex; flex-direction: column; gap: 8px; width: 100%; }}
.tb-error {{ color: {NEGATIVE}; font-size: 0.875rem; font-weight: 600; }}
body.body--dark .tb-error {{ color: #FF8A8F; }}

/* Controls */
.q-btn {{ text-transform: none; letter-spacing: 0; font-weight: 650; border-radius: var(--tb-radius-control);
  min-height: {TOUCH_TARGET}; font-size: 0.95rem; padding: 0 16px; }}
.tb-cta.q-btn {{ min-height: 52px; padding: 0 28px; font-size: 1.05rem; border-radius: 14px; }}
.tb-btn-link {{ display: inline-flex; align-items: center; justify-content: center; gap: 8px;
  min-height: {TOUCH_TARGET};
  padding: 0 16px; border-radius: var(--tb-radius-control); border: 1px solid var(--tb-border);
  color: var(--tb-text); text-decoration: none; font-weight: 650; background: var(--tb-surface);
  font-size: 0.95rem; }}
.tb-btn-link:hover {{ background: var(--tb-surface-2); }}
.tb-btn-link.tb-primary {{ background: var(--tb-primary); color: var(--tb-on-primary); border-color: transparent; }}
.tb-chips {{ display: flex; flex-wrap: wrap; gap: 8px; }}
.tb-chip.q-chip {{ min-height: {TOUCH_TARGET}; height: auto; margin: 0; padding: 0 16px; border-radius: 999px;
  font-size: 0.95rem; font-weight: 600; background: var(--tb-surface-2); color: var(--tb-text);
  border: 1px solid var(--tb-border); }}
.tb-chip.q-chip .q-chip__icon {{ color: var(--tb-muted); }}
.tb-chip.q-chip--selected, .tb-chip.tb-on {{ background: {SECONDARY}; color: #fff; border-color: {SECONDARY}; }}
body.body--dark .tb-chip.q-chip--selected, body.body--dark .tb-chip.tb-on {{ background: var(--tb-primary);
  border-color: var(--tb-primary); }}
.tb-chip.q-chip--selected .q-chip__icon, .tb-chip.tb-on .q-chip__icon {{ color: #fff; }}
.tb-chip-sm.q-chip {{ min-height: 36px; padding: 0 12px; font-size: 0.875rem; }}
.q-field--outlined .q-field__control {{ border-radius: var(--tb-radius-control); }}
.q-field__native, .q-field__prefix, .q-field__suffix {{ font-size: 1rem; }}
.q-field--outlined .q-field__control:before {{ border-color: var(--tb-border); }}
.q-field__control {{ min-height: 48px; }}

/* Banners and notes */
.tb-banner {{ display: flex; align-items: center; gap: 14px; padding: 14px 16px; border-radius: 16px;
  background: var(--tb-primary-soft); border: 1px solid transparent; flex-wrap: wrap; }}
.tb-banner-text {{ flex: 1 1 220px; min-width: 0; }}
.tb-note {{ display: flex; gap: 10px; align-items: flex-start; padding: 12px 14px; border-radius: 14px;
  background: var(--tb-surface-2); color: var(--tb-muted); font-size: 0.9rem; }}

/* Progress */
.tb-orbit {{ flex: none; width: 64px; height: 64px; border-radius: 50%; display: grid; place-items: center;
  background: conic-gradient(from 0deg, {PRIMARY}, {ACCENT}, {SECONDARY}, {PRIMARY});
  animation: tb-spin 2.4s linear infinite; }}
.tb-orbit > * {{ animation: tb-spin 2.4s linear infinite reverse; }}
.tb-orbit-inner {{ width: 52px; height: 52px; border-radius: 50%; background: var(--tb-surface);
  display: grid; place-items: center; }}
@keyframes tb-spin {{ to {{ transform: rotate(360deg); }} }}
@media (prefers-reduced-motion: reduce) {{ .tb-orbit, .tb-orbit > * {{ animation: none; }} }}
.tb-steps {{ display: flex; flex-direction: column; gap: 0; }}
.tb-step {{ display: flex; gap: 12px; align-items: flex-start; padding: 8px 0; }}
.tb-step-dot {{ width: 24px; height: 24px; flex: none; border-radius: 50%; display: grid; place-items: center;
  background: var(--tb-primary-soft); color: var(--tb-primary); }}
.tb-step-time {{ color: var(--tb-muted); font-size: 0.8rem; font-variant-numeric: tabular-nums; }}
.tb-rotating {{ font-family: {FONT_DISPLAY}; font-size: 1.25rem; font-weight: 600; min-height: 1.6em; }}
.tb-elapsed {{ font-variant-numeric: tabular-nums; }}

/* Bundles */
.tb-grid {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 340px), 1fr)); gap: 20px;
  align-items: start; }}
.tb-bundle {{ overflow: hidden; display: flex; flex-direction: column; min-width: 0; }}
.tb-cover {{ position: relative; height: 168px; display: flex; align-items: flex-end; padding: 16px 18px;
  color: #fff; overflow: hidden; background-size: cover; background-position: center; }}
.tb-cover::after {{ content: ''; position: absolute; inset: 0;
  background: linear-gradient(180deg, rgba(0,0,0,0) 35%, rgba(0,0,0,0.45) 100%); }}
.tb-cover > * {{ position: relative; z-index: 1; }}
.tb-cover-icon {{ position: absolute; right: -18px; top: -22px; font-size: 150px !important; opacity: 0.18;
  z-index: 0; }}
.tb-cover-pattern {{ position: absolute; inset: 0; z-index: 0; opacity: 0.22;
  background-image: radial-gradient(circle at 1px 1px, rgba(255,255,255,0.9) 1px, transparent 0);
  background-size: 18px 18px; }}
.tb-cover-img {{ position: absolute; inset: 0; width: 100%; height: 100%; object-fit: cover; z-index: 0; }}
.tb-cover-title {{ font-family: {FONT_DISPLAY}; font-size: 1.55rem; line-height: 1.15; font-weight: 700;
  text-shadow: 0 1px 12px rgba(0,0,0,0.25); }}
.tb-badge {{ display: inline-flex; align-items: center; gap: 4px; padding: 3px 10px; border-radius: 999px;
  font-size: 0.75rem; font-weight: 700; letter-spacing: 0.02em; }}
.tb-badge-glass {{ background: rgba(255,255,255,0.2); color: #fff; backdrop-filter: blur(6px); }}
.tb-bundle-body {{ padding: 18px; display: flex; flex-direction: column; gap: 14px; }}
.tb-tags {{ display: flex; flex-wrap: wrap; gap: 6px; }}
.tb-tag {{ padding: 2px 10px; border-radius: 999px; background: var(--tb-surface-2); color: var(--tb-muted);
  font-size: 0.8rem; font-weight: 600; }}
.tb-cost {{ font-weight: 700; font-variant-numeric: tabular-nums; }}
.tb-event {{ display: grid; grid-template-columns: 64px minmax(0, 1fr); gap: 12px; padding: 12px 0;
  border-top: 1px solid var(--tb-border); }}
.tb-event-when {{ text-align: center; border-radius: 12px; background: var(--tb-surface-2); padding: 6px 4px;
  align-self: start; }}
.tb-event-day {{ font-size: 0.72rem; font-weight: 700; text-transform: uppercase; color: var(--tb-primary);
  letter-spacing: 0.06em; }}
.tb-event-date {{ font-family: {FONT_DISPLAY}; font-size: 1.35rem; font-weight: 700; line-height: 1.1; }}
.tb-event-time {{ font-size: 0.78rem; color: var(--tb-muted); font-variant-numeric: tabular-nums; }}
.tb-event-title {{ font-weight: 700; line-height: 1.3; }}
.tb-event-meta {{ color: var(--tb-muted); font-size: 0.875rem; }}
.tb-event-why {{ font-size: 0.9rem; border-left: 3px solid {ACCENT}; padding-left: 10px; }}
.tb-event-links a {{ color: var(--tb-primary); font-weight: 650; text-decoration: none; display: inline-flex;
  align-items: center; gap: 4px; min-height: {TOUCH_TARGET}; }}
.tb-actions {{ display: flex; flex-wrap: wrap; gap: 8px; padding: 14px 18px 18px;
  border-top: 1px solid var(--tb-border);
  margin-top: auto; align-items: center; }}
.tb-actions > * {{ flex: 1 1 130px; }}
.tb-foot {{ font-size: 0.8rem; color: var(--tb-muted); padding: 0 18px 14px; }}

/* History */
.tb-history-row {{ display: flex; align-items: center; gap: 14px; padding: 14px 16px; text-decoration: none;
  color: var(--tb-text); min-height: 64px; }}
.tb-history-row:hover {{ background: var(--tb-surface-2); }}
.tb-history-row + .tb-history-row {{ border-top: 1px solid var(--tb-border); }}
.tb-thumb {{ width: 48px; height: 48px; border-radius: 12px; flex: none; display: grid; place-items: center;
  color: #fff; }}
.tb-status {{ padding: 3px 10px; border-radius: 999px; font-size: 0.75rem; font-weight: 700; white-space: nowrap; }}
"""
