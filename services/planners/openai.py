"""The OpenAI planner: a Responses API function-tool loop over the events catalog.

The model searches the catalog with function tools, then answers with bundles as JSON naming catalog
event ids. Everything a person sees about an event (title, times, venue, price, link) is re-read from
the catalog; the model only contributes ids and texts. This is the only module that imports `openai`.

The loop is stateless on the provider's side (`store=False`): the whole conversation is resent every
turn, reasoning items included (encrypted when the server supports it), and saved after every
completed turn so a restarted generation continues where it stopped instead of paying again.
"""

import asyncio
import json
import logging
import re
import threading
import weakref
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import openai
from openai import AsyncOpenAI
from openai.types.responses import Response, ResponseFunctionToolCall, ResponseOutputItem
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlmodel import Session

from models.catalog import CATEGORIES, EventPublic
from models.db import session_scope
from models.generation import Bundle, KeyEvent, TimeWindow
from services import metrics
from services.catalog import queries
from services.planners import grounding, prompts
from services.planners.base import PlanContext, PlannerError, PlanRequest
from services.timeframes import describe_span
from settings import settings

log = logging.getLogger(__name__)

# Room for the JSON-retry turn and the repair turn after the tool turns are used up.
EXTRA_TURNS = 2
TOOL_SEARCH_LIMIT = 40  # keeps one tool output (and so every later turn's input) small
DESCRIPTION_CHARS = 200
MIN_EVENTS_PER_BUNDLE = 2
MAX_TAGS = 6
# Model texts are clipped so a runaway answer cannot flood a bundle card.
TITLE_CHARS, BUNDLE_DESCRIPTION_CHARS, WHY_CHARS = 80, 700, 240
# Fields the SDK adds to parsed items that the API rejects when they are sent back.
SDK_ONLY_FIELDS = ('parsed_arguments', 'parsed')

BUSY = 'The AI service is busy right now. Please try again in a few minutes.'
TIMED_OUT = 'The AI service took too long to answer. Please try again in a few minutes.'
UNAVAILABLE = 'The AI service cannot be reached right now. Please try again later.'
SETUP = "The AI planner is not set up correctly (its API key or model was refused). Please tell the site's operator."
REFUSED = 'The AI service declined this request. Try rephrasing your preferences.'
SERVICE_ERROR = 'The AI service had a problem. Please try again later.'
UNREADABLE = 'The AI planner gave an answer that could not be read. Please try again.'
OUT_OF_ROOM = 'The AI planner ran out of room before finishing. Try fewer interests or a shorter timeframe.'
TOO_MANY_STEPS = 'The AI planner could not finish its plan in the steps allowed. Please try again.'
NOTHING_VALID = (
    'The AI planner could not put together a plan from real events that fits your dates and budget. '
    'Try a longer timeframe, other interests or a higher budget.'
)


class OpenAIPlanner:
    name = 'openai'

    async def plan(self, request: PlanRequest, context: PlanContext) -> list[Bundle]:
        scope = await _load_scope(request)
        conversation = _Conversation.resume(request.saved_state)
        if conversation is None:
            conversation = _Conversation.start(request, scope)
            await context.report('Asking the AI planner for ideas')
        else:
            await context.report(f'Resuming the AI planner from step {conversation.turns + 1}')
        return await _Run(scope, context, conversation).run()


async def _on_llm_thread(send: Callable[..., Awaitable[Response]], **request: Any) -> Response:
    """Runs one call to the AI service on the LLM thread's event loop and waits for it here.

    The SDK spends a few milliseconds of CPU per call (building the request, parsing the response). On the
    app's loop that delayed every page and poll (event-loop lag p99 250 ms with 200 generations in flight,
    bench/bench_inflight.py); on a loop of its own it only shares the CPU. Cancelling the caller cancels the call.
    """
    future = asyncio.run_coroutine_threadsafe(send(**request), _llm_loop())
    return await asyncio.wrap_future(future)


async def _send(**request: Any) -> Response:
    return await _client().responses.create(**request)


