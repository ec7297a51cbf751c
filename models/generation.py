"""The generation table and the API shapes (docs/ARCHITECTURE.md, API): preferences, bundles, progress."""

from datetime import date, datetime
from typing import Any, Literal, get_args

from pydantic import ConfigDict, field_validator, model_validator
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Column, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from models.base import CamelModel, UTCDateTime, empty_list
from models.catalog import CATEGORIES, Price
from models.geo import SAME_OUTING, Travel, estimate_travel

Status = Literal['pending', 'processing', 'completed', 'failed', 'cancelled']
STATUSES: tuple[Status, ...] = get_args(Status)
RUNNING_STATUSES: tuple[Status, ...] = ('pending', 'processing')
FINISHED_STATUSES: tuple[Status, ...] = tuple(s for s in STATUSES if s not in RUNNING_STATUSES)
NamedTimeframe = Literal['Tonight', 'Tomorrow', 'This weekend', 'Next 7 days', 'Next 30 days']
NAMED_TIMEFRAMES: tuple[NamedTimeframe, ...] = get_args(NamedTimeframe)
Interest = Literal[CATEGORIES]  # the catalog's categories, exactly as listed (an enum in the API schema)
MAX_CUSTOM_DAYS = 31


class DateRange(CamelModel):
    model_config = ConfigDict(extra='forbid')

    start: date
    end: date

    @field_validator('start', 'end', mode='before')
    @classmethod
    def _written_as_dates(cls, value: object) -> object:
        # Only what the API schema promises (a YYYY-MM-DD string, or a date from Python code): pydantic alone
        # would also take a number as a Unix timestamp, which the schema calls invalid.
        if not isinstance(value, str | date):
            raise ValueError('a date is written YYYY-MM-DD')
        return value

    @model_validator(mode='after')
    def _ordered_and_short(self) -> 'DateRange':
        if self.end < self.start:
            raise ValueError('end must not be before start')
        if (self.end - self.start).days >= MAX_CUSTOM_DAYS:
            raise ValueError(f'a custom timeframe may span at most {MAX_CUSTOM_DAYS} days')
        return self


class Preferences(CamelModel):
    """What a visitor asks for. Every rule a JSON schema can state is stated here, so the API's OpenAPI
    document is the whole truth (lengths count the text as sent); what only the services know (a served
    city, dates not in the past) is a 422 naming the field."""

    model_config = ConfigDict(extra='forbid')

    interests: list[Interest] = PydanticField(min_length=1, max_length=8, json_schema_extra={'uniqueItems': True})
    music_profile: str | None = PydanticField(default=None, max_length=200)
    timeframe: NamedTimeframe | DateRange
    other_preferences: str | None = PydanticField(default=None, max_length=1000)
    city: str | None = PydanticField(default=None, min_length=1, max_length=100)
    # strict: a number, never a numeric string or a boolean (the schema says number).
    budget: float | None = PydanticField(default=None, ge=0, le=100_000, allow_inf_nan=False, strict=True)

    @field_validator('interests')
    @classmethod
    def _each_once(cls, interests: list[str]) -> list[str]:
        if len(set(interests)) != len(interests):
            raise ValueError('each interest may be listed only once')
        return interests

    @field_validator('music_profile', 'other_preferences', 'city')
    @classmethod
    def _trimmed_blank_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None


class TimeWindow(CamelModel):
    """A timeframe resolved to concrete instants in the city's time zone, stored with the generation."""

    start: datetime
    end: datetime
    timezone: str
    label: str  # e.g. "Fri 5 - Sun 7 Dec"


class KeyEvent(CamelModel):
    event_id: str
    title: str
    starts_at: datetime
    ends_at: datetime
    venue: str
    neighborhood: str
    price: Price | None
    category: str
    tags: list[str]
    url: str
    image_url: str = ''
    why: str
    address: str = ''
    lat: float | None = None  # the venue's position; None when unknown
    lon: float | None = None
    travel_from_previous: Travel | None = None  # None on an outing's first stop, or when a position is unknown
    source: str = 'demo'  # where the event was listed: demo, ics, jsonld, ticketmaster
    # A drop-in visit: the slot the plan spends at a long event (inside its run); None: the whole event.
    visit_start: datetime | None = None
    visit_end: datetime | None = None
    wildcard: bool = False  # off the person's taste, offered on purpose; `why` says so

    @property
    def attended_from(self) -> datetime:
        return self.visit_start or self.starts_at

    @property
    def attended_until(self) -> datetime:
        return self.visit_end or self.ends_at


