"""The function tools the model reads the catalog with: their argument models, the schemas generated from
those models, and the handlers that run the calls (reporting each as progress)."""

import itertools
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema, field_validator
from sqlmodel import Session

from models.catalog import CATEGORIES, EventPublic
from models.generation import Bundle, TimeWindow
from services.catalog import queries
from services.database import in_db
from services.planners import grounding
from services.planners.base import PlanContext
from services.planners.llm import core_tools
from services.planners.llm.answer import DraftBundle, DraftKeyEvent, candidate, with_cover
from services.planners.llm.schema import strict_schema
from services.planners.llm.scope import Scope
from services.planners.llm.wording import clip, compact, count, error_output
from services.text import join_words
from services.timeframes import describe_span

TOOL_SEARCH_LIMIT = 40  # keeps one tool output (and so every later turn's input) small
DESCRIPTION_CHARS = 200
RETRYING = 'The AI planner made a request the catalog could not answer; retrying'

# Validated case-insensitively below; the schema lists the names the model should use.
CategoryName = Annotated[str, WithJsonSchema({'type': 'string', 'enum': list(CATEGORIES)})]
NARROWS = 'ISO 8601 time to narrow the window (never widens it), or null.'


# No docstrings on these models: a docstring would become a description in the schema the model reads.
class SearchEventsArgs(BaseModel):
    model_config = ConfigDict(extra='ignore')

    categories: list[CategoryName] | None = Field(
        default=None, description='Event categories to include; empty for all.'
    )
    genres: list[str] | None = Field(
        default=None, description='Genres or styles, any of which may match (e.g. "techno", "jazz"); empty for any.'
    )
    text: str | None = Field(
        default=None, max_length=200, description='Words that must all appear (title, venue, tags), or null.'
    )
    neighborhood: str | None = Field(default=None, max_length=100, description='Exact neighbourhood name, or null.')
    max_price: float | None = Field(default=None, ge=0, description='Highest minimum ticket price, or null.')
    starts_after: datetime | None = Field(default=None, description=NARROWS)
    starts_before: datetime | None = Field(default=None, description=NARROWS)
    limit: int | None = Field(
        default=None, ge=1, le=TOOL_SEARCH_LIMIT, description=f'At most {TOOL_SEARCH_LIMIT}; null for 20.'
    )

    @field_validator('categories')
    @classmethod
    def _known_categories(cls, categories: list[str] | None) -> list[str] | None:
        unknown = [c for c in categories or [] if c.lower() not in CATEGORIES]
        if unknown:
            raise ValueError(f'unknown category {unknown[0]!r}; use one of {", ".join(CATEGORIES)}')
        return categories


class GetEventArgs(BaseModel):
    event_id: str = Field(min_length=1, max_length=200)


class CheckBundleArgs(BaseModel):
    event_ids: list[str] = Field(min_length=1, max_length=10)


class SubmitBundleArgs(DraftBundle):
    pass


# name -> (description, the model that validates its arguments and is the source of its schema)
TOOL_ARGS: dict[str, tuple[str, type[BaseModel]]] = {
    'search_events': (
        "Bookable catalog events in the person's city starting inside their time window, soonest first.",
        SearchEventsArgs,
    ),
    'get_event': ('One catalog event by id, with its full description.', GetEventArgs),
    'check_bundle': (
        'Checks a candidate bundle (event ids) against the rules (travel time between venues included) and gives '
        'its total price and the travel between consecutive events.',
        CheckBundleArgs,
    ),
    'submit_bundle': (
        'Submits one finished bundle: it is checked against the rules and the bundles submitted before, and '
        'shown to the person at once when ok; otherwise fix the problems it lists and submit it again.',
        SubmitBundleArgs,
    ),
}

TOOL_ARGS.update(core_tools.TOOL_ARGS)
TOOLS: list[dict[str, Any]] = [
    {'type': 'function', 'name': name, 'description': description, 'parameters': strict_schema(model), 'strict': True}
    for name, (description, model) in TOOL_ARGS.items()
]


class ToolError(ValueError):
    """A tool call the catalog cannot answer; the message goes back to the model."""


ToolHandler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


