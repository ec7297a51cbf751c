"""The LLM planner when the AI service fails: response statuses, HTTP errors, retries, timeouts."""

import time

import pytest

from services import metrics
from services.planners.base import PlannerError
from services.planners.llm import errors
from settings import settings
from tests.fakes.openai_support import (
    good_answer,
    plan,
    point_openai_at,
    user_messages,
)
from tests.fakes.responses_server import FakeResponsesServer
from tests.fakes.responses_steps import (
    Hang,
    HttpError,
    Reply,
    message,
    reasoning_item,
    refusal,
)

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

    assert failure.value.user_message == errors.OUT_OF_ROOM
    assert fake.requests[0]['input'] == fake.requests[1]['input']  # the retry resends the same turn


async def test_an_incomplete_turn_cut_by_the_content_filter_is_refused(fake, ids, context):
    fake.add(Reply([], status='incomplete', incomplete_reason='content_filter'))

    with pytest.raises(PlannerError) as failure:
        await plan(context)

    assert failure.value.user_message == errors.REFUSED


@pytest.mark.parametrize('status', ['failed', 'cancelled'])
async def test_a_failed_or_cancelled_response_fails(fake, ids, context, status):
    fake.add(Reply([], status=status))

    with pytest.raises(PlannerError) as failure:
        await plan(context)

    assert failure.value.user_message == errors.SERVICE_ERROR


async def test_a_refusal_is_reported_as_refused(fake, ids, context):
    fake.add(Reply([refusal()]))

    with pytest.raises(PlannerError) as failure:
        await plan(context)

    assert failure.value.user_message == errors.REFUSED


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

    assert failure.value.user_message == errors.BUSY
    assert len(fake.requests) == 2
    assert metrics.llm_errors.labels(kind='rate_limit')._value.get() == counted + 1


async def test_a_persistent_server_error_says_unavailable(fake, ids, context, monkeypatch):
    monkeypatch.setattr(settings, 'openai_max_retries', 2)
    fake.add(HttpError(500), HttpError(502), HttpError(503))

    with pytest.raises(PlannerError) as failure:
        await plan(context)

    assert failure.value.user_message == errors.UNAVAILABLE
    assert len(fake.requests) == 3  # the first try and two retries


@pytest.mark.parametrize('status', [401, 403])
async def test_a_refused_key_is_a_setup_problem_and_the_key_is_never_logged(fake, ids, context, status, caplog):
    fake.add(HttpError(status, 'Incorrect API key provided'))

    with pytest.raises(PlannerError) as failure:
        await plan(context)

    assert failure.value.user_message == errors.SETUP
    assert 'test-key' not in caplog.text and 'test-key' not in failure.value.user_message


async def test_a_bad_request_is_reported_as_refused(fake, ids, context):
    fake.add(HttpError(400, 'Invalid prompt: flagged', 'invalid_prompt'))

    with pytest.raises(PlannerError) as failure:
        await plan(context)

    assert failure.value.user_message == errors.REFUSED


async def test_a_hanging_response_times_out(fake, ids, context, monkeypatch):
    monkeypatch.setattr(settings, 'openai_timeout_s', 0.5)
    fake.add(Hang(30))
    started = time.monotonic()

    with pytest.raises(PlannerError) as failure:
        await plan(context)

    assert failure.value.user_message == errors.TIMED_OUT
    assert time.monotonic() - started < 5


async def test_no_server_listening_says_unavailable(ids, context, monkeypatch):
    server = FakeResponsesServer()  # never started: nothing listens on its port
    point_openai_at(server, monkeypatch)
    server.stop()

    with pytest.raises(PlannerError) as failure:
        await plan(context)

    assert failure.value.user_message == errors.UNAVAILABLE


async def test_no_api_key_is_a_setup_problem(ids, context, monkeypatch):
    monkeypatch.setattr(settings, 'openai_api_key', None)
    monkeypatch.delenv('OPENAI_API_KEY', raising=False)

    with pytest.raises(PlannerError) as failure:
        await plan(context)

    assert failure.value.user_message == errors.SETUP
