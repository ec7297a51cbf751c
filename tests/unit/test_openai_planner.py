"""The OpenAI planner against a fake Responses server, through the real openai SDK."""

import asyncio
import json
import time
from collections.abc import Iterator

import pytest

from services import metrics
from services.planners import openai as planner_module
from services.planners import prompts
from services.planners.base import PlannerError
from services.planners.openai import OpenAIPlanner
from settings import settings
from tests.fakes.openai_support import (
    RecordingContext,
    build_catalog,
    outputs_of,
    plan_request,
    point_openai_at,
    user_messages,
)
from tests.fakes.responses_server import (
    FakeResponsesServer,
    Hang,
    HttpError,
    Malformed,
    Reply,
    answer,
    bundle,
    function_call,
    message,
    reasoning_item,
    refusal,
    search_args,
)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeResponsesServer]:
    with FakeResponsesServer() as server:
        point_openai_at(server, monkeypatch)
        yield server
    server.assert_clean()


@pytest.fixture
def ids() -> dict[str, str]:
    return build_catalog()


@pytest.fixture
def context() -> RecordingContext:
    return RecordingContext()


async def plan(context: RecordingContext, **request_options) -> list:
    return await OpenAIPlanner().plan(plan_request(**request_options), context)


def good_answer(ids: dict[str, str]) -> dict:
    return answer(
        bundle('Techno Weekend', ids['fri_techno'], ids['sat_house'], tags=['Techno', 'late']),
        bundle('Taste and Jazz', ids['sat_food'], ids['sat_jazz']),
        bundle('Laughs and Art', ids['fri_comedy'], ids['sun_art']),
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
        assert {t['name'] for t in body['tools']} == {'search_events', 'get_event', 'check_bundle'}
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


# --- Grounding: one repair turn, then drop ------------------------------------------------------


async def test_unknown_and_out_of_window_events_get_one_repair_turn(fake, ids, context):
    broken = answer(
        bundle('Techno Weekend', ids['fri_techno'], 'invented-event', ids['mon_outside']),
        bundle('Taste and Jazz', ids['sat_food'], ids['sat_jazz']),
    )
    fake.add(Reply([reasoning_item(), broken]), Reply([reasoning_item(), good_answer(ids)]))

    bundles = await plan(context)

    repair = user_messages(fake.requests[1])[-1]
    assert '- Bundle 1 "Techno Weekend": event \'invented-event\' is not in the catalog' in repair
    assert '"Monday Techno"' in repair and 'outside the time window' in repair
    assert fake.requests[1]['input'][-2]['type'] == 'message'  # the broken answer is kept before the repair
    assert len(bundles) == 3
    assert 'needs at least 2 valid events' in repair
    assert 'Asking the AI planner to fix 3 problems' in context.reports


async def test_what_is_still_invalid_after_the_repair_is_dropped(fake, ids, context):
    still_broken = answer(
        bundle('Techno Weekend', ids['fri_techno'], 'invented-event', ids['sat_house'], ids['mon_outside']),
        bundle('Jazz and House', ids['sat_food'], ids['sat_jazz'], ids['sat_house']),  # house: used, overlaps
        bundle('Gala', ids['sun_art'], ids['sun_gala']),  # over the budget of 60
        bundle('Cancelled', ids['fri_comedy'], ids['sat_cancelled']),  # one valid event left
    )
    fake.add(Reply([still_broken]), Reply([still_broken]))

    bundles = await plan(context)

    assert [b.title for b in bundles] == ['Techno Weekend', 'Jazz and House']
    assert [e.event_id for e in bundles[0].key_events] == [ids['fri_techno'], ids['sat_house']]
    assert [e.event_id for e in bundles[1].key_events] == [ids['sat_food'], ids['sat_jazz']]
    assert len(fake.requests) == 2  # exactly one repair turn
    assert any(r.startswith('Left out') for r in context.reports)


async def test_no_valid_bundle_left_is_a_clear_failure(fake, ids, context):
    hopeless = answer(bundle('Nothing real', 'invented-1', 'invented-2'))
    fake.add(Reply([hopeless]), Reply([hopeless]))

    with pytest.raises(PlannerError) as failure:
        await plan(context)

    assert failure.value.user_message == planner_module.NOTHING_VALID


async def test_bundles_over_budget_pass_when_there_is_no_budget(fake, ids, context):
    fake.add(Reply([answer(bundle('Gala', ids['sun_art'], ids['sun_gala']))]))

    bundles = await plan(context, budget=None)

    assert bundles[0].estimated_cost.min == 95


# --- Malformed answers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ('text', 'problem'),
    [
        ('{"bundles": [{"title": "Techno", "description": "a', 'the JSON was cut off'),
        ('Here are your bundles: techno!', 'invalid JSON'),
        ('{"plans": []}', 'bundles: Field required'),
    ],
)
async def test_an_unreadable_answer_gets_one_retry(fake, ids, context, text, problem):
    fake.add(Reply([reasoning_item(), message(text)]), Reply([reasoning_item(), good_answer(ids)]))

    bundles = await plan(context)

    assert len(bundles) == 3
    retry = user_messages(fake.requests[1])[-1]
    assert problem in retry