class CatalogTools:
    """Runs the model's function calls against the catalog and reports each as progress."""

    def __init__(self, scope: Scope, context: PlanContext) -> None:
        self._scope = scope
        self._context = context
        self._handlers: dict[str, ToolHandler] = {
            'search_events': self._search_events,
            'get_event': self._get_event,
            'check_bundle': self._check_bundle,
            'submit_bundle': self._submit_bundle,
            'read_wish': lambda arguments: core_tools.read_wish(arguments, context),
            'plan_bundles': lambda arguments: core_tools.plan_bundles(arguments, scope.request, context),
        }
        self.submitted = 0  # bundles stored through submit_bundle in this run

    async def run(self, name: str, arguments: str) -> str:
        """The tool's output as compact JSON; bad calls get a JSON error the model can correct."""
        handler = self._handlers.get(name)
        if handler is None:
            return error_output(f'unknown tool {name!r}; use one of {", ".join(self._handlers)}')
        try:
            parsed = json.loads(arguments or '{}')
        except json.JSONDecodeError:
            return error_output('the arguments are not valid JSON')
        if not isinstance(parsed, dict):
            return error_output('the arguments must be a JSON object')
        try:
            return compact(await handler(parsed))
        except ValidationError as error:
            first = error.errors()[0]
            where = '.'.join(str(p) for p in first['loc']) or 'arguments'
            await self._context.report(RETRYING)
            return error_output(f'bad argument {where}: {first["msg"]}')
        except ToolError as error:
            await self._context.report(RETRYING)
            return error_output(str(error))

    async def _search_events(self, arguments: dict[str, Any]) -> dict[str, Any]:
        args = SearchEventsArgs.model_validate(arguments)
        window = _narrow(self._scope.window, args.starts_after, args.starts_before)
        await self._context.report(_describe_search(args, window.label, self._scope.currency))
        found = await in_db(_search, city_name=self._scope.city, window=window, args=args)
        await self._context.report(f'Found {count(len(found), "event")}')
        return {'window': window.label, 'count': len(found), 'events': [_event_json(e) for e in found]}

    async def _get_event(self, arguments: dict[str, Any]) -> dict[str, Any]:
        args = GetEventArgs.model_validate(arguments)
        event = await in_db(queries.get_event, event_id=args.event_id)
        if event is None:
            raise ToolError(f'no event with id {args.event_id!r}; use ids returned by search_events')
        await self._context.report(f'Reading about {clip(event.title)} at {clip(event.venue)}')
        result = _event_json(event, description_chars=DESCRIPTION_CHARS * 3)
        problems = _event_problems(event, self._scope.window)
        if problems:
            result['warning'] = f'not usable: {"; ".join(problems)}'
        return result

    async def _check_bundle(self, arguments: dict[str, Any]) -> dict[str, Any]:
        args = CheckBundleArgs.model_validate(arguments)
        await self._context.report(f'Checking a plan of {count(len(args.event_ids), "event")}')
        events = await in_db(queries.get_events, event_ids=args.event_ids)
        draft = DraftBundle(title='candidate', key_events=[DraftKeyEvent(event_id=i) for i in args.event_ids])
        proposed = candidate(draft, events, self._scope.window)
        problems = self._scope.violations([proposed], events)
        cost = proposed.estimated_cost
        return {
            'ok': not problems,
            'problems': [p.message for p in problems],
            # Separately too, so the model sees which hops to fix by choosing closer or later events.
            'unreachable': [p.message for p in problems if p.code == 'unreachable'],
            'travel': _travel_hops(proposed),
            'total_price': cost.model_dump() if cost else None,
            'budget': self._scope.budget,
        }

    async def _submit_bundle(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Validates at once and stores the bundle when it breaks no rule; the problems go back to the model."""
        draft = SubmitBundleArgs.model_validate(arguments)
        events = await in_db(queries.get_events, event_ids=[k.event_id for k in draft.key_events])
        proposed = with_cover(candidate(draft, events, self._scope.window))
        problems = [p.message for p in self._scope.violations([proposed], events)]
        if not problems:
            problems = await self._context.add_bundle(proposed)
        if problems:
            await self._context.report(f'The AI planner is fixing {count(len(problems), "problem")} in a bundle')
            return {'ok': False, 'problems': problems, 'submitted': self.submitted}
        self.submitted += 1
        await self._context.report(f'Bundle {self.submitted} ready: {clip(proposed.title)}')
        return {'ok': True, 'problems': [], 'submitted': self.submitted}


def _travel_hops(bundle: Bundle) -> list[dict[str, Any]]:
    """Each hop between consecutive events (in time order) by the shared travel estimate; unknown positions
    say so instead of guessing."""
    hops = []
    for previous, event in itertools.pairwise(bundle.key_events):
        travel = event.travel_from_previous
        gap = round((event.starts_at - previous.ends_at).total_seconds() / 60)
        hop: dict[str, Any] = {'from': previous.event_id, 'to': event.event_id, 'minutes_between': gap}
        if travel is None:
            hop['travel'] = 'unknown: a venue has no position'
        else:
            hop.update(travel_minutes=travel.minutes, mode=travel.mode, km=round(travel.meters / 1000, 1))
        hops.append(hop)
    return hops


def _event_problems(event: EventPublic, window: TimeWindow) -> list[str]:
    """Why a plan may not use this event (not bookable, outside the window), by the shared rule."""
    alone = Bundle(
        title='', description='', key_events=[grounding.key_event_from(event, '')], estimated_cost=event.price
    )
    violations = grounding.find_violations([alone], window=window, budget=None, lookup={event.event_id: event}.get)
    # Only the event's own problems: a bundle rule such as its size says nothing about the event.
    return [v.message for v in violations if v.event_id is not None]


def _search(*, session: Session, city_name: str, window: TimeWindow, args: SearchEventsArgs) -> list[EventPublic]:
    city = queries.get_city(session=session, name=city_name)
    if city is None:
        raise ToolError(f'the city {city_name!r} is no longer in the catalog')
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
        raise ToolError(
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
    data['description'] = clip(event.description, description_chars)
    return data


def _describe_search(args: SearchEventsArgs, label: str, currency: str) -> str:
    """'Searching techno and house events in Friedrichshain, Fri 5 - Sun 7 Dec'."""
    subjects = [clip(s, 30) for s in (args.genres or args.categories or [])]
    words = ['Searching', f'{join_words(subjects)} events' if subjects else 'events']
    if args.text:
        words.append(f'matching "{clip(args.text, 40)}"')
    if args.neighborhood:
        words.append(f'in {clip(args.neighborhood, 40)}')
    if args.max_price is not None:
        words.append(f'up to {args.max_price:g} {currency}')
    return f'{" ".join(words)}, {label}'