_llm_loop_lock = threading.Lock()
_llm_event_loop: asyncio.AbstractEventLoop | None = None


def _llm_loop() -> asyncio.AbstractEventLoop:
    global _llm_event_loop
    with _llm_loop_lock:
        if _llm_event_loop is None:
            _llm_event_loop = asyncio.new_event_loop()
            threading.Thread(target=_llm_event_loop.run_forever, name='llm-calls', daemon=True).start()
        return _llm_event_loop


# Per event loop (a client's connections belong to one), then per configuration.
_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _client() -> AsyncOpenAI:
    """A client with explicit timeout and retries (the SDK's defaults are 10 minutes and 2 retries).

    Shared by every generation on this event loop: building one costs ~40 ms of CPU (TLS set-up) on the
    loop, and a shared client reuses its connections.
    """
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    clients: dict[tuple[Any, ...], AsyncOpenAI] = _clients.setdefault(asyncio.get_running_loop(), {})
    config = (key, settings.openai_base_url, settings.openai_timeout_s, settings.openai_max_retries)
    if config not in clients:
        try:
            clients[config] = AsyncOpenAI(
                api_key=key,
                base_url=settings.openai_base_url,
                timeout=settings.openai_timeout_s,
                max_retries=settings.openai_max_retries,
            )
        except openai.OpenAIError:  # no key anywhere
            log.error('OpenAI planner chosen but no API key is configured (OPENAI_API_KEY)')
            raise PlannerError(SETUP) from None
    return clients[config]


# --- What one generation may see -----------------------------------------------------------------


@dataclass(frozen=True)
class _Scope:
    city: str
    currency: str
    window: TimeWindow
    budget: float | None

    def violations(self, bundles: Sequence[Bundle], events: dict[str, EventPublic]) -> list[grounding.Violation]:
        """The shared grounding rule, with this generation's window, budget and bundle size."""
        return grounding.find_violations(
            bundles, window=self.window, budget=self.budget, lookup=events.get, min_events=MIN_EVENTS_PER_BUNDLE
        )


async def _load_scope(request: PlanRequest) -> _Scope:
    city = await _in_db(queries.get_city, name=request.city or None)
    if city is None:
        raise PlannerError(f'The city {request.city!r} is not in the events catalog.')
    return _Scope(city=city.name, currency=city.currency, window=request.window, budget=request.preferences.budget)


T = TypeVar('T')


async def _in_db(function: Callable[..., T], **kwargs: Any) -> T:
    """One catalog read in a short session on a worker thread: no session lives across an await."""

    def call() -> T:
        with session_scope() as session:
            return function(session=session, **kwargs)

    return await asyncio.to_thread(call)


# --- The durable conversation --------------------------------------------------------------------


@dataclass
class _Conversation:
    """The input resent every turn, plus what a resumed run must not repeat."""

    items: list[dict[str, Any]]
    turns: int = 0
    json_retry_used: bool = False
    repair_used: bool = False

    @classmethod
    def start(cls, request: PlanRequest, scope: _Scope) -> '_Conversation':
        text = prompts.render_request(request.preferences, scope.window, city=scope.city, currency=scope.currency)
        return cls(items=[{'role': 'user', 'content': text}])

    @classmethod
    def resume(cls, state: dict[str, Any] | None) -> '_Conversation | None':
        # Encrypted reasoning only decodes for the model that wrote it, and a new prompt means a new run.
        if not state or state.get('prompt_version') != prompts.PROMPT_VERSION:
            return None
        if state.get('model') != settings.openai_model or not isinstance(state.get('input'), list):
            return None
        return cls(
            items=list(state['input']),
            turns=int(state.get('turns', 0)),
            json_retry_used=bool(state.get('json_retry_used')),
            repair_used=bool(state.get('repair_used')),
        )

    def to_state(self) -> dict[str, Any]:
        return {
            'prompt_version': prompts.PROMPT_VERSION,
            'model': settings.openai_model,
            'turns': self.turns,
            'json_retry_used': self.json_retry_used,
            'repair_used': self.repair_used,
            'input': self.items,
        }

    def add_user_message(self, text: str) -> None:
        self.items.append({'role': 'user', 'content': text})


