"""The LLM planner's tool loop against a fake Responses server, through the real openai SDK: turns, the
turn cap, durable turns, servers without encrypted reasoning, and the fake failing a wrong loop."""

import asyncio
import json

import pytest

from services.planners.base import PlannerError
from services.planners.llm import errors, loop, prompts
from services.planners.llm.planner import LLMPlanner
from settings import settings
from tests.fakes.openai_support import (
    RecordingContext,
    good_answer,
    outputs_of,
    plan,
    plan_request,
    point_openai_at,
)
from tests.fakes.responses_server import FakeResponsesServer
from tests.fakes.responses_steps import (
    Hang,
    HttpError,
    Reply,
    answer,
    bundle,
    function_call,
    reasoning_item,
    search_args,
)

# --- The happy path ------------------------------------------------------------------------------


async def test_several_tool_turns_give_bundles_grounded_in_the_catalog(fake, ids, context):
    fake.add(
        Reply([reasoning_item(), function_call('search_events', search_args(genres=['techno', 'house']))]),
        Reply([reasoning_item(), function_call('get_event', {'event_id': ids['sat_house']})]),
        Reply([reasoning_item(), good_answer(ids)]),
    )

    bundles = await plan(context)

    assert [b.title for b in bundles] == ['Techno Weekend', 'Taste and Jazz', 'Laughs and Art']
    first = bundles[0]
    assert [e.event_id for e in first.key_events] == [ids['fri_techno'], ids['sat_house']]
    assert first.key_events[0].title == 'Techno Marathon'  # from the catalog, not the model
    assert first.key_events[0].venue == 'Club Ost'
    assert first.key_events[0].url.startswith('https://tickets.example.com/')
    assert first.key_events[0].why == 'Fits the Techno Weekend theme'
    assert first.estimated_cost.min == 27 and first.estimated_cost.max == 38
    assert first.tags == ['techno', 'late']
    assert len(fake.replies) == 3


async def test_every_turn_resends_tools_format_and_the_conversation(fake, ids, context):
    fake.add(
        Reply([reasoning_item(), function_call('search_events', search_args(categories=['music']))]),
        Reply([reasoning_item(), good_answer(ids)]),
    )

    await plan(context)

    first, second = fake.requests
    for body in (first, second):
        assert body['model'] == 'fake-reasoner'
        assert body['store'] is False
        assert body['include'] == ['reasoning.encrypted_content']
        assert body['reasoning'] == {'effort': 'low'}
        assert body['tool_choice'] == 'auto'
        assert {t['name'] for t in body['tools']} == {
            'search_events',
            'get_event',
            'check_bundle',
            'submit_bundle',
            'read_wish',
            'plan_bundles',
        }
        assert body['text']['format']['type'] == 'json_schema' and body['text']['format']['strict'] is True
        assert body['instructions'] == prompts.INSTRUCTIONS
    assert '"label": "Fri 5 - Sun 7 Dec"' in first['input'][0]['content']
    assert '"budget_per_bundle": "60 EUR"' in first['input'][0]['content']
    assert [i.get('type') for i in second['input'][1:]] == ['reasoning', 'function_call', 'function_call_output']
    assert second['input'][1]['encrypted_content'].startswith('gAAAA')
    found = json.loads(outputs_of(second)[0]['output'])
    assert found['count'] == 3  # music events in the window: not the cancelled one, not Monday's
    assert {e['eventId'] for e in found['events']} >= {ids['fri_techno'], ids['sat_house']}
    assert 'url' not in found['events'][0]  # compact: links stay out of the model's context


