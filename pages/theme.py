"""The design tokens Python needs (Quasar's named colours, status chips, covers, icons) and where the style
sheet is: pages/static/style.css holds the rest (palettes, type, spacing) as CSS custom properties.
"""

import hashlib
from pathlib import Path

PRODUCT_NAME = 'Trip Bundles'
TAGLINE = 'Your free time, turned into plans worth leaving the house for.'

# Brand colours (Quasar's named colours are set from these, so buttons and chips match).
PRIMARY = '#B83B24'  # ember, deep enough for white text and for text on light surfaces (>= 4.5:1)
EMBER = '#E2553B'  # the brand's bright ember: covers and the logo only, never under text
SECONDARY = '#2D2263'  # midnight indigo: header, headings
ACCENT = '#F1A93B'  # amber: highlights
POSITIVE = '#1F9D6B'
NEGATIVE = '#C8343E'
WARNING = '#E59A1B'
INFO = '#3A6FD8'
ROUTE_COLOUR = SECONDARY  # the line joining a bundle's stops on its map; the pins are ember
DARK_SURFACE = '#1B1730'
DARK_PAGE = '#110E1C'

THEME_COLOUR = '#FAF6F1'  # the light page background, for the browser's address bar

# Everything else (palettes, type, spacing) is in the style sheet, as CSS custom properties.
STYLESHEET = Path(__file__).parent / 'static' / 'style.css'

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
    ('#2D2263', EMBER),
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
