"""The shared page frame: header with the product name and navigation, theme, dark mode following the system."""

from collections.abc import Iterator
from contextlib import contextmanager

from nicegui import ui

from pages import theme

NAV_ITEMS = (('New plan', '/', 'add_circle'), ('My plans', '/history', 'history'))


@contextmanager
def frame(title: str, *, active: str | None = None) -> Iterator[ui.element]:
    """Wraps a page: `with frame('My plans', active='/history'):` then build the page's content."""
    apply_theme()
    ui.page_title(f'{title} · {theme.PRODUCT_NAME}')
    with ui.header(elevated=False).classes('tb-header q-pa-none'), ui.element('div').classes('tb-header-inner'):
        with ui.link(target='/').classes('tb-brand').props(f'aria-label="{theme.PRODUCT_NAME} home"'):
            with ui.element('span').classes('tb-brand-mark'):
                ui.icon('confirmation_number', size='20px')
            ui.label(theme.PRODUCT_NAME).classes('tb-brand-name')
        with ui.element('nav').classes('tb-nav'):
            for text, path, icon in NAV_ITEMS:
                with ui.link(target=path).classes('tb-active' if path == active else '') as link:
                    ui.icon(icon, size='20px')
                    ui.label(text).classes('tb-nav-text')
                link.props(f'aria-label="{text}"')
    with ui.element('div').classes('tb-main') as main:
        yield main


def apply_theme() -> None:
    ui.dark_mode(None)  # follow the system's light/dark setting
    ui.colors(
        primary=theme.PRIMARY,
        secondary=theme.SECONDARY,
        accent=theme.ACCENT,
        positive=theme.POSITIVE,
        negative=theme.NEGATIVE,
        warning=theme.WARNING,
        info=theme.INFO,
        dark=theme.DARK_SURFACE,
        dark_page=theme.DARK_PAGE,
    )
    ui.add_head_html(f'<meta name="theme-color" content="{theme.THEME_COLOUR}">')