# --- The loop ------------------------------------------------------------------------------------


class _Run:
    def __init__(self, scope: _Scope, context: PlanContext, conversation: _Conversation) -> None:
        self._scope = scope
        self._context = context
        self._conversation = conversation
        self._tools = _CatalogTools(scope, context)

    async def run(self) -> list[Bundle]:
        while True:
            response = await self._next_response()
            self._conversation.items.extend(_resendable(response.output))
            calls = [item for item in response.output if isinstance(item, ResponseFunctionToolCall)]
            if calls:
                await self._answer_calls(calls)
            else:
                bundles = await self._conclude(response)
                if bundles is not None:
                    return bundles
            await self._context.save_state(self._conversation.to_state())

    async def _next_response(self) -> Response:
        """A usable response; an `incomplete` one without anything usable is asked for once more."""
        for attempt in range(2):
            response = await self._create()
            status = response.status
            if status == 'completed':
                return response
            if status != 'incomplete':  # failed, cancelled, or a background status we never asked for
                log.warning('response %s ended with status %s: %s', response.id, status, response.error)
                raise PlannerError(SERVICE_ERROR)
            reason = getattr(response.incomplete_details, 'reason', None)
            log.warning('response %s incomplete (%s)', response.id, reason)
            if reason == 'content_filter':
                raise PlannerError(REFUSED)
            if _has_usable_output(response.output):
                return response  # a cut-off answer goes through the JSON check, which asks again
            if attempt == 0:
                await self._context.report('The AI planner ran out of room; trying that step again')
        raise PlannerError(OUT_OF_ROOM)

    async def _create(self) -> Response:
        conversation = self._conversation
        max_turns = settings.openai_max_turns
        if conversation.turns >= max_turns + EXTRA_TURNS:
            raise PlannerError(TOO_MANY_STEPS)
        last_tool_turn = conversation.turns >= max_turns - 1
        options: dict[str, Any] = {'store': False}
        if settings.openai_encrypted_reasoning:
            options['include'] = ['reasoning.encrypted_content']
        try:
            response = await _on_llm_thread(
                _send,
                model=settings.openai_model,
                instructions=prompts.INSTRUCTIONS,
                tool_choice='none' if last_tool_turn else 'auto',
                parallel_tool_calls=True,
                reasoning={'effort': settings.openai_reasoning_effort},
                # Already JSON-ready: sent as they are. Passed as typed arguments, the SDK walks them again on
                # every turn, on the event loop; with 200 generations in flight that was most of the loop's
                # time (bench/bench_inflight.py). The request on the wire is the same.
                extra_body={'input': list(conversation.items), 'tools': TOOLS, 'text': {'format': ANSWER_FORMAT}},
                **options,
            )
        except openai.OpenAIError as error:
            metrics.llm_errors.labels(kind=_error_kind(error)).inc()
            raise _user_error(error) from None
        except ValueError as error:  # a 200 whose body is not JSON: the SDK lets the decoder's error through
            metrics.llm_errors.labels(kind='malformed_response').inc()
            log.warning('unreadable response body from the AI service: %s', error)
            raise PlannerError(SERVICE_ERROR) from None
        conversation.turns += 1
        await self._context.add_usage(_usage(response))
        return response

    async def _answer_calls(self, calls: list[ResponseFunctionToolCall]) -> None:
        """One function_call_output per call, in call order (parallel calls arrive in one response)."""
        spent = self._conversation.turns >= settings.openai_max_turns
        for call in calls:
            if spent:  # a server that ignored tool_choice="none": no more catalog work, ask for the answer
                output = _error(prompts.TOOLS_SPENT_MESSAGE)
            else:
                output = await self._tools.run(call.name, call.arguments)
            self._conversation.items.append({'type': 'function_call_output', 'call_id': call.call_id, 'output': output})

    async def _conclude(self, response: Response) -> list[Bundle] | None:
        """The bundles, or None when one more turn was asked for (invalid JSON or a repair)."""
        text, refusal = _final_text(response.output)
        if refusal:
            log.warning('response %s refused: %s', response.id, refusal[:200])
            raise PlannerError(REFUSED)
        await self._context.report('Composing your bundles')
        try:
            answer = _parse_answer(text)
        except _BadAnswer as problem:
            return await self._ask_for_valid_json(str(problem))
        ids = [key.event_id for draft in answer.bundles for key in draft.key_events]
        events = await _in_db(queries.get_events, event_ids=ids)
        await self._context.report(f'Checking {_count(len(answer.bundles), "bundle")} against the catalog')
        bundles = _candidates(answer.bundles, events, self._scope.window)
        violations = self._scope.violations(bundles, events)
        if violations and not self._conversation.repair_used:
            self._conversation.repair_used = True
            listing = '\n'.join(f'- {_describe(v, bundles)}' for v in violations)
            self._conversation.add_user_message(prompts.REPAIR_MESSAGE.format(violations=listing))
            await self._context.report(f'Asking the AI planner to fix {_count(len(violations), "problem")}')
            return None
        return await self._keep_valid(bundles, events, violations)

    async def _ask_for_valid_json(self, problem: str) -> None:
        if self._conversation.json_retry_used:
            log.warning('second unreadable answer: %s', problem)
            raise PlannerError(UNREADABLE)
        log.info('unreadable answer, asking again: %s', problem)
        self._conversation.json_retry_used = True
        self._conversation.add_user_message(prompts.INVALID_JSON_MESSAGE.format(problem=problem))
        await self._context.report('The plan came back garbled; asking for it again')
        return None

    async def _keep_valid(
        self, candidates: list[Bundle], events: dict[str, EventPublic], violations: list[grounding.Violation]
    ) -> list[Bundle]:
        """What still breaks the rules after the repair is dropped: single events where that is enough.

        Dropping events can leave a bundle too small or (seldom) still over budget, so the rest is checked
        again and only bundles with no violation at all are kept.
        """
        if violations:
            log.info(
                'dropping what still breaks the rules after repair: %s', [_describe(v, candidates) for v in violations]
            )
        trimmed = grounding.drop_invalid_events(candidates, violations, min_events=MIN_EVENTS_PER_BUNDLE)
        valid = grounding.drop_invalid(trimmed, self._scope.violations(trimmed, events))
        bundles = [_with_cover(bundle) for bundle in valid]
        if not bundles:
            raise PlannerError(NOTHING_VALID)
        if violations:
            await self._context.report(f'Left out {_count(len(violations), "part")} that broke the rules')
        await self._context.report(f'Ready: {_count(len(bundles), "bundle")}')
        return bundles


