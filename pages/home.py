"""`/`: the preference form, and a banner that resumes this browser's generation still running."""

import uuid
from typing import Any

from nicegui import ui
from pydantic import ValidationError
from pydantic.alias_generators import to_camel

from models.catalog import CATEGORIES, City
from models.generation import (
    NAMED_TIMEFRAMES,
    RUNNING_STATUSES,
    DateRange,
    GenerationPublic,
    NamedTimeframe,
    Preferences,
)
from pages import theme
from pages.a11y import FILLED, LANGUAGE, ToggleChips, describe_field, focus_first, heading
from pages.components import (
    client_id,
    client_ip,
    field_error,
    generation_title,
    link_button,
    my_generation_ids,
    remember_generation,
    show_error,
    time_ago,
)
from pages.layout import frame
from services import clock
from services.catalog import queries
from services.database import in_db
from services.generations import service
from services.generations.errors import GenerationError, InvalidPreferences
from services.text import currency_symbol

CUSTOM_DATES = 'Custom dates'
DEFAULT_TIMEFRAME: NamedTimeframe = 'This weekend'
GENRE_SUGGESTIONS = (
    'Electronic',
    'House',
    'Techno',
    'Jazz',
    'Indie',
    'Hip-hop',
    'Soul',
    'Classical',
    'Rock',
    'Latin',
    'Ambient',
    'Pop',
)
MAX_FREE_TEXT = 1000


@ui.page('/', language=LANGUAGE)
async def home_page() -> None:
    cities: list[City] = await in_db(queries.list_cities)
    running = await _running_generation()
    with frame('New plan', active='/'):
        if running is not None:
            resume_banner(running)
        with ui.column().classes('tb-narrow gap-2'):
            ui.label('Plan something good').classes('tb-eyebrow')
            heading('What are you in the mood for?', level=1, classes='tb-hero-title')
            ui.label(theme.TAGLINE + ' Tell us what you like and when you are free.').classes('tb-hero-sub')
        PreferenceForm(cities)


async def _running_generation() -> GenerationPublic | None:
    ids = my_generation_ids()
    if not ids:
        return None
    rows = await service.list_generations(ids)
    running = [row for row in rows if row.status in RUNNING_STATUSES]
    return GenerationPublic.from_row(running[0]) if running else None


def resume_banner(generation: GenerationPublic) -> None:
    with ui.element('div').classes('tb-banner tb-narrow').mark('resume-banner'):
        ui.icon('hourglass_top', size='28px').classes('text-primary')
        with ui.column().classes('gap-0 tb-banner-text'):
            heading('A plan is still in the works', level=2, classes='tb-section-title')
            ui.label(
                f'{generation_title(generation)} · started {time_ago(generation.created_at, clock.now())}'
            ).classes('tb-hint tb-wrap')
        link_button('Resume', f'/generations/{generation.generation_id}', icon='play_arrow', primary=True).mark(
            'resume-link'
        )