async def test_progress_usage_and_state_are_recorded_per_turn(fake, ids, context):
    arguments = search_args(genres=['techno', 'house'], neighborhood='Friedrichshain')
    fake.add(
        Reply([reasoning_item(), function_call('search_events', arguments)]),
        Reply([reasoning_item(), good_answer(ids)]),
    )

    await plan(context)

    assert context.reports[:3] == [
        'Asking the AI planner for ideas',
        'Searching techno and house events in Friedrichshain, Fri 5 - Sun 7 Dec',
        'Found 1 event',
    ]
    assert 'Composing your bundles' in context.reports
    assert context.reports[-1] == 'Ready: 3 bundles'
    assert len(context.usage) == 2
    assert set(context.usage[0]) == {'input_tokens', 'output_tokens', 'reasoning_tokens', 'total_tokens'}
    assert context.total('total_tokens') == sum(r['usage']['total_tokens'] for r in fake.replies)
    assert context.total('reasoning_tokens') == 2 * 160
    assert len(context.states) == 1  # saved after the completed tool turn
    state = context.states[0]
    assert state['prompt_version'] == prompts.PROMPT_VERSION and state['turns'] == 1
    assert state['input'] == fake.requests[1]['input']


async def test_parallel_calls_each_get_their_output_in_order(fake, ids, context):
    calls = [
        function_call('search_events', search_args(genres=['techno'])),
        function_call('search_events', search_args(categories=['food'])),
        function_call('get_event', {'event_id': ids['sun_art']}),
    ]
    fake.add(Reply([reasoning_item(), *calls]), Reply([good_answer(ids)]))

    await plan(context)

    outputs = outputs_of(fake.requests[1])
    assert [o['call_id'] for o in outputs] == [c['call_id'] for c in calls]
    assert json.loads(outputs[1]['output'])['events'][0]['title'] == 'Street Food Saturday'
    assert json.loads(outputs[2]['output'])['title'] == 'Sunday Vernissage'
    assert context.reports.count('Found 1 event') == 1 and 'Found 2 events' in context.reports


# --- The turn cap --------------------------------------------------------------------------------


async def test_the_last_allowed_turn_forbids_tools(fake, ids, context, monkeypatch):
    monkeypatch.setattr(settings, 'openai_max_turns', 3)
    fake.add(
        Reply([reasoning_item(), function_call('search_events', search_args(genres=['techno']))]),
        Reply([reasoning_item(), function_call('search_events', search_args(genres=['house']))]),
        Reply([reasoning_item(), good_answer(ids)]),
    )

    bundles = await plan(context)

    assert [body['tool_choice'] for body in fake.requests] == ['auto', 'auto', 'none']
    assert len(bundles) == 3


async def test_a_server_that_ignores_the_cap_is_stopped(fake, ids, context, monkeypatch):
    monkeypatch.setattr(settings, 'openai_max_turns', 2)
    for _ in range(4):
        fake.add(Reply([function_call('search_events', search_args())]))

    with pytest.raises(PlannerError) as failure:
        await plan(context)

    assert failure.value.user_message == errors.TOO_MANY_STEPS
    assert len(fake.requests) == 2 + loop.EXTRA_TURNS
    spent = json.loads(outputs_of(fake.requests[2])[-1]['output'])
    assert spent['error'] == prompts.TOOLS_SPENT_MESSAGE


async def test_the_repair_turn_is_allowed_after_the_last_tool_turn(fake, ids, context, monkeypatch):
    monkeypatch.setattr(settings, 'openai_max_turns', 2)
    fake.add(
        Reply([function_call('search_events', search_args())]),
        Reply([answer(bundle('Broken', 'invented-1', ids['sat_jazz']))]),
        Reply([good_answer(ids)]),
    )

    bundles = await plan(context)

    assert len(bundles) == 3
    assert [body['tool_choice'] for body in fake.requests] == ['auto', 'none', 'none']


# --- Durable turns -------------------------------------------------------------------------------


