"""Plans that grow and change, in the page: cards as they land, refine controls on each card, the lineage."""

import asyncio
from datetime import timedelta

import pytest
from nicegui.testing import User
from sqlmodel import select

from models.db import session_scope
from models.generation import Bundle, Generation
from services.catalog import queries
from services.database import in_db
from services.generations import service
from services.generations.errors import ParentNotCompleted, RateLimited
from services.planners import grounding
from services.planners.base import PlanContext, PlanRequest
from services.planners.offline import OfflinePlanner
from services.text import isolate
from tests import factories
from tests.fakes.planners import PlannerSwitch, ScriptedPlanner
from tests.ui.conftest import eventually
from tests.ui.test_generation import PREFERENCES, load, start


class GatedPlanner(ScriptedPlanner):
    """Stores one bundle at a time (as the real planners do), waiting for the test between them."""

    def __init__(self) -> None:
        super().__init__()
        self.gates = [asyncio.Event() for _ in range(self.bundle_count)]

    async def plan(self, request: PlanRequest, context: PlanContext) -> list:
        bundles = []
        for number, gate in enumerate(self.gates):
            bundle = await asyncio.to_thread(self.bundle, request, number)
            assert await context.add_bundle(bundle) == []
            bundles.append(bundle)
            await context.report(f'Bundle {number + 1} ready')
            await gate.wait()
        return bundles


async def completed_parent() -> Generation:
    generation_id = await start()
    await eventually(lambda: load(generation_id).status == 'completed')
    return load(generation_id)


def children_of(parent_id: str) -> list[Generation]:
    with session_scope() as session:
        return list(session.exec(select(Generation).where(Generation.parent_id == parent_id)).all())


def first_event(parent: Generation, bundle: int = 0) -> str:
    return parent.bundles[bundle]['keyEvents'][0]['eventId']


async def test_cards_appear_one_by_one_with_progress_below(user: User, planners: PlannerSwitch) -> None:
    planner = planners.use(GatedPlanner())
    generation_id = (await service.start_generation(preferences=PREFERENCES, client_id='browser:test')).id
    await user.open(f'/generations/{generation_id}')
    await user.should_see('1 plan ready so far', marker='ready-count', retries=40)
    await user.should_see('Warehouse Weekend 1')
    await user.should_see('Plan 1')  # no total is promised while planning
    await user.should_not_see('of 3', retries=1)
    await user.should_see('Looking for another plan…', marker='placeholder')
    await user.should_not_see('Warehouse Weekend 2')
    await user.should_see(marker='placeholder')
    await user.should_see(marker='progress-view')  # planning goes on below the cards
    await user.should_not_see(marker='swap')  # a plan still being made cannot be changed yet
    planner.gates[0].set()
    await user.should_see('2 plans ready so far', marker='ready-count', retries=40)
    await user.should_see('Warehouse Weekend 2')
    planner.gates[1].set()
    planner.gates[2].set()
    await user.should_see(marker='bundles', retries=40)
    await user.should_see('3 ways to spend this weekend')
    await user.should_not_see(marker='placeholder')


async def offline_parent(planners: PlannerSwitch) -> Generation:
    """A finished plan of real demo events (the scripted planner's one-event plans leave nothing to swap in), over
    a week: on a Sunday "This weekend" is one winter evening, which can leave a stop nothing to swap in."""
    planners.use(OfflinePlanner())
    for _ in range(100):  # the demo catalog is written by a start-up task
        if await in_db(queries.list_cities):
            break
        await asyncio.sleep(0.05)
    week = PREFERENCES.model_copy(update={'timeframe': 'Next 7 days'})
    generation_id = (await service.start_generation(preferences=week, client_id='browser:test')).id
    await eventually(lambda: load(generation_id).status == 'completed')
    return load(generation_id)