class Bundle(CamelModel):
    title: str
    description: str
    image_url: str = ''
    tags: list[str] = []
    key_events: list[KeyEvent]
    estimated_cost: Price | None

    @property
    def has_rides(self) -> bool:
        """Whether some stop is reached from the one before in the same outing: what "closer together" can cut."""
        return any(event.travel_from_previous for event in self.key_events)

    @model_validator(mode='after')
    def _travel_between_stops(self) -> 'Bundle':
        # Computed here, from the venues' positions, so no planner can state a travel time of its own and
        # every stored or shown bundle carries the same estimate the validator checked. The first stop of a new
        # outing (another day) has none: the person goes home in between.
        previous: KeyEvent | None = None
        for event in self.key_events:
            new_outing = previous is None or event.attended_from - previous.attended_until > SAME_OUTING
            event.travel_from_previous = (
                None if new_outing else estimate_travel(previous.lat, previous.lon, event.lat, event.lon)
            )
            previous = event
        return self


class ProgressEntry(CamelModel):
    at: datetime
    message: str


class GenerationCreate(CamelModel):
    model_config = ConfigDict(extra='forbid')

    preferences: Preferences


class Generation(SQLModel, table=True):
    __table_args__ = (UniqueConstraint('client_id', 'idempotency_key'),)

    id: str = Field(primary_key=True)
    status: str = Field(default='pending', index=True)
    preferences: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    bundles: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    error: str | None = None
    progress: list[dict[str, Any]] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    planner: str
    window: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    deadline_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_owner: str | None = None
    lease_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    attempts: int = 0
    idempotency_key: str | None = None
    client_id: str = Field(index=True)
    # The address it was asked from (the real peer, or X-Forwarded-For from a trusted proxy): the rate limit
    # counts it as well as client_id, so a browser clearing its cookies still meets its IP's limit.
    client_ip: str | None = Field(default=None, index=True)
    # What a planner saved to resume cheaply after a restart (e.g. the LLM conversation so far).
    planner_state: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    usage: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    # A refinement: the generation it was made from, and what to change (bundleIndex, instruction,
    # replaceEventId, and the parent's bundles, kept here so the refinement survives the parent's expiry).
    parent_id: str | None = Field(default=None, index=True)
    refinement: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    # sha256 of the owner token: only who made the plan may cancel it (the token itself is never stored).
    owner_token_hash: str | None = None
    # The planner's reading of the wish, as the API shows it: understood, notUnderstood, notes.
    wish: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    # Kept by its owner: the TTL clean-up leaves it alone until the owner un-keeps it.
    kept: bool = Field(default=False, sa_column_kwargs={'server_default': false()})


class GenerationPublic(CamelModel):
    generation_id: str
    status: Status
    preferences: dict[str, Any]
    bundles: list[Bundle] | None
    error: str | None
    progress: list[ProgressEntry]
    planner: str
    window: TimeWindow
    usage: dict[str, Any] | None = None
    parent_id: str | None = None
    refinement: 'RefinementPublic | None' = None
    # What the planner read in the request (`WishItemPublic`s), the free text it could not use, and the wishes
    # it could not keep or why there are fewer plans (None until planning has read the request).
    understood: list['WishItemPublic'] | None = None
    not_understood: list[str] | None = None
    notes: list[str] | None = None
    kept: bool = False  # kept plans outlive expiresAt until their owner un-keeps them
    created_at: datetime
    updated_at: datetime
    expires_at: datetime

    @classmethod
    def from_row(cls, row: Generation) -> 'GenerationPublic':
        return cls(
            generation_id=row.id,
            status=row.status,
            preferences=row.preferences,
            bundles=row.bundles,
            error=row.error,
            progress=row.progress,
            planner=row.planner,
            window=row.window,
            usage=row.usage,
            parent_id=row.parent_id,
            refinement=RefinementPublic.model_validate(row.refinement) if row.refinement else None,
            **wish_fields(row.wish),
            kept=bool(row.kept),
            created_at=row.created_at,
            updated_at=row.updated_at,
            expires_at=row.expires_at,
        )