def _resendable(output: Iterable[ResponseOutputItem]) -> list[dict[str, Any]]:
    """Output items as the input of the next turn: all of them, in order, without SDK-only fields."""
    items = []
    for item in output:
        data = _strip_sdk_fields(item.to_dict(mode='json'))
        # Without encrypted content a reasoning item can only be resolved by a server that stored it.
        bare_reasoning = data.get('type') == 'reasoning' and not (data.get('encrypted_content') or data.get('content'))
        if bare_reasoning and not settings.openai_encrypted_reasoning:
            continue
        items.append(data)
    return items


def _strip_sdk_fields(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_sdk_fields(v) for k, v in value.items() if k not in SDK_ONLY_FIELDS}
    if isinstance(value, list):
        return [_strip_sdk_fields(v) for v in value]
    return value


def _has_usable_output(output: Sequence[ResponseOutputItem]) -> bool:
    return any(item.type == 'function_call' for item in output) or bool(_final_text(output)[0])


def _final_text(output: Iterable[ResponseOutputItem]) -> tuple[str, str | None]:
    """The answer's text and, if the model refused, its refusal."""
    texts, refusals = [], []
    for item in output:
        if item.type != 'message':
            continue
        for part in item.content:
            if part.type == 'output_text':
                texts.append(part.text)
            elif part.type == 'refusal':
                refusals.append(part.refusal)
    return ''.join(texts), ' '.join(refusals) or None