class PreferenceForm:
    """The form; one idempotency key per render, so a double submit can only ever create one generation."""

    def __init__(self, cities: list[City]) -> None:
        self.idempotency_key = str(uuid.uuid4())
        self.submitting = False
        self.cities = {city.name: city for city in cities}
        default_city = next((c.name for c in cities if c.is_demo), cities[0].name if cities else None)
        self.errors: dict[str, ui.label] = {}
        self.fields: dict[str, ui.element] = {}  # what each error describes, in the form's order
        with ui.element('section').classes('tb-card tb-panel tb-narrow').mark('preference-form'):
            self._city_and_budget(default_city)
            self._interests()
            self._music()
            self._timeframe()
            self._free_text()
            self._submit_row()

    # --- Fields ---

    def _city_and_budget(self, default_city: str | None) -> None:
        with (
            ui.element('div')
            .classes('grid gap-4 w-full')
            .style('grid-template-columns: repeat(auto-fit, minmax(220px, 1fr))')
        ):
            with ui.element('div').classes('tb-field'):
                ui.label('City').classes('tb-section-title')
                options = {name: f'{name} (demo)' if city.is_demo else name for name, city in self.cities.items()}
                self.city = (
                    ui.select(options, value=default_city, on_change=lambda _: self._update_currency())
                    .props('outlined options-dense behavior=menu aria-label="City"')
                    .classes('w-full')
                    .mark('city')
                )
                self._error('city', self.city, 'error-city')
            with ui.element('div').classes('tb-field'):
                ui.label('Budget per plan (optional)').classes('tb-section-title')
                self.budget = (
                    # no `min`: Quasar would quietly turn -5 into 0; the form refuses it with a message instead
                    ui.number(placeholder='No limit', step=5, prefix='€')
                    .props('outlined inputmode=decimal aria-label="Budget"')
                    .classes('w-full')
                    .mark('budget')
                )
                self._error('budget', self.budget, 'error-budget')
        self._update_currency()

    def _interests(self) -> None:
        with ui.element('div').classes('tb-field'):
            ui.label('What are you into?').classes('tb-section-title')
            ui.label('Pick one or more.').classes('tb-hint')
            self.interests = ToggleChips(
                CATEGORIES,
                multiple=True,
                label='What are you into? Pick one or more.',
                labels={c: c.capitalize() for c in CATEGORIES},
                icons=theme.CATEGORY_ICONS,
                marker='interest',
            )
            self._error('interests', self.interests.container, 'error-interests')

    def _music(self) -> None:
        with ui.element('div').classes('tb-field'):
            ui.label('Music you love (optional)').classes('tb-section-title')
            self.music = (
                ui.input(placeholder='e.g. Electronic, House', autocomplete=list(GENRE_SUGGESTIONS))
                .props('outlined maxlength=200 aria-label="Music you love"')
                .classes('w-full')
                .mark('music')
            )
            with ui.element('div').classes('tb-chips').props('role=group') as suggestions:
                for genre in GENRE_SUGGESTIONS[:8]:
                    add = ui.button(genre, icon='add', color=None, on_click=lambda _, g=genre: self._add_genre(g))
                    add.props('no-caps unelevated').classes('tb-chip tb-chip-sm').mark(f'genre-{genre}')
                    add.props['aria-label'] = f'Add {genre}'
            suggestions.props['aria-label'] = 'Add a genre to the music you love'
            self._error('musicProfile', self.music, 'error-music')

    def _timeframe(self) -> None:
        with ui.element('div').classes('tb-field'):
            ui.label('When are you free?').classes('tb-section-title')
            self.timeframe = ToggleChips(
                [*NAMED_TIMEFRAMES, CUSTOM_DATES],
                multiple=False,
                label='When are you free?',
                icons={CUSTOM_DATES: 'date_range'},
                selected=[DEFAULT_TIMEFRAME],
                on_change=lambda _: self._show_dates(),
                marker='timeframe',
            )
            today = clock.now().date().isoformat().replace('-', '/')
            with ui.element('div').classes('w-full') as self.dates_box:
                ui.label('Pick the first and the last day (up to 31 days).').classes('tb-hint q-mb-sm')
                self.dates = (
                    ui.date(value=None)
                    .props(f'range minimal flat bordered :options="d => d >= \'{today}\'" first-day-of-week=1')
                    .classes('tb-dates')
                    .mark('dates')
                )
            self.dates_box.set_visibility(False)
            self._error('timeframe', self.timeframe.container, 'error-timeframe')

    def _free_text(self) -> None:
        with ui.element('div').classes('tb-field'):
            ui.label('Anything else? (optional)').classes('tb-section-title')
            self.other = (
                ui.textarea(placeholder='Underground venues, nothing too pricey, near Kreuzberg…')
                .props(f'outlined autogrow counter maxlength={MAX_FREE_TEXT} aria-label="Anything else"')
                .classes('w-full')
                .mark('other')
            )
            self._error('otherPreferences', self.other, 'error-other')

    def _submit_row(self) -> None:
        with ui.element('div').classes('tb-banner w-full').mark('form-notice') as self.notice_box:
            ui.icon('info', size='24px').classes('text-primary')
            self.notice = ui.label('').classes('tb-banner-text tb-wrap')
        self.notice_box.set_visibility(False)
        with ui.element('div').classes('flex items-center gap-4 w-full flex-wrap'):
            self.submit_button = (
                ui.button('Make my plans', icon='auto_awesome', on_click=self.submit)
                .props(f'{FILLED} color=primary')
                .classes('tb-cta')
                .mark('submit')
            )
            ui.label('Usually ready in seconds; the AI planner can take a few minutes.').classes('tb-hint').style(
                'flex: 1 1 200px'
            )

    def _error(self, field: str, control: ui.element, marker: str) -> None:
        self.errors[field] = field_error(marker)
        self.fields[field] = control
        describe_field(control, self.errors[field], invalid=False)

    # --- Behaviour ---

    def _update_currency(self) -> None:
        city = self.cities.get(self.city.value or '')
        self.budget.props(f'prefix="{currency_symbol(city.currency if city else "EUR").strip()}"')

    def _add_genre(self, genre: str) -> None:
        current = [g.strip() for g in (self.music.value or '').split(',') if g.strip()]
        if genre.lower() not in (g.lower() for g in current):
            current.append(genre)
        self.music.value = ', '.join(current)

    def _show_dates(self) -> None:
        self.dates_box.set_visibility(self.timeframe.selected == [CUSTOM_DATES])

    def _raw_preferences(self) -> dict[str, Any]:
        return {
            'city': self.city.value,
            'interests': list(self.interests.selected),
            'musicProfile': self.music.value or None,
            'timeframe': self._timeframe_value(),
            'otherPreferences': self.other.value or None,
            'budget': self.budget.value,
        }

    def _timeframe_value(self) -> Any:
        choice = self.timeframe.selected[0] if self.timeframe.selected else None
        if choice != CUSTOM_DATES:
            return choice
        value = self.dates.value
        if isinstance(value, str):  # one day picked: Quasar gives a plain date
            return {'start': value, 'end': value}
        if isinstance(value, dict) and value.get('from') and value.get('to'):
            return {'start': value['from'], 'end': value['to']}
        return _MissingDates()

    async def submit(self) -> None:
        if self.submitting:
            return
        self.submitting = True
        self.submit_button.props('loading').disable()
        try:
            created = await self._create()
        finally:
            if not self.submitting:
                self.submit_button.props(remove='loading').enable()
        if created:
            ui.navigate.to(f'/generations/{created}')

    async def _create(self) -> str | None:
        """The new generation's id, or None after showing why it could not be started."""
        self._clear_errors()
        try:
            preferences = build_preferences(self._raw_preferences())
            row = await service.start_generation(
                preferences=preferences,
                client_id=client_id(),
                client_ip=client_ip(),
                idempotency_key=self.idempotency_key,
            )
        except FormErrors as errors:
            self._show_errors(errors.messages)
        except InvalidPreferences as error:
            self._show_errors({error.field.removeprefix('preferences.'): error.reason})
        except GenerationError as error:  # rate limited, or the service is busy for a moment
            self._show_notice(error.message)
        else:
            remember_generation(row.id, service.owner_token(row.id))
            return row.id
        self.submitting = False
        return None

    def _clear_errors(self) -> None:
        for field, label in self.errors.items():
            show_error(label, None)
            describe_field(self.fields[field], label, invalid=False)
        self.notice_box.set_visibility(False)

    def _show_errors(self, messages: dict[str, str]) -> None:
        for field, message in messages.items():
            if field in self.errors:
                show_error(self.errors[field], message)
                describe_field(self.fields[field], self.errors[field], invalid=True)
            else:
                self._show_notice(message)
        first = next((control for field, control in self.fields.items() if field in messages), None)
        if first is not None:  # on a phone the form is long: bring the first problem into view, with the focus
            focus_first(first)
        ui.notify('Please check the highlighted fields.', type='warning', position='top')

    def _show_notice(self, message: str) -> None:
        self.notice.set_text(message)
        self.notice_box.set_visibility(True)