async def test_swap_offers_the_checked_replacements_and_swaps_in_the_one_picked(
    user: User, planners: PlannerSwitch
) -> None:
    parent = await offline_parent(planners)
    swapped = first_event(parent)
    choices = await service.bundle_alternatives(generation_id=parent.id, bundle_index=0, event_id=swapped)
    assert choices, 'the demo city has replacements for a plan of this weekend'
    held = planners.use(ScriptedPlanner(hold=True, event_title='Late Jazz Session'))
    await user.open(f'/generations/{parent.id}')
    user.find(marker=f'swap-0-{swapped}').click()
    await user.should_see('These fit in its place without breaking the plan, best first.')
    for choice in choices:
        await user.should_see(marker=f'swap-choice-{choice.event_id}')
        await user.should_see(choice.title)
    await user.should_see('Let the planner choose')
    user.find(marker=f'swap-choice-{choices[-1].event_id}').click()
    await eventually(lambda: len(children_of(parent.id)) == 1)
    child = children_of(parent.id)[0]
    assert child.refinement['replaceEventId'] == swapped and child.refinement['bundleIndex'] == 0
    assert child.refinement['replacementEventId'] == choices[-1].event_id
    await user.should_see(marker='refine-working')  # the same page: the plan stays while the change is made
    await user.should_see(parent.bundles[1]['title'])
    held.release.set()
    await user.should_see(marker='changed-note', retries=60)  # the changed plan took the card's place
    await user.should_see('Refined from:')
    await user.should_see(marker='undo')
    await user.should_see('Changed')
    assert user.find(marker='undo').elements.pop().props['href'] == f'/generations/{parent.id}?plan=1'


async def test_swap_left_to_the_planner_or_kept(user: User, planners: PlannerSwitch) -> None:
    parent = await offline_parent(planners)
    swapped = first_event(parent)
    planners.use(ScriptedPlanner(hold=True))
    await user.open(f'/generations/{parent.id}')
    user.find(marker=f'swap-0-{swapped}').click()
    await user.should_see(marker='swap-keep')
    user.find(marker='swap-keep').click()  # "Keep it": nothing changes
    await user.should_not_see(marker='swap-keep')
    assert children_of(parent.id) == []
    user.find(marker=f'swap-0-{swapped}').click()
    await user.should_see(marker='swap-any')
    user.find(marker='swap-any').click()
    await eventually(lambda: len(children_of(parent.id)) == 1)
    refinement = children_of(parent.id)[0].refinement
    assert refinement['replaceEventId'] == swapped and 'replacementEventId' not in refinement


async def test_a_refused_change_is_said_on_the_card_which_keeps_the_plan(user: User, planners: PlannerSwitch) -> None:
    parent = await completed_parent()
    planners.use(ScriptedPlanner(error='Nothing cheaper fits your evening.'))
    await user.open(f'/generations/{parent.id}')
    user.find(marker='refine-1-cheaper').click()
    await user.should_see(marker='refine-refused', retries=60)
    await user.should_see('This change could not be made: Nothing cheaper fits your evening. Your plan is unchanged.')
    await user.should_see('Warehouse Weekend 2')  # still the plan it was, on the same page
    await user.should_not_see("We couldn't make this plan", retries=1)
    planners.use(ScriptedPlanner())
    user.find(marker='refine-1-cheaper').click()  # asked again: a new attempt, not the refused one replayed
    await eventually(lambda: len(children_of(parent.id)) == 2)


async def test_quick_changes_and_a_wish_call_the_refinement_service(user: User, planners: PlannerSwitch) -> None:
    parent = await completed_parent()
    held = planners.use(ScriptedPlanner(hold=True))
    await user.open(f'/generations/{parent.id}')
    user.find(marker='refine-1-cheaper').click()
    await eventually(lambda: len(children_of(parent.id)) == 1)
    assert children_of(parent.id)[0].refinement['instruction'] == 'cheaper'
    assert children_of(parent.id)[0].refinement['bundleIndex'] == 1
    await user.should_see(marker='refine-working', retries=40)

    await user.open(f'/generations/{parent.id}')
    await user.should_not_see(marker='change-text-2')  # the wish field opens on demand
    user.find(marker='change-plan-2').click()
    await user.should_see(marker='change-text-2')
    user.find(marker='change-text-2').type('more jazz, nothing after midnight')
    user.find(marker='change-apply-2').click()
    await eventually(lambda: len(children_of(parent.id)) == 2)
    wishes = {c.refinement['instruction'] for c in children_of(parent.id)}
    assert wishes == {'cheaper', 'more jazz, nothing after midnight'}
    await user.should_see(marker='refine-working', retries=40)
    held.release.set()