def _usage(response: Response) -> dict[str, int]:
    usage = response.usage
    if usage is None:  # some compatible servers send none
        return {}
    details = getattr(usage, 'output_tokens_details', None)
    return {
        'input_tokens': usage.input_tokens or 0,
        'output_tokens': usage.output_tokens or 0,
        'reasoning_tokens': getattr(details, 'reasoning_tokens', 0) or 0,
        'total_tokens': usage.total_tokens or 0,
    }


def _error_kind(error: openai.OpenAIError) -> str:
    """A low-cardinality label for the metrics: rate_limit, timeout, connection, status_500..."""
    match error:
        case openai.RateLimitError():
            return 'rate_limit'
        case openai.APITimeoutError():
            return 'timeout'
        case openai.APIConnectionError():
            return 'connection'
        case openai.APIStatusError():
            return f'status_{error.status_code}'
    return 'other'


def _user_error(error: openai.OpenAIError) -> PlannerError:
    """A message a person can act on; the technical detail goes to the log only (never the key)."""
    status = getattr(error, 'status_code', None)
    log.warning(
        'OpenAI request failed: %s status=%s code=%s request_id=%s: %s',
        type(error).__name__,
        status,
        getattr(error, 'code', None),
        getattr(error, 'request_id', None),
        str(error)[:300],
    )
    match error:
        case openai.RateLimitError():
            return PlannerError(BUSY)
        case openai.APITimeoutError():
            return PlannerError(TIMED_OUT)
        case openai.APIConnectionError():
            return PlannerError(UNAVAILABLE)
        case openai.AuthenticationError() | openai.PermissionDeniedError() | openai.NotFoundError():
            return PlannerError(SETUP)
        case openai.BadRequestError() | openai.UnprocessableEntityError():
            return PlannerError(REFUSED)
        case openai.InternalServerError():
            return PlannerError(UNAVAILABLE)
    return PlannerError(SERVICE_ERROR)


# --- The final answer ----------------------------------------------------------------------------


class _DraftKeyEvent(BaseModel):
    model_config = ConfigDict(extra='ignore')

    event_id: str = Field(min_length=1)
    why: str = ''


class _DraftBundle(BaseModel):
    model_config = ConfigDict(extra='ignore')

    title: str = Field(min_length=1)
    description: str = ''
    tags: list[str] = []
    key_events: list[_DraftKeyEvent]

    @field_validator('tags')
    @classmethod
    def _clean_tags(cls, tags: list[str]) -> list[str]:
        return list(dict.fromkeys(t.strip().lower() for t in tags if t.strip()))[:MAX_TAGS]


class _Answer(BaseModel):
    bundles: list[_DraftBundle] = Field(min_length=1)


class _BadAnswer(ValueError):
    """Why an answer could not be read (sent back to the model in the JSON-retry turn)."""


_FENCE = re.compile(r'^\s*```(?:json)?\s*(.*?)\s*```\s*$', re.DOTALL)


def _parse_answer(text: str) -> _Answer:
    """Validated here: servers other than OpenAI may not enforce the JSON schema."""
    if not text.strip():
        raise _BadAnswer('the answer was empty')
    fenced = _FENCE.match(text)
    try:
        data = json.loads(fenced.group(1) if fenced else text)
    except json.JSONDecodeError as error:
        cut_off = error.msg.startswith('Unterminated') or error.pos >= len(text.rstrip()) - 1
        raise _BadAnswer('the JSON was cut off' if cut_off else f'invalid JSON: {error.msg}') from None
    try:
        return _Answer.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = '.'.join(str(p) for p in first['loc'])
        raise _BadAnswer(f'{where}: {first["msg"]}') from None


