"""The LLM planner on the planning core (the LLM-Modulo pattern), through the fake Responses server and the real
SDK: the model states its reading of the request with `read_wish` (a strict function schema: structured
output), asks the core for plans with `plan_bundles`, edits one (swaps an event), submits both through the one
validator and writes its own texts; the final plans are grounded and the person sees the model's reading."""

import json

from services.planners.llm import core_tools
from tests.fakes.openai_support import outputs_of, plan
from tests.fakes.responses_steps import Reply, answer, bundle, function_call

READING = {
    'understood': [
        {'kind': 'taste', 'value': 'techno', 'hard': False, 'text': 'form'},
        {'kind': 'taste', 'value': 'underground venues', 'hard': False, 'text': 'underground venues'},
        {'kind': 'money', 'value': 'up to 60 per plan', 'hard': True, 'text': 'form'},
    ],
    'not_understood': [],
}


async def test_the_model_reads_the_wish_plans_on_the_core_edits_and_submits(fake, ids, context):
    fake.add(Reply([function_call('read_wish', READING), function_call('plan_bundles', {'focus': None})]))

    def submit_after_core(body):
        offered = json.loads(next(o for o in outputs_of(body) if '"plans"' in o['output'])['output'])['plans']
        first = [e['event_id'] for e in offered[0]['events']]
        # The model keeps the core's first plan but swaps its first event for the comedy show before it.
        edited = [ids['fri_comedy'], *first[1:]] if ids['fri_comedy'] not in first else first
        stops = [{'event_id': i, 'why': 'Chosen for you.', 'visit_start': None, 'visit_end': None} for i in edited]
        draft = {
            'title': 'Friday Into Saturday',
            'description': 'Laughs, then the night.',
            'tags': [],
            'key_events': stops,
        }
        return Reply([function_call('submit_bundle', draft)])

    fake.policy = lambda body: (
        submit_after_core(body)
        if len(fake.requests) == 2
        else Reply([answer(bundle('Friday Into Saturday', ids['fri_comedy'], ids['fri_techno']))])
    )

    bundles = await plan(context)

    assert context.wish['understood'][1]['value'] == 'underground venues'  # the model's reading, stored
    offered = json.loads(next(o for o in outputs_of(fake.requests[1]) if '"plans"' in o['output'])['output'])
    assert offered['plans'], offered
    for plan_json in offered['plans']:
        assert all(e['event_id'] in ids.values() for e in plan_json['events'])  # grounded in the catalog
    submitted = json.loads(outputs_of(fake.requests[2])[-1]['output'])
    assert submitted['ok'] is True, submitted
    assert [b.title for b in context.bundles] == ['Friday Into Saturday']
    assert bundles and all(k.event_id in ids.values() for b in bundles for k in b.key_events)
    assert 'Read your request: 3 wish items' in context.reports


def test_the_wish_reading_schema_is_the_wish_kinds():
    schema = core_tools.ReadWishArgs.model_json_schema()
    kinds = schema['$defs']['WishItemArgs']['properties']['kind']['enum']
    assert kinds == [
        'interest',
        'taste',
        'place',
        'time_of_day',
        'company',
        'money',
        'language',
        'access',
        'avoid',
        'named',
    ]