def free_evening_of_two_stops(planner: ScriptedPlanner, request: PlanRequest) -> list[Bundle]:
    """One plan: two free events an hour apart in one evening, 1.5 km from each other (a ride between them)."""
    start = request.window.start + timedelta(hours=1)
    with session_scope() as session:
        city = queries.get_city(session=session, name=request.city)
        found = []
        for number, lat in enumerate((52.50, 52.5135)):
            venue = factories.add_venue(session, city, name=f'Hall {number}')
            venue.lat, venue.lon = lat, 13.40
            event = factories.add_event(
                session, venue, title=f'Free Night {number}', starts_at=start + timedelta(hours=2 * number), hours=1,
                tags=['house'], price=(0, 0),
            )  # fmt: skip
            found.append(queries.get_event(session=session, event_id=event.id))
    stops = [grounding.key_event_from(event, 'House, free.') for event in found]
    cost = grounding.estimate_cost(found)
    return [Bundle(title='Free Evening', description='Two free nights.', key_events=stops, estimated_cost=cost)]


async def test_quick_changes_are_offered_where_they_mean_something(user: User, planners: PlannerSwitch) -> None:
    """No "Cheaper" for a free plan; no "Closer together" for a plan without a way between two stops of one outing."""
    parent = await completed_parent()  # one priced stop per plan
    await user.open(f'/generations/{parent.id}')
    await user.should_see(marker='refine-0-cheaper')
    await user.should_not_see(marker='refine-0-closer-together', retries=1)
    planners.use(ScriptedPlanner(make_bundles=free_evening_of_two_stops))
    free = await completed_parent()
    assert free.bundles[0]['keyEvents'][1]['travelFromPrevious']['mode'] == 'transit'
    await user.open(f'/generations/{free.id}')
    await user.should_see(marker='refine-0-closer-together')
    await user.should_not_see(marker='refine-0-cheaper', retries=1)


async def test_an_empty_wish_is_not_sent(user: User) -> None:
    parent = await completed_parent()
    await user.open(f'/generations/{parent.id}')
    user.find(marker='change-plan-0').click()
    user.find(marker='change-apply-0').click()
    await user.should_see('Say what should change first.')
    assert children_of(parent.id) == []


@pytest.mark.parametrize(
    ('error', 'shown'),
    [
        (RateLimited(600), 'Too many plans started from here; try again in 10 minutes.'),
        (ParentNotCompleted('processing'), 'only a completed plan can be changed'),
    ],
)
async def test_a_refused_refinement_is_a_notification(user: User, monkeypatch, error, shown: str) -> None:
    parent = await completed_parent()

    async def refuse(**_kwargs) -> Generation:
        raise error

    monkeypatch.setattr(service, 'refine_generation', refuse)
    await user.open(f'/generations/{parent.id}')
    user.find(marker='refine-0-cheaper').click()
    await user.should_see(shown)
    await user.should_see(marker='bundles')  # still on the plan, controls usable again
    assert children_of(parent.id) == []


async def test_history_shows_the_lineage(user: User, planners: PlannerSwitch) -> None:
    parent = await completed_parent()
    held = planners.use(ScriptedPlanner(hold=True))
    await user.open(f'/generations/{parent.id}')
    user.find(marker='refine-0-cheaper').click()
    await eventually(lambda: len(children_of(parent.id)) == 1)
    await user.open('/history')
    await user.should_see(marker='history-lineage')
    await user.should_see(f'Refined from “{isolate("Warehouse Weekend 1")}” · plan 1 made cheaper')
    held.release.set()