def _answer_schema() -> dict[str, Any]:
    key_event = _object({'event_id': {'type': 'string'}, 'why': {'type': 'string'}})
    bundle = _object(
        {
            'title': {'type': 'string'},
            'description': {'type': 'string'},
            'tags': {'type': 'array', 'items': {'type': 'string'}},
            'key_events': {'type': 'array', 'items': key_event},
        }
    )
    return _object({'bundles': {'type': 'array', 'items': bundle}})


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    """A strict-mode object: every property required, nothing else allowed."""
    return {'type': 'object', 'properties': properties, 'required': list(properties), 'additionalProperties': False}


ANSWER_FORMAT: dict[str, Any] = {
    'type': 'json_schema',
    'name': 'trip_bundles',
    'strict': True,
    'schema': _answer_schema(),
}


# --- Grounding -----------------------------------------------------------------------------------


def _candidates(drafts: Sequence[_DraftBundle], events: dict[str, EventPublic], window: TimeWindow) -> list[Bundle]:
    """The answer as bundles: every event fact from the catalog, only the texts from the model."""
    return [_candidate(draft, events, window) for draft in drafts]


def _candidate(draft: _DraftBundle, events: dict[str, EventPublic], window: TimeWindow) -> Bundle:
    key_events = [_key_event(key, events.get(key.event_id), window) for key in draft.key_events]
    key_events.sort(key=lambda e: (e.starts_at, e.event_id))
    return Bundle(
        title=_clip(draft.title, TITLE_CHARS),
        description=_clip(draft.description, BUNDLE_DESCRIPTION_CHARS),
        tags=draft.tags,
        key_events=key_events,
        estimated_cost=grounding.estimate_cost(key_events),
    )


def _key_event(key: _DraftKeyEvent, event: EventPublic | None, window: TimeWindow) -> KeyEvent:
    why = _clip(key.why, WHY_CHARS)
    if event is not None:
        return grounding.key_event_from(event, why)
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


def _describe(violation: grounding.Violation, bundles: Sequence[Bundle]) -> str:
    """'Bundle 1 "Techno Weekend": "Monday Techno" (ev-9) starts Mon 8 Dec 20:00, outside the time window ...'."""
    return f'Bundle {violation.bundle + 1} "{bundles[violation.bundle].title}": {violation.message}'


def _with_cover(bundle: Bundle) -> Bundle:
    """The bundle's picture is that of its first event that has one."""
    return bundle.model_copy(update={'image_url': next((e.image_url for e in bundle.key_events if e.image_url), '')})


# --- Function tools ------------------------------------------------------------------------------


def _search_parameters() -> dict[str, Any]:
    nullable_string = {'type': ['string', 'null']}
    return _object(
        {
            'categories': {
                'type': 'array',
                'items': {'type': 'string', 'enum': list(CATEGORIES)},
                'description': 'Event categories to include; empty for all.',
            },
            'genres': {
                'type': 'array',
                'items': {'type': 'string'},
                'description': 'Genres or styles, any of which may match (e.g. "techno", "jazz"); empty for any.',
            },
            'text': {**nullable_string, 'description': 'Words that must all appear (title, venue, tags), or null.'},
            'neighborhood': {**nullable_string, 'description': 'Exact neighbourhood name, or null.'},
            'max_price': {'type': ['number', 'null'], 'description': 'Highest minimum ticket price, or null.'},
            'starts_after': {
                **nullable_string,
                'description': 'ISO 8601 time to narrow the window (never widens it), or null.',
            },
            'starts_before': {
                **nullable_string,
                'description': 'ISO 8601 time to narrow the window (never widens it), or null.',
            },
            'limit': {'type': ['integer', 'null'], 'description': f'At most {TOOL_SEARCH_LIMIT}; null for 20.'},
        }
    )


TOOLS: list[dict[str, Any]] = [
    {
        'type': 'function',
        'name': 'search_events',
        'description': "Bookable catalog events in the person's city starting inside their time window, soonest first.",
        'parameters': _search_parameters(),
        'strict': True,
    },
    {
        'type': 'function',
        'name': 'get_event',
        'description': 'One catalog event by id, with its full description.',
        'parameters': _object({'event_id': {'type': 'string'}}),
        'strict': True,
    },
    {
        'type': 'function',
        'name': 'check_bundle',
        'description': 'Checks a candidate bundle (event ids) against the rules and gives its total price.',
        'parameters': _object({'event_ids': {'type': 'array', 'items': {'type': 'string'}}}),
        'strict': True,
    },
]


