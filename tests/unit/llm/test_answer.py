"""The LLM planner's final answer: one repair turn then drop for ungrounded events, one retry for bad JSON."""

import pytest

from services.planners.base import PlannerError
from services.planners.llm import errors
from tests.fakes.openai_support import (
    good_answer,
    plan,
    user_messages,
)
from tests.fakes.responses_steps import (
    Malformed,
    Reply,
    answer,
    bundle,
    message,
    reasoning_item,
)

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

    assert failure.value.user_message == errors.NOTHING_VALID


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

    assert failure.value.user_message == errors.UNREADABLE


async def test_an_answer_in_a_markdown_fence_is_accepted(fake, ids, context):
    text = good_answer(ids)['content'][0]['text']
    fake.add(Reply([message(f'```json\n{text}\n```')]))

    assert len(await plan(context)) == 3


async def test_a_malformed_response_body_is_a_readable_failure(fake, ids, context):
    fake.add(Malformed())

    with pytest.raises(PlannerError) as failure:
        await plan(context)

    assert failure.value.user_message == errors.SERVICE_ERROR