class _MissingDates:
    """Stands for a custom timeframe without dates; fails validation with a friendly message."""


class FormErrors(Exception):
    def __init__(self, messages: dict[str, str]) -> None:
        super().__init__(messages)
        self.messages = messages


def build_preferences(raw: dict[str, Any]) -> Preferences:
    """Validates the form's values with the API's own model; raises FormErrors keyed by form field."""
    if isinstance(raw.get('timeframe'), _MissingDates):
        raise FormErrors({'timeframe': 'Pick a first and a last day.'})
    if isinstance(raw.get('timeframe'), dict):
        try:
            raw = {**raw, 'timeframe': DateRange.model_validate(raw['timeframe'])}
        except ValidationError as error:
            raise FormErrors({'timeframe': _friendly(error.errors()[0])}) from None
    try:
        return Preferences.model_validate(raw)
    except ValidationError as error:
        messages: dict[str, str] = {}
        for problem in error.errors():
            field = to_camel(str(problem['loc'][0])) if problem['loc'] else 'form'
            messages.setdefault(field, _friendly(problem))
        raise FormErrors(messages) from None


def _friendly(problem: dict[str, Any]) -> str:
    field = to_camel(str(problem['loc'][0])) if problem['loc'] else ''
    kind = problem.get('type', '')
    if field == 'interests' and kind == 'too_short':
        return 'Pick at least one interest.'
    if field == 'interests' and kind == 'too_long':
        return 'Pick at most 8 interests.'
    if field == 'timeframe':
        return 'Choose when you are free.' if kind in ('literal_error', 'missing') else _message(problem)
    if field == 'city' and kind in ('missing', 'string_type', 'string_too_short'):
        return 'Choose a city.'
    if field == 'budget' and kind == 'greater_than_equal':
        return 'The budget cannot be negative.'
    if field == 'otherPreferences' and kind == 'string_too_long':
        return f'Please keep this under {MAX_FREE_TEXT} characters.'
    if field == 'musicProfile' and kind == 'string_too_long':
        return 'Please keep this under 200 characters.'
    return _message(problem)


def _message(problem: dict[str, Any]) -> str:
    text = str(problem.get('msg', 'Invalid value')).removeprefix('Value error, ')
    return text[:1].upper() + text[1:] + ('' if text.endswith('.') else '.')
