"""Plans that grow and change, through the real app: bundles shown as they land, refinements, owner tokens."""

import asyncio
import time
import uuid

import httpx
import pytest
from nicegui.testing import User

from models.db import session_scope
from models.generation import Bundle, Generation, KeyEvent, Preferences, TimeWindow
from services.catalog import queries
from services.database import in_db
from services.planners.grounding import check_bundles, with_events
from services.planners.offline import OfflinePlanner
from settings import settings
from tests.fakes.planners import PlannerSwitch, ScriptedPlanner
from tests.fakes.requests import seed_body

BODY = seed_body(timeframe='Next 7 days')


@pytest.fixture
async def api(user: User, planners: PlannerSwitch) -> httpx.AsyncClient:
    planners.use(OfflinePlanner())
    for _ in range(100):  # the demo catalog is written by a start-up task
        if await in_db(queries.list_cities):
            break
        await asyncio.sleep(0.05)
    return user.http_client


async def poll(api: httpx.AsyncClient, generation_id: str, *statuses: str, timeout: float = 15) -> dict:
    async with asyncio.timeout(timeout):
        while (body := (await api.get(f'/api/generations/{generation_id}')).json())['status'] not in statuses:
            await asyncio.sleep(0.02)
    return body


async def completed_plan(api: httpx.AsyncClient, body: dict = BODY) -> dict:
    created = await api.post('/api/generations', json=body)
    assert created.status_code == 200, created.text
    body = await poll(api, created.json()['generationId'], 'completed', 'failed')
    assert body['status'] == 'completed', body['error']
    assert len(body['bundles']) >= 2
    return body


async def refine(api: httpx.AsyncClient, generation_id: str, **change) -> httpx.Response:
    return await api.post(f'/api/generations/{generation_id}/refinements', json=change)


def violations(body: dict) -> list:
    bundles = [Bundle.model_validate(b) for b in body['bundles']]
    window = TimeWindow.model_validate(body['window'])
    budget = Preferences.model_validate(body['preferences']).budget
    with session_scope() as session:
        return check_bundles(session=session, bundles=bundles, window=window, budget=budget)


async def test_bundles_appear_one_by_one_while_processing(api, monkeypatch) -> None:
    monkeypatch.setattr(settings, 'offline_step_delay_s', 0.3)
    generation_id = (await api.post('/api/generations', json=BODY)).json()['generationId']
    seen: list[tuple[str, int]] = []
    async with asyncio.timeout(20):
        while True:
            body = (await api.get(f'/api/generations/{generation_id}')).json()
            state = (body['status'], len(body['bundles'] or []))
            if not seen or seen[-1] != state:
                seen.append(state)
            if body['status'] not in ('pending', 'processing'):
                break
            await asyncio.sleep(0.03)
    assert ('processing', 1) in seen and ('processing', 2) in seen, seen
    assert seen.index(('processing', 1)) < seen.index(('processing', 2))
    assert seen[-1] == ('completed', 3), seen
    assert not violations(body)


def travel_minutes(bundle: dict) -> int:
    return sum(e['travelFromPrevious']['minutes'] for e in bundle['keyEvents'] if e['travelFromPrevious'])


def bundle_ids(bundle: dict) -> set[str]:
    return {e['eventId'] for e in bundle['keyEvents']}


async def test_swap_keeps_the_other_events_and_bundles(api) -> None:
    parent = await completed_plan(api)
    bundle = parent['bundles'][0]
    swapped = bundle['keyEvents'][0]['eventId']
    created = await refine(api, parent['generationId'], bundleIndex=0, replaceEventId=swapped)
    assert created.status_code == 200, created.text
    assert created.json()['ownerToken'] and created.json()['generationId'] != parent['generationId']
    body = await poll(api, created.json()['generationId'], 'completed', 'failed')
    assert body['status'] == 'completed', body['error']
    assert body['parentId'] == parent['generationId']
    assert body['refinement'] == {
        'bundleIndex': 0,
        'instruction': '',
        'replaceEventId': swapped,
        'replacementEventId': None,
    }
    assert body['bundles'][1:] == parent['bundles'][1:]
    new_ids = [e['eventId'] for e in body['bundles'][0]['keyEvents']]
    assert swapped not in new_ids
    assert set(new_ids) >= {e['eventId'] for e in bundle['keyEvents'][1:]}
    assert len(new_ids) == len(bundle['keyEvents'])
    assert not violations(body)
    # The story is told anew: it names the new event and no longer tells of the one swapped out
    # (except in the closing note saying what was swapped).
    old_title = bundle['keyEvents'][0]['title']
    new = next(e for e in body['bundles'][0]['keyEvents'] if e['eventId'] not in bundle_ids(bundle))
    story, _, note = body['bundles'][0]['description'].partition('Swapped ')
    # A stop in the middle of the story is told by its venue ("on Friday, on to ..."), the first and last by title.
    assert (new['title'] in story or new['venue'] in story) and old_title not in story
    assert old_title in note and new['title'] in note