class _ToolError(ValueError):
    """A tool call the catalog cannot answer; the message goes back to the model."""


class _SearchArgs(BaseModel):
    model_config = ConfigDict(extra='ignore')

    categories: list[str] | None = None
    genres: list[str] | None = None
    text: str | None = Field(default=None, max_length=200)
    neighborhood: str | None = Field(default=None, max_length=100)
    max_price: float | None = Field(default=None, ge=0)
    starts_after: datetime | None = None
    starts_before: datetime | None = None
    limit: int | None = Field(default=None, ge=1, le=TOOL_SEARCH_LIMIT)

    @field_validator('categories')
    @classmethod
    def _known_categories(cls, categories: list[str] | None) -> list[str] | None:
        unknown = [c for c in categories or [] if c.lower() not in CATEGORIES]
        if unknown:
            raise ValueError(f'unknown category {unknown[0]!r}; use one of {", ".join(CATEGORIES)}')
        return categories


class _GetEventArgs(BaseModel):
    event_id: str = Field(min_length=1, max_length=200)


class _CheckBundleArgs(BaseModel):
    event_ids: list[str] = Field(min_length=1, max_length=10)


ToolHandler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


class _CatalogTools:
    """Runs the model's function calls against the catalog and reports each as progress."""

    def __init__(self, scope: _Scope, context: PlanContext) -> None:
        self._scope = scope
        self._context = context
        self._handlers: dict[str, ToolHandler] = {
            'search_events': self._search_events,
            'get_event': self._get_event,
            'check_bundle': self._check_bundle,
        }

    async def run(self, name: str, arguments: str) -> str:
        """The tool's output as compact JSON; bad calls get a JSON error the model can correct."""
        handler = self._handlers.get(name)
        if handler is None:
            return _error(f'unknown tool {name!r}; use one of {", ".join(self._handlers)}')
        try:
            parsed = json.loads(arguments or '{}')
        except json.JSONDecodeError:
            return _error('the arguments are not valid JSON')
        if not isinstance(parsed, dict):
            return _error('the arguments must be a JSON object')
        try:
            return _compact(await handler(parsed))
        except ValidationError as error:
            first = error.errors()[0]
            where = '.'.join(str(p) for p in first['loc']) or 'arguments'
            await self._context.report('The AI planner made a request the catalog could not answer; retrying')
            return _error(f'bad argument {where}: {first["msg"]}')
        except _ToolError as error:
            await self._context.report('The AI planner made a request the catalog could not answer; retrying')
            return _error(str(error))

    async def _search_events(self, arguments: dict[str, Any]) -> dict[str, Any]:
        args = _SearchArgs.model_validate(arguments)
        window = _narrow(self._scope.window, args.starts_after, args.starts_before)
        await self._context.report(_describe_search(args, window.label, self._scope.currency))
        found = await _in_db(_search, city_name=self._scope.city, window=window, args=args)
        await self._context.report(f'Found {_count(len(found), "event")}')
        return {'window': window.label, 'count': len(found), 'events': [_event_json(e) for e in found]}

    async def _get_event(self, arguments: dict[str, Any]) -> dict[str, Any]:
        args = _GetEventArgs.model_validate(arguments)
        event = await _in_db(queries.get_event, event_id=args.event_id)
        if event is None:
            raise _ToolError(f'no event with id {args.event_id!r}; use ids returned by search_events')
        await self._context.report(f'Reading about {_clip(event.title)} at {_clip(event.venue)}')
        result = _event_json(event, description_chars=DESCRIPTION_CHARS * 3)
        problems = _event_problems(event, self._scope.window)
        if problems:
            result['warning'] = f'not usable: {"; ".join(problems)}'
        return result

    async def _check_bundle(self, arguments: dict[str, Any]) -> dict[str, Any]:
        args = _CheckBundleArgs.model_validate(arguments)
        await self._context.report(f'Checking a plan of {_count(len(args.event_ids), "event")}')
        events = await _in_db(queries.get_events, event_ids=args.event_ids)
        draft = _DraftBundle(title='candidate', key_events=[_DraftKeyEvent(event_id=i) for i in args.event_ids])
        candidate = _candidate(draft, events, self._scope.window)
        problems = self._scope.violations([candidate], events)
        cost = candidate.estimated_cost
        return {
            'ok': not problems,
            'problems': [p.message for p in problems],
            'total_price': cost.model_dump() if cost else None,
            'budget': self._scope.budget,
        }