async def test_two_unreadable_answers_fail(fake, ids, context):
    fake.add(Reply([message('{"bundles": [')]), Reply([message('{"bundles": [')]))

    with pytest.raises(PlannerError) as failure:
        await plan(context)

    assert failure.value.user_message == planner_module.UNREADABLE


async def test_an_answer_in_a_markdown_fence_is_accepted(fake, ids, context):
    text = good_answer(ids)['content'][0]['text']
    fake.add(Reply([message(f'```json\n{text}\n```')]))

    assert len(await plan(context)) == 3


async def test_a_malformed_response_body_is_a_readable_failure(fake, ids, context):
    fake.add(Malformed())

    with pytest.raises(PlannerError) as failure:
        await plan(context)

    assert failure.value.user_message == planner_module.SERVICE_ERROR


# --- Response status -----------------------------------------------------------------------------


async def test_an_incomplete_cut_off_answer_is_asked_for_again(fake, ids, context):
    cut = message('{"bundles": [{"title": "Tech')
    fake.add(
        Reply([reasoning_item(), cut], status='incomplete', incomplete_reason='max_output_tokens'),
        Reply([reasoning_item(), good_answer(ids)]),
    )

    bundles = await plan(context)

    assert len(bundles) == 3
    assert 'the JSON was cut off' in user_messages(fake.requests[1])[-1]


async def test_an_incomplete_turn_without_output_is_retried_once_then_fails(fake, ids, context):
    empty = Reply([reasoning_item()], status='incomplete', incomplete_reason='max_output_tokens')
    fake.add(empty, empty)

    with pytest.raises(PlannerError) as failure:
        await plan(context)

    assert failure.value.user_message == planner_module.OUT_OF_ROOM
    assert fake.requests[0]['input'] == fake.requests[1]['input']  # the retry resends the same turn


async def test_an_incomplete_turn_cut_by_the_content_filter_is_refused(fake, ids, context):
    fake.add(Reply([], status='incomplete', incomplete_reason='content_filter'))

    with pytest.raises(PlannerError) as failure:
        await plan(context)

    assert failure.value.user_message == planner_module.REFUSED


@pytest.mark.parametrize('status', ['failed', 'cancelled'])
async def test_a_failed_or_cancelled_response_fails(fake, ids, context, status):
    fake.add(Reply([], status=status))

    with pytest.raises(PlannerError) as failure:
        await plan(context)

    assert failure.value.user_message == planner_module.SERVICE_ERROR


async def test_a_refusal_is_reported_as_refused(fake, ids, context):
    fake.add(Reply([refusal()]))

    with pytest.raises(PlannerError) as failure:
        await plan(context)

    assert failure.value.user_message == planner_module.REFUSED


# --- Transport errors, retries and timeouts ------------------------------------------------------


async def test_a_rate_limit_is_retried_then_succeeds(fake, ids, context, monkeypatch):
    monkeypatch.setattr(settings, 'openai_max_retries', 2)
    fake.add(HttpError(429, 'slow down', 'rate_limit_exceeded'), Reply([good_answer(ids)]))

    bundles = await plan(context)

    assert len(bundles) == 3
    assert len(fake.requests) == 2 and fake.requests[0] == fake.requests[1]