@pytest.mark.parametrize('instruction', ['cheaper', 'closer together', 'earlier', 'later', 'more jazz please'])
async def test_instructions_improve_the_bundle_or_say_why_not(api, instruction: str) -> None:
    index = 1
    if instruction == 'closer together':  # of a plan with a way between two stops of one outing (the card's button)
        parent = await completed_plan(api, seed_body(interests=['music', 'food', 'art'], timeframe='Tomorrow'))
        index = max(range(len(parent['bundles'])), key=lambda i: travel_minutes(parent['bundles'][i]))
        assert travel_minutes(parent['bundles'][index]) > 0, 'a day of three interests has a plan with a ride'
    else:
        parent = await completed_plan(api)
    created = await refine(api, parent['generationId'], bundleIndex=index, instruction=instruction)
    body = await poll(api, created.json()['generationId'], 'completed', 'failed')
    # The demo catalog always has a cheaper option; a nearer one, not on every day (tests/unit/test_refine_taste.py
    # shows a nearer stop taken on a small catalog).
    if instruction == 'cheaper':
        assert body['status'] == 'completed', body['error']
    if body['status'] == 'failed':
        assert body['error'] and ('cannot' in body['error'] or 'No ' in body['error'] or 'Nothing' in body['error'])
        return
    others = [b for i, b in enumerate(parent['bundles']) if i != index]
    assert [b for i, b in enumerate(body['bundles']) if i != index] == others
    assert body['bundles'][index] != parent['bundles'][index]
    assert not violations(body)
    if instruction == 'cheaper':
        before, after = parent['bundles'][1]['estimatedCost'], body['bundles'][1]['estimatedCost']
        assert after['min'] < before['min']
        assert 'cheaper' in body['bundles'][1]['description']


async def test_cheaper_fails_with_a_reason_when_nothing_is_cheaper(api, planners) -> None:
    planners.use(ScriptedPlanner(bundle_count=2))  # one-event bundles of events only this test has
    created = (await api.post('/api/generations', json=BODY)).json()
    await poll(api, created['generationId'], 'completed')
    planners.use(OfflinePlanner())
    refined = (await refine(api, created['generationId'], bundleIndex=0, instruction='cheaper')).json()
    body = await poll(api, refined['generationId'], 'completed', 'failed')
    assert body['status'] == 'failed'
    assert 'cannot be made cheaper' in body['error']


async def test_refinement_refusals(api, planners) -> None:
    parent = await completed_plan(api)
    pid = parent['generationId']
    unknown = await refine(api, str(uuid.uuid4()), bundleIndex=0, instruction='cheaper')
    assert unknown.status_code == 404
    bad_index = await refine(api, pid, bundleIndex=len(parent['bundles']), instruction='cheaper')
    assert bad_index.status_code == 422 and bad_index.json()['field'] == 'bundleIndex'
    other_event = parent['bundles'][1]['keyEvents'][0]['eventId']
    not_in_bundle = await refine(api, pid, bundleIndex=0, replaceEventId=other_event)
    assert not_in_bundle.status_code == 422 and not_in_bundle.json()['field'] == 'replaceEventId'
    assert (await refine(api, pid, bundleIndex=0)).status_code == 422  # nothing to do
    assert (await refine(api, pid, bundleIndex=0, instruction='x' * 301)).status_code == 422
    held = planners.use(ScriptedPlanner(hold=True))
    running = (await api.post('/api/generations', json=BODY)).json()['generationId']
    conflict = await refine(api, running, bundleIndex=0, instruction='cheaper')
    assert conflict.status_code == 409
    held.release.set()


async def test_refinement_is_idempotent(api) -> None:
    parent = await completed_plan(api)
    headers = {'Idempotency-Key': 'refine-1'}
    change = {'bundleIndex': 0, 'instruction': 'later'}
    url = f'/api/generations/{parent["generationId"]}/refinements'
    first = (await api.post(url, json=change, headers=headers)).json()
    second = (await api.post(url, json=change, headers=headers)).json()
    assert (first['generationId'], first['ownerToken']) == (second['generationId'], second['ownerToken'])
    other = await api.post(url, json={**change, 'instruction': 'earlier'}, headers=headers)
    assert other.status_code == 422


async def test_a_running_refinement_shows_the_kept_bundles(api, planners) -> None:
    parent = await completed_plan(api)
    held = planners.use(ScriptedPlanner(hold=True))
    created = (await refine(api, parent['generationId'], bundleIndex=1, instruction='cheaper')).json()
    body = (await api.get(f'/api/generations/{created["generationId"]}')).json()
    assert body['status'] in ('pending', 'processing')
    assert body['bundles'] == [b for i, b in enumerate(parent['bundles']) if i != 1]  # each already valid
    held.release.set()
    await poll(api, created['generationId'], 'completed', 'failed')