class GenerationCreated(CamelModel):
    generation_id: str
    status: Status
    owner_token: str | None = None  # needed (X-Owner-Token) to cancel; shown only to whoever started it


REFINE_INSTRUCTIONS = ('cheaper', 'closer together', 'earlier', 'later')
MAX_INSTRUCTION = 300


# Regex engines disagree on what `\\s` means beyond ASCII (the fuzzers' and pydantic's among them): blank means
# these six characters only, the same in the schema's pattern and in the trimming.
ASCII_SPACE = ' \t\n\r\f\v'
NOT_BLANK = r'[^ \t\n\r\f\v]'


class RefinementCreate(CamelModel):
    """Change one bundle of a completed generation: an instruction, or swapping one of its events."""

    # The schema states every rule: at least one of the two, neither blank. A field may be left out but not
    # sent as null (the `None` defaults are never validated), so "absent" is the one way to say "none".
    model_config = ConfigDict(
        extra='forbid',
        json_schema_extra={
            'anyOf': [{'required': ['instruction']}, {'required': ['replaceEventId']}],
            'dependentRequired': {'replacementEventId': ['replaceEventId']},
        },
    )

    bundle_index: int = PydanticField(ge=0, le=20)
    instruction: str = PydanticField(default=None, max_length=MAX_INSTRUCTION, pattern=NOT_BLANK)  # type: ignore[assignment]
    replace_event_id: str = PydanticField(default=None, max_length=200, pattern=NOT_BLANK)  # type: ignore[assignment]
    # The event the person picked among the alternatives (GET .../alternatives) to take replace_event_id's place.
    replacement_event_id: str = PydanticField(default=None, max_length=200, pattern=NOT_BLANK)  # type: ignore[assignment]

    @field_validator('instruction', 'replace_event_id', 'replacement_event_id')
    @classmethod
    def _trimmed(cls, value: str) -> str:
        return value.strip(ASCII_SPACE)  # after the length check, so the schema's limits hold for the text as sent

    @model_validator(mode='after')
    def _something_to_do(self) -> 'RefinementCreate':
        if not self.instruction and not self.replace_event_id:
            raise ValueError('give an instruction, a replaceEventId, or both')
        if self.replacement_event_id and not self.replace_event_id:
            raise ValueError('replacementEventId needs the replaceEventId it takes the place of')
        return self


class Alternatives(CamelModel):
    """The best valid replacements for one event of a plan, best first (each a key event, facts from the catalog)."""

    alternatives: list[KeyEvent]


class RefinementPublic(CamelModel):
    bundle_index: int
    instruction: str = ''
    replace_event_id: str | None = None
    replacement_event_id: str | None = None  # the person's own pick, when they chose it among the alternatives


WishKind = Literal[
    'interest', 'taste', 'place', 'time_of_day', 'company', 'money', 'language', 'access', 'avoid', 'named'
]


class WishItemPublic(CamelModel):
    """One thing the planner understood: its kind, what it means, whether it is kept by every event (hard) or
    weighs in the choice (soft), and the person's own words it was read from ('form' for the form's fields)."""

    kind: Literal[
        'interest', 'taste', 'place', 'time_of_day', 'company', 'money', 'language', 'access', 'avoid', 'named'
    ]
    value: str
    hard: bool
    text: str


def wish_fields(wish: dict[str, Any] | None) -> dict[str, Any]:
    """The stored wish as GenerationPublic's fields (all None before planning has read the request)."""
    wish = wish or {}
    return {
        'understood': wish.get('understood'),
        'not_understood': wish.get('notUnderstood'),
        'notes': wish.get('notes'),
    }


GenerationPublic.model_rebuild()