def _event_problems(event: EventPublic, window: TimeWindow) -> list[str]:
    """Why a plan may not use this event (not bookable, outside the window), by the shared rule."""
    alone = Bundle(
        title='', description='', key_events=[grounding.key_event_from(event, '')], estimated_cost=event.price
    )
    violations = grounding.find_violations([alone], window=window, budget=None, lookup={event.event_id: event}.get)
    # Only the event's own problems: a bundle rule such as its size says nothing about the event.
    return [v.message for v in violations if v.event_id is not None]


def _search(*, session: Session, city_name: str, window: TimeWindow, args: _SearchArgs) -> list[EventPublic]:
    city = queries.get_city(session=session, name=city_name)
    if city is None:
        raise _ToolError(f'the city {city_name!r} is no longer in the catalog')
    return queries.search_events(
        session=session,
        city=city,
        window=window,
        categories=args.categories or (),
        genres=args.genres or (),
        text=args.text,
        neighborhood=args.neighborhood,
        max_price=args.max_price,
        limit=args.limit or queries.DEFAULT_SEARCH_LIMIT,
    )


def _narrow(window: TimeWindow, after: datetime | None, before: datetime | None) -> TimeWindow:
    """The generation's window, narrowed by the model's bounds but never widened."""
    if after is None and before is None:
        return window
    zone = ZoneInfo(window.timezone)
    start = max(window.start, _aware(after, zone)) if after else window.start
    end = min(window.end, _aware(before, zone)) if before else window.end
    if start >= end:
        raise _ToolError(
            f'starts_after/starts_before leave nothing of the time window {window.start.isoformat()} to '
            f'{window.end.isoformat()}'
        )
    start, end = start.astimezone(zone), end.astimezone(zone)
    return TimeWindow(start=start, end=end, timezone=window.timezone, label=describe_span(start, end))


def _aware(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _event_json(event: EventPublic, description_chars: int = DESCRIPTION_CHARS) -> dict[str, Any]:
    """What the model needs to choose; the link and image stay out of its context (and its bill)."""
    data = event.model_dump(mode='json', exclude={'url', 'image_url', 'venue_tags'})
    data['description'] = _clip(event.description, description_chars)
    return data


def _describe_search(args: _SearchArgs, label: str, currency: str) -> str:
    """'Searching techno and house events in Friedrichshain, Fri 5 - Sun 7 Dec'."""
    subjects = [_clip(s, 30) for s in (args.genres or args.categories or [])]
    words = ['Searching', f'{_join(subjects)} events' if subjects else 'events']
    if args.text:
        words.append(f'matching "{_clip(args.text, 40)}"')
    if args.neighborhood:
        words.append(f'in {_clip(args.neighborhood, 40)}')
    if args.max_price is not None:
        words.append(f'up to {args.max_price:g} {currency}')
    return f'{" ".join(words)}, {label}'


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f'{", ".join(words[:-1])} and {words[-1]}'


def _count(number: int, noun: str) -> str:
    return f'{number} {noun}' if number == 1 else f'{"no" if number == 0 else number} {noun}s'


def _clip(text: str, limit: int = 60) -> str:
    text = ' '.join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + '…'


def _error(message: str) -> str:
    return _compact({'error': message})


def _compact(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(',', ':'), ensure_ascii=False)