async def test_a_lasting_rate_limit_says_busy(fake, ids, context, monkeypatch):
    monkeypatch.setattr(settings, 'openai_max_retries', 1)
    fake.add(HttpError(429), HttpError(429))
    counted = metrics.llm_errors.labels(kind='rate_limit')._value.get()

    with pytest.raises(PlannerError) as failure:
        await plan(context)

    assert failure.value.user_message == planner_module.BUSY
    assert len(fake.requests) == 2
    assert metrics.llm_errors.labels(kind='rate_limit')._value.get() == counted + 1


async def test_a_persistent_server_error_says_unavailable(fake, ids, context, monkeypatch):
    monkeypatch.setattr(settings, 'openai_max_retries', 2)
    fake.add(HttpError(500), HttpError(502), HttpError(503))

    with pytest.raises(PlannerError) as failure:
        await plan(context)

    assert failure.value.user_message == planner_module.UNAVAILABLE
    assert len(fake.requests) == 3  # the first try and two retries


@pytest.mark.parametrize('status', [401, 403])
async def test_a_refused_key_is_a_setup_problem_and_the_key_is_never_logged(fake, ids, context, status, caplog):
    fake.add(HttpError(status, 'Incorrect API key provided'))

    with pytest.raises(PlannerError) as failure:
        await plan(context)

    assert failure.value.user_message == planner_module.SETUP
    assert 'test-key' not in caplog.text and 'test-key' not in failure.value.user_message


async def test_a_bad_request_is_reported_as_refused(fake, ids, context):
    fake.add(HttpError(400, 'Invalid prompt: flagged', 'invalid_prompt'))

    with pytest.raises(PlannerError) as failure:
        await plan(context)

    assert failure.value.user_message == planner_module.REFUSED


async def test_a_hanging_response_times_out(fake, ids, context, monkeypatch):
    monkeypatch.setattr(settings, 'openai_timeout_s', 0.5)
    fake.add(Hang(30))
    started = time.monotonic()

    with pytest.raises(PlannerError) as failure:
        await plan(context)

    assert failure.value.user_message == planner_module.TIMED_OUT
    assert time.monotonic() - started < 5


async def test_no_server_listening_says_unavailable(ids, context, monkeypatch):
    server = FakeResponsesServer()  # never started: nothing listens on its port
    point_openai_at(server, monkeypatch)
    server.stop()

    with pytest.raises(PlannerError) as failure:
        await plan(context)

    assert failure.value.user_message == planner_module.UNAVAILABLE


async def test_no_api_key_is_a_setup_problem(ids, context, monkeypatch):
    monkeypatch.setattr(settings, 'openai_api_key', None)
    monkeypatch.delenv('OPENAI_API_KEY', raising=False)

    with pytest.raises(PlannerError) as failure:
        await plan(context)

    assert failure.value.user_message == planner_module.SETUP


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

    assert failure.value.user_message == planner_module.TOO_MANY_STEPS
    assert len(fake.requests) == 2 + planner_module.EXTRA_TURNS
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
    bundles = await OpenAIPlanner().plan(plan_request(saved_state=saved), resumed)

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

    real = planner_module._resendable
    monkeypatch.setattr(planner_module, '_resendable', drop_reasoning)
    with FakeResponsesServer() as server:
        point_openai_at(server, monkeypatch)
        server.add(Reply([reasoning_item(), function_call('search_events', search_args())]))
        with pytest.raises(PlannerError):
            await plan(RecordingContext())

    assert any('not passed back in order' in v for v in server.violations)


async def test_the_fake_rejects_an_unanswered_call(ids, monkeypatch):
    async def answer_only_first(self, calls):
        await real(self, calls[:1])

    real = planner_module._Run._answer_calls
    monkeypatch.setattr(planner_module._Run, '_answer_calls', answer_only_first)
    with FakeResponsesServer() as server:
        point_openai_at(server, monkeypatch)
        calls = [function_call('get_event', {'event_id': 'a'}), function_call('get_event', {'event_id': 'b'})]
        server.add(Reply(calls))
        with pytest.raises(PlannerError):
            await plan(RecordingContext())

    assert any('has no function_call_output' in v for v in server.violations)