async def test_a_refinement_runs_with_the_parents_planner(api, planners, monkeypatch) -> None:
    parent = await completed_plan(api)
    with session_scope() as session:  # as if the parent was made before the server switched planners
        row = session.get(Generation, parent['generationId'])
        row.planner = 'openai'
        session.add(row)
        session.commit()
    monkeypatch.setattr(settings, 'planner', 'offline')
    held = planners.use(ScriptedPlanner(hold=True))
    created = (await refine(api, parent['generationId'], bundleIndex=0, instruction='later')).json()
    assert (await api.get(f'/api/generations/{created["generationId"]}')).json()['planner'] == 'openai'
    held.release.set()
    await poll(api, created['generationId'], 'completed', 'failed')


async def test_alternatives_offer_the_best_valid_replacements(api) -> None:
    """Issue 20: up to three replacements, best first, each keeping every rule with the rest of the plan."""
    parent = await completed_plan(api)
    bundle = parent['bundles'][0]
    first = bundle['keyEvents'][0]['eventId']
    url = f'/api/generations/{parent["generationId"]}/bundles/0/alternatives'
    started = time.perf_counter()
    response = await api.get(url, params={'eventId': first})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    alternatives = response.json()['alternatives']
    assert 1 <= len(alternatives) <= 3, alternatives
    used = {e['eventId'] for b in parent['bundles'] for e in b['keyEvents']}
    for alternative in alternatives:
        assert alternative['eventId'] not in used and alternative['why']
        old = Bundle.model_validate(bundle)
        stops = sorted([KeyEvent.model_validate(alternative), *old.key_events[1:]], key=lambda k: k.attended_from)
        swapped = with_events(old, stops).model_dump(mode='json', by_alias=True)
        assert not violations({**parent, 'bundles': [swapped, *parent['bundles'][1:]]}), alternative['title']
    assert elapsed < 5  # a generous ceiling for a loaded test machine; bench/ measures the real figure


async def test_alternatives_refuse_what_a_refinement_refuses(api) -> None:
    parent = await completed_plan(api)
    base = f'/api/generations/{parent["generationId"]}/bundles'
    unknown = await api.get('/api/generations/00000000-0000-4000-8000-000000000000/bundles/0/alternatives?eventId=x')
    assert unknown.status_code == 404
    assert (await api.get(f'{base}/9/alternatives', params={'eventId': 'x'})).status_code == 422
    assert (await api.get(f'{base}/0/alternatives', params={'eventId': 'not-in-it'})).status_code == 422
    assert (await api.get(f'{base}/0/alternatives')).status_code == 422  # eventId is required


async def test_a_picked_replacement_is_swapped_in_as_chosen(api) -> None:
    """The person picks one of the alternatives: exactly that event takes the old one's place, the rest stays."""
    parent = await completed_plan(api)
    old = parent['bundles'][0]['keyEvents'][0]
    url = f'/api/generations/{parent["generationId"]}/bundles/0/alternatives'
    picked = (await api.get(url, params={'eventId': old['eventId']})).json()['alternatives'][-1]
    created = await refine(
        api, parent['generationId'], bundleIndex=0, replaceEventId=old['eventId'], replacementEventId=picked['eventId']
    )
    assert created.status_code == 200, created.text
    child = await poll(api, created.json()['generationId'], 'completed', 'failed')
    assert child['status'] == 'completed', child['error']
    assert child['refinement']['replacementEventId'] == picked['eventId']
    before = [e['eventId'] for e in parent['bundles'][0]['keyEvents']]
    after = [e['eventId'] for e in child['bundles'][0]['keyEvents']]
    assert sorted(after) == sorted([picked['eventId'], *before[1:]])
    assert child['bundles'][1:] == parent['bundles'][1:]
    [swapped_in] = [e for e in child['bundles'][0]['keyEvents'] if e['eventId'] == picked['eventId']]
    assert swapped_in['why'].startswith('You chose it in place of')
    assert not violations(child)


async def test_a_replacement_must_be_a_catalog_event_taking_a_named_place(api) -> None:
    parent = await completed_plan(api)
    old = parent['bundles'][0]['keyEvents'][0]['eventId']
    unknown = await refine(api, parent['generationId'], bundleIndex=0, replaceEventId=old, replacementEventId='nope')
    assert unknown.status_code == 422 and 'replacementEventId' in unknown.text
    alone = await refine(api, parent['generationId'], bundleIndex=0, replacementEventId=old, instruction='cheaper')
    assert alone.status_code == 422


async def test_a_picked_replacement_that_no_longer_fits_fails_saying_so(api) -> None:
    """An event of another bundle cannot be swapped in (one event once per answer): the plan says why."""
    parent = await completed_plan(api)
    old = parent['bundles'][0]['keyEvents'][0]
    taken = parent['bundles'][1]['keyEvents'][0]
    created = await refine(
        api, parent['generationId'], bundleIndex=0, replaceEventId=old['eventId'], replacementEventId=taken['eventId']
    )
    child = await poll(api, created.json()['generationId'], 'completed', 'failed')
    assert child['status'] == 'failed'
    assert old['title'] in child['error'] and 'pick another one' in child['error']
