"""The LLM planner's catalog tools: calls answered through the fake Responses server, and their schemas."""

import json

import pytest
from pydantic import BaseModel
from sqlmodel import select

from models.catalog import Venue
from models.db import session_scope
from services.planners.llm import answer, tools
from services.planners.llm.schema import strict_schema
from tests.fakes import responses_steps
from tests.fakes.openai_support import (
    good_answer,
    outputs_of,
    plan,
)
from tests.fakes.responses_steps import (
    Reply,
    bundle,
    function_call,
    search_args,
)

# --- Tools ---------------------------------------------------------------------------------------


async def test_bad_tool_calls_go_back_to_the_model_as_json_errors(fake, ids, context):
    calls = [
        function_call('search_events', search_args(categories=['karaoke'])),
        function_call('search_events', '{"genres": ["techno"'),
        function_call('get_event', {'event_id': 'no-such-event'}),
        function_call('book_tickets', {'event_id': ids['sat_house']}),
        function_call('search_events', search_args(starts_after='2025-12-10T00:00:00+01:00')),
        function_call('search_events', search_args(limit=5000)),
    ]
    fake.add(Reply(calls), Reply([good_answer(ids)]))

    bundles = await plan(context)

    errors = [json.loads(o['output'])['error'] for o in outputs_of(fake.requests[1])]
    assert 'karaoke' in errors[0]
    assert 'not valid JSON' in errors[1]
    assert "no event with id 'no-such-event'" in errors[2]
    assert "unknown tool 'book_tickets'" in errors[3]
    assert 'leave nothing of the time window' in errors[4]
    assert 'limit' in errors[5]
    assert len(bundles) == 3  # the run went on


async def test_a_search_may_narrow_the_window_but_never_widen_it(fake, ids, context):
    calls = [
        function_call('search_events', search_args(starts_after='2025-11-01T00:00', starts_before='2025-12-31T00:00')),
        function_call('search_events', search_args(starts_after='2025-12-07T00:00')),
    ]
    fake.add(Reply(calls), Reply([good_answer(ids)]))

    await plan(context)

    widened, narrowed = (json.loads(o['output']) for o in outputs_of(fake.requests[1]))
    assert ids['mon_outside'] not in {e['eventId'] for e in widened['events']}
    assert widened['window'] == 'Fri 5 - Sun 7 Dec'
    assert {e['eventId'] for e in narrowed['events']} == {ids['sun_art'], ids['sun_gala']}
    assert 'Searching events, Sun 7 Dec' in context.reports


async def test_get_event_warns_about_events_the_plan_may_not_use(fake, ids, context):
    fake.add(
        Reply([function_call('get_event', {'event_id': ids['mon_outside']})]),
        Reply([good_answer(ids)]),
    )

    await plan(context)

    output = json.loads(outputs_of(fake.requests[1])[0]['output'])
    assert output['title'] == 'Monday Techno'
    assert 'outside the time window' in output['warning']


async def test_check_bundle_reports_problems_and_price(fake, ids, context):
    fake.add(
        Reply([function_call('check_bundle', {'event_ids': [ids['sat_jazz'], ids['sat_house'], ids['sun_gala']]})]),
        Reply([good_answer(ids)]),
    )

    await plan(context)

    output = json.loads(outputs_of(fake.requests[1])[0]['output'])
    assert output['ok'] is False
    assert any('overlaps' in p for p in output['problems'])
    assert any('over the budget of 60' in p for p in output['problems'])
    assert output['total_price']['min'] == 10 + 12 + 95


def place_venues(positions: dict[str, tuple[float, float]]) -> None:
    with session_scope() as session:
        for venue in session.exec(select(Venue)).all():
            venue.lat, venue.lon = positions.get(venue.name, (None, None))
            session.add(venue)
        session.commit()


async def test_check_bundle_reports_travel_and_unreachable_hops(fake, ids, context):
    reachable = (ids['fri_comedy'], ids['sun_art'])
    place_venues(
        {
            'Markthalle': (52.4990, 13.4310),  # Kreuzberg
            'Kraftwerk Hall': (52.5106, 13.4202),  # Mitte, ~1.5 km away: by transit
            'Club Ost': (52.5030, 13.4690),  # Friedrichshain
        }
    )
    fake.add(
        Reply(
            [
                # food ends at 20:00 in Kreuzberg, jazz starts at 20:00 in Mitte: no time to get there
                function_call('check_bundle', {'event_ids': [ids['sat_food'], ids['sat_jazz']]}),
                # comedy ends 21:00 in Mitte, techno starts 23:00 in Friedrichshain: plenty of time
                function_call('check_bundle', {'event_ids': [ids['fri_techno'], ids['fri_comedy']]}),
                # the gallery has no position: travel unknown, not invented
                function_call('check_bundle', {'event_ids': [ids['sun_art'], ids['sat_jazz']]}),
            ]
        ),
        # the good answer's food-then-jazz bundle is now out of reach too
        Reply([responses_steps.answer(bundle('T', ids['fri_techno'], ids['sat_house']), bundle('A', *reachable))]),
    )

    await plan(context)

    rushed, relaxed, unknown = (json.loads(o['output']) for o in outputs_of(fake.requests[1]))
    assert rushed['ok'] is False
    assert len(rushed['unreachable']) == 1
    assert 'Late Jazz' in rushed['unreachable'][0] and 'by public transport' in rushed['unreachable'][0]
    [hop] = rushed['travel']
    assert (hop['from'], hop['to'], hop['minutes_between']) == (ids['sat_food'], ids['sat_jazz'], 0)
    assert hop['mode'] == 'transit'
    assert hop['travel_minutes'] > 10

    assert relaxed['ok'] is True and relaxed['unreachable'] == []
    [hop] = relaxed['travel']  # listed in time order whatever order the model gave
    assert (hop['from'], hop['to'], hop['minutes_between'], hop['mode']) == (
        ids['fri_comedy'],
        ids['fri_techno'],
        120,
        'transit',
    )
    assert hop['travel_minutes'] < 120

    [hop] = unknown['travel']
    assert hop['travel'].startswith('unknown') and 'travel_minutes' not in hop