async def test_a_restart_resumes_from_the_last_saved_turn(fake, ids, context):
    fake.add(
        Reply([reasoning_item(), function_call('search_events', search_args(genres=['techno']))]),
        Reply([reasoning_item(), function_call('search_events', search_args(categories=['food']))]),
        Hang(30),  # the server stops while this turn is under way
    )
    first_run = asyncio.create_task(plan(context))
    while len(fake.requests) < 3:
        await asyncio.sleep(0.02)
    first_run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first_run
    saved = context.states[-1]
    assert saved['turns'] == 2

    fake.add(Reply([reasoning_item(), good_answer(ids)]))
    resumed = RecordingContext()
    bundles = await LLMPlanner().plan(plan_request(saved_state=saved), resumed)

    assert len(bundles) == 3
    assert fake.requests[-1]['input'] == saved['input']  # the saved items open the next request
    assert len(fake.replies) == 3 and fake.restarts == 0  # no earlier turn paid for twice
    assert resumed.reports[0] == 'Resuming the AI planner from step 3'
    assert len(resumed.usage) == 1


async def test_a_saved_state_of_another_prompt_version_starts_over(fake, ids, context):
    stale = {'prompt_version': 'old', 'model': 'fake-reasoner', 'turns': 4, 'input': [{'role': 'user', 'content': 'x'}]}
    fake.add(Reply([good_answer(ids)]))

    await plan(context, saved_state=stale)

    assert len(fake.requests[0]['input']) == 1
    assert 'Plan bundles for this person' in fake.requests[0]['input'][0]['content']
    assert context.reports[0] == 'Asking the AI planner for ideas'


async def test_resumed_turns_count_towards_the_cap(fake, ids, context, monkeypatch):
    monkeypatch.setattr(settings, 'openai_max_turns', 3)
    fake.add(Reply([function_call('search_events', search_args())]))
    fake.add(Reply([function_call('search_events', search_args(genres=['house']))]), HttpError(500))
    with pytest.raises(PlannerError):
        await plan(context)

    fake.add(Reply([good_answer(ids)]))
    await plan(RecordingContext(), saved_state=context.states[-1])

    assert fake.requests[-1]['tool_choice'] == 'none'


# --- Servers without encrypted reasoning ---------------------------------------------------------


async def test_without_encrypted_reasoning_no_include_and_bare_reasoning_is_not_resent(ids, context, monkeypatch):
    with FakeResponsesServer(expect_encrypted_reasoning=False) as server:
        point_openai_at(server, monkeypatch)
        server.add(
            Reply([reasoning_item(), function_call('search_events', search_args())]),
            Reply([reasoning_item(), good_answer(ids)]),
        )

        bundles = await plan(context)

    server.assert_clean()
    assert len(bundles) == 3
    assert all('include' not in body for body in server.requests)
    assert [i.get('type') for i in server.requests[1]['input'][1:]] == ['function_call', 'function_call_output']


# --- The fake itself fails a wrong loop ---------------------------------------------------------


async def test_the_fake_rejects_a_loop_that_drops_reasoning_items(ids, monkeypatch):
    def drop_reasoning(output):
        return [i for i in real(output) if i.get('type') != 'reasoning']

    real = loop.resendable
    monkeypatch.setattr(loop, 'resendable', drop_reasoning)
    with FakeResponsesServer() as server:
        point_openai_at(server, monkeypatch)
        server.add(Reply([reasoning_item(), function_call('search_events', search_args())]))
        with pytest.raises(PlannerError):
            await plan(RecordingContext())

    assert any('not passed back in order' in v for v in server.violations)


async def test_the_fake_rejects_an_unanswered_call(ids, monkeypatch):
    async def answer_only_first(self, calls):
        await real(self, calls[:1])

    real = loop.ToolLoop._answer_calls
    monkeypatch.setattr(loop.ToolLoop, '_answer_calls', answer_only_first)
    with FakeResponsesServer() as server:
        point_openai_at(server, monkeypatch)
        calls = [function_call('get_event', {'event_id': 'a'}), function_call('get_event', {'event_id': 'b'})]
        server.add(Reply(calls))
        with pytest.raises(PlannerError):
            await plan(RecordingContext())

    assert any('has no function_call_output' in v for v in server.violations)
