"""The model's final answer: its schema, its validation, and the bundles made of it with catalog facts only.

Everything a person sees about an event (title, times, venue, price, link) is re-read from the catalog;
the model only contributes event ids and texts.
"""

import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from models.catalog import EventPublic
from models.generation import Bundle, KeyEvent, TimeWindow
from services.planners import grounding
from services.planners.llm.schema import strict_schema
from services.planners.llm.wording import clip

MAX_TAGS = 6
# Model texts are clipped so a runaway answer cannot flood a bundle card.
TITLE_CHARS, BUNDLE_DESCRIPTION_CHARS, WHY_CHARS = 80, 700, 240


# No docstrings on these models: a docstring would become a description in the schema the model reads.
class DraftKeyEvent(BaseModel):
    model_config = ConfigDict(extra='ignore')

    event_id: str = Field(min_length=1)
    why: str = ''
    visit_start: datetime | None = Field(
        default=None, description='A long event visited for a slot (a drop-in): when the plan arrives; else null.'
    )
    visit_end: datetime | None = Field(default=None, description='When the plan leaves a drop-in; else null.')


class DraftBundle(BaseModel):
    model_config = ConfigDict(extra='ignore')

    title: str = Field(min_length=1)
    description: str = ''
    tags: list[str] = []
    key_events: list[DraftKeyEvent]

    @field_validator('tags')
    @classmethod
    def _clean_tags(cls, tags: list[str]) -> list[str]:
        return list(dict.fromkeys(t.strip().lower() for t in tags if t.strip()))[:MAX_TAGS]


class Answer(BaseModel):
    bundles: list[DraftBundle] = Field(min_length=1)


ANSWER_FORMAT: dict[str, Any] = {
    'type': 'json_schema',
    'name': 'trip_bundles',
    'strict': True,
    'schema': strict_schema(Answer),
}


class BadAnswer(ValueError):
    """Why an answer could not be read (sent back to the model in the JSON-retry turn)."""


_FENCE = re.compile(r'^\s*```(?:json)?\s*(.*?)\s*```\s*$', re.DOTALL)


def parse_answer(text: str) -> Answer:
    """Validated here: servers other than OpenAI may not enforce the JSON schema."""
    if not text.strip():
        raise BadAnswer('the answer was empty')
    fenced = _FENCE.match(text)
    try:
        data = json.loads(fenced.group(1) if fenced else text)
    except json.JSONDecodeError as error:
        cut_off = error.msg.startswith('Unterminated') or error.pos >= len(text.rstrip()) - 1
        raise BadAnswer('the JSON was cut off' if cut_off else f'invalid JSON: {error.msg}') from None
    try:
        return Answer.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = '.'.join(str(p) for p in first['loc'])
        raise BadAnswer(f'{where}: {first["msg"]}') from None


def candidates(drafts: Sequence[DraftBundle], events: dict[str, EventPublic], window: TimeWindow) -> list[Bundle]:
    """The answer as bundles: every event fact from the catalog, only the texts from the model."""
    return [candidate(draft, events, window) for draft in drafts]


def candidate(draft: DraftBundle, events: dict[str, EventPublic], window: TimeWindow) -> Bundle:
    key_events = [_key_event(key, events.get(key.event_id), window) for key in draft.key_events]
    key_events.sort(key=lambda e: (e.attended_from, e.event_id))
    return Bundle(
        title=clip(draft.title, TITLE_CHARS),
        description=clip(draft.description, BUNDLE_DESCRIPTION_CHARS),
        tags=draft.tags,
        key_events=key_events,
        estimated_cost=grounding.estimate_cost(key_events),
    )


def _key_event(key: DraftKeyEvent, event: EventPublic | None, window: TimeWindow) -> KeyEvent:
    why = clip(key.why, WHY_CHARS)
    if event is not None:
        visit = (key.visit_start, key.visit_end) if key.visit_start and key.visit_end else None
        return grounding.key_event_from(event, why, visit=visit)
    # A stand-in for an id the catalog lacks, so the validator reports it along with everything else.
    return KeyEvent(
        event_id=key.event_id,
        title='',
        starts_at=window.start,
        ends_at=window.start,
        venue='',
        neighborhood='',
        price=None,
        category='',
        tags=[],
        url='',
        why=why,
    )


def describe(violation: grounding.Violation, bundles: Sequence[Bundle]) -> str:
    """'Bundle 1 "Techno Weekend": "Monday Techno" (ev-9) starts Mon 8 Dec 20:00, outside the time window ...'."""
    return f'Bundle {violation.bundle + 1} "{bundles[violation.bundle].title}": {violation.message}'


def with_cover(bundle: Bundle) -> Bundle:
    """The bundle's picture is that of its first event that has one."""
    return bundle.model_copy(update={'image_url': next((e.image_url for e in bundle.key_events if e.image_url), '')})