async def test_submit_bundle_answers_violations_and_the_model_fixes_them(fake, ids, context):
    def submit(title: str, *event_ids: str) -> dict:
        return {
            'title': title,
            'description': 'A plan.',
            'tags': [],
            'key_events': [{'event_id': i, 'why': 'fits'} for i in event_ids],
        }

    fake.add(
        Reply([function_call('submit_bundle', submit('Techno Weekend', ids['fri_techno'], ids['sat_house']))]),
        Reply([function_call('submit_bundle', submit('Jazz', 'no-such-event', ids['sat_jazz']))]),
        Reply([function_call('submit_bundle', submit('Jazz', ids['sat_jazz'], ids['sat_house']))]),
        Reply([function_call('submit_bundle', submit('Jazz', ids['sat_food'], ids['sat_jazz']))]),
        Reply([good_answer(ids)]),
    )

    await plan(context)

    first, unknown, reused, fixed = (json.loads(outputs_of(fake.requests[n])[-1]['output']) for n in (1, 2, 3, 4))
    assert first == {'ok': True, 'problems': [], 'submitted': 1}
    assert unknown['ok'] is False and any('no-such-event' in p for p in unknown['problems'])
    assert reused['ok'] is False and any('overlap' in p or 'already used' in p for p in reused['problems'])
    assert fixed == {'ok': True, 'problems': [], 'submitted': 2}
    assert [b.title for b in context.bundles] == ['Techno Weekend', 'Jazz']
    assert 'Bundle 2 ready: Jazz' in context.reports


# --- Schemas: generated from the models that validate the calls ----------------------------------

STRICT_KEYWORDS = {'type', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'anyOf', 'description'}


def strict_mode_problems(node: object, where: str = 'schema') -> list[str]:
    """What OpenAI's strict mode would refuse: open objects, optional properties, unsupported keywords."""
    if isinstance(node, list):
        return [p for i, item in enumerate(node) for p in strict_mode_problems(item, f'{where}[{i}]')]
    if not isinstance(node, dict):
        return []
    problems = [f'{where}: keyword {key!r}' for key in node if key not in STRICT_KEYWORDS]
    if node.get('type') == 'object':
        if node.get('additionalProperties') is not False:
            problems.append(f'{where}: additionalProperties is not false')
        if node.get('required') != list(node.get('properties', {})):
            problems.append(f'{where}: not every property is required')
    for key, value in node.items():
        if key == 'properties':
            problems += [p for name, sub in value.items() for p in strict_mode_problems(sub, f'{where}.{name}')]
        elif key in ('items', 'anyOf'):
            problems += strict_mode_problems(value, f'{where}.{key}')
    return problems


@pytest.mark.parametrize('tool', tools.TOOLS, ids=lambda tool: tool['name'])
def test_each_tool_sends_the_schema_derived_from_its_arguments_model(tool):
    description, model = tools.TOOL_ARGS[tool['name']]

    assert tool == {
        'type': 'function',
        'name': tool['name'],
        'description': description,
        'parameters': strict_schema(model),
        'strict': True,
    }
    assert list(tool['parameters']['properties']) == list(model.model_fields)
    assert strict_mode_problems(tool['parameters']) == []


def test_every_tool_the_planner_runs_has_a_schema():
    assert [tool['name'] for tool in tools.TOOLS] == [
        'search_events',
        'get_event',
        'check_bundle',
        'submit_bundle',
        'read_wish',
        'plan_bundles',
    ]


def test_optional_search_fields_are_nullable_and_categories_are_listed():
    properties = tools.TOOLS[0]['parameters']['properties']

    for name, field in tools.SearchEventsArgs.model_fields.items():
        assert field.default is None
        assert {'type': 'null'} in properties[name]['anyOf'], name
    categories = properties['categories']['anyOf'][0]
    assert categories['items']['enum'] == list(tools.CATEGORIES)
    assert properties['limit']['description'] == f'At most {tools.TOOL_SEARCH_LIMIT}; null for 20.'


def test_what_a_strict_model_sends_is_what_the_arguments_model_accepts():
    sent = search_args(genres=['techno'], starts_after='2025-12-06T00:00:00+01:00', limit=5)

    assert set(sent) == set(tools.TOOLS[0]['parameters']['properties'])
    assert tools.SearchEventsArgs.model_validate(sent).limit == 5


def test_the_answer_format_is_derived_from_the_answer_model():
    assert {
        'type': 'json_schema',
        'name': 'trip_bundles',
        'strict': True,
        'schema': strict_schema(answer.Answer),
    } == answer.ANSWER_FORMAT
    assert strict_mode_problems(answer.ANSWER_FORMAT['schema']) == []


def test_a_strict_schema_closes_nested_objects_and_makes_optional_fields_nullable():
    class Inner(BaseModel):
        name: str = 'x'

    class Outer(BaseModel):
        inner: Inner
        note: str | None = None
        count: int = 0

    schema = strict_schema(Outer)

    assert schema == {
        'type': 'object',
        'properties': {
            'inner': {
                'type': 'object',
                'properties': {'name': {'type': 'string'}},
                'required': ['name'],
                'additionalProperties': False,
            },
            'note': {'anyOf': [{'type': 'string'}, {'type': 'null'}]},
            'count': {'type': 'integer'},
        },
        'required': ['inner', 'note', 'count'],
        'additionalProperties': False,
    }
