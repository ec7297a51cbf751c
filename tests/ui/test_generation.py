"""The generation page: current state at once, progress while running, cards when done, failure and retry."""

import asyncio
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from nicegui import ui
from nicegui.testing import User
from sqlmodel import select

from models.db import session_scope
from models.generation import Generation, Preferences
from pages.components import remember_generation
from services import clock, metrics
from services.generations import service, store
from tests.fakes.planners import PlannerSwitch, ScriptedPlanner
from tests.ui.conftest import eventually

PREFERENCES = Preferences(interests=['music', 'nightlife'], timeframe='This weekend', music_profile='House')


async def start(client: str = 'browser:test') -> str:
    row = await service.start_generation(preferences=PREFERENCES, client_id=client)
    return row.id


def load(generation_id: str) -> Generation:
    with session_scope() as session:
        return session.get(Generation, generation_id)


def count_generations() -> int:
    with session_scope() as session:
        return len(session.exec(select(Generation)).all())


def current_path(user: User) -> str:
    return user.back_history[-1] if user.back_history else ''


async def test_running_generation_shows_progress_then_cards_without_refresh(
    user: User, planners: PlannerSwitch
) -> None:
    release = asyncio.Event()
    planners.use(ScriptedPlanner(steps=('Searched 38 events: techno, Sat 28 - Sun 29 Nov',), release=release))
    generation_id = await start()
    await eventually(lambda: load(generation_id).progress != [])

    await user.open(f'/generations/{generation_id}')
    await user.should_see('Planning your bundles')
    await user.should_see('Searched 38 events: techno, Sat 28 - Sun 29 Nov')  # read at once, before any tick
    await user.should_see(marker='elapsed')
    await user.should_see('You can close this page', retries=1)
    await user.should_not_see(marker='bundles')

    seen_finished = metrics.polls_per_generation._sum.get(), metrics.polls._value.get()
    release.set()
    await user.should_see(marker='bundles', retries=40)
    assert metrics.polls._value.get() > seen_finished[1]  # the page read the database on its own
    assert metrics.polls_per_generation._sum.get() > seen_finished[0]
    for title in ('Warehouse Weekend 1', 'Warehouse Weekend 2', 'Warehouse Weekend 3'):
        await user.should_see(title)
    await user.should_see('Deep house from 23:00 in a converted warehouse')
    await user.should_see('Demo data', marker='demo-label')
    await user.should_see('Made by the offline planner · Demo data')
    await user.should_not_see(marker='progress-view')


async def test_completed_generation_shows_cards_at_once(user: User) -> None:
    generation_id = await start()
    await eventually(lambda: load(generation_id).status == 'completed')
    await user.open(f'/generations/{generation_id}')
    await user.should_see('3 ways to spend this weekend', retries=1)
    await user.should_see('€12\u201318')
    await user.should_see('Tickets')
    # The title names a theme; the bundle's day is on its own line under it, in the city's time.
    first = load(generation_id).bundles[0]['keyEvents'][0]['startsAt']
    day = datetime.fromisoformat(first).astimezone(ZoneInfo('Europe/Berlin'))
    await user.should_see(f'{day:%a} {day.day} {day:%b}', marker='bundle-days')


async def test_failed_generation_shows_reason_and_try_again_starts_a_new_one(
    user: User, planners: PlannerSwitch
) -> None:
    planners.use(ScriptedPlanner(error='No events match music this weekend. Try other dates.'))
    generation_id = await start()
    await eventually(lambda: load(generation_id).status == 'failed')

    await user.open(f'/generations/{generation_id}')
    await user.should_see("We couldn't make this plan")
    await user.should_see('No events match music this weekend. Try other dates.', marker='failure-reason')

    planners.use(ScriptedPlanner())
    user.find(marker='retry').click()
    await eventually(lambda: current_path(user) != f'/generations/{generation_id}')
    retried_id = current_path(user).removeprefix('/generations/')
    assert retried_id != generation_id
    assert count_generations() == 2
    assert load(retried_id).preferences == load(generation_id).preferences
    await user.should_see('Warehouse Weekend 1', retries=40)


async def test_cancel_stops_a_running_generation(user: User, planners: PlannerSwitch) -> None:
    planners.use(ScriptedPlanner(release=asyncio.Event()))
    generation_id = await start()
    await user.open('/')
    with user:  # this browser started it: it holds the owner token
        remember_generation(generation_id, service.owner_token(generation_id))
    await user.open(f'/generations/{generation_id}')
    user.find(marker='cancel').click()
    await user.should_see('Stop planning?')
    user.find(marker='confirm-cancel').click()
    await user.should_see('This plan was cancelled', retries=20)
    assert load(generation_id).status == 'cancelled'
    await user.should_see(marker='retry')


async def test_a_planner_picking_up_the_plan_does_not_redraw_the_page_under_a_click(user: User) -> None:
    """Waiting and planning share one view: the Cancel button met while waiting is the one still there."""
    with session_scope() as session:  # waiting for a free planner: no runner hands it over
        row = store.create_generation(
            session=session, preferences=PREFERENCES, client_id='browser:test', planner='offline', now=clock.now()
        )
        generation_id = row.id
    await user.open('/')
    with user:
        remember_generation(generation_id, service.owner_token(generation_id))
    await user.open(f'/generations/{generation_id}')
    await user.should_see('Waiting for a free planner')
    waiting_cancel = user.find(marker='cancel').elements.pop()

    with session_scope() as session:
        row = session.get(Generation, generation_id)
        row.status = 'processing'
        row.progress = [{'at': clock.now().isoformat(), 'message': 'Searched 12 events: music'}]
        session.add(row)
    await user.should_see('Searched 12 events: music', retries=20)
    await user.should_not_see('Waiting for a free planner')
    assert user.find(marker='cancel').elements == {waiting_cancel}  # the same button, not a new one
    user.find(marker='cancel').click()
    await user.should_see('Stop planning?')


async def test_a_shared_link_does_not_show_cancel(user: User, planners: PlannerSwitch) -> None:
    planners.use(ScriptedPlanner(release=asyncio.Event()))
    generation_id = await start()
    await user.open(f'/generations/{generation_id}')
    await user.should_see(marker='progress-view')
    await user.should_not_see(marker='cancel')


async def test_unknown_and_malformed_ids_get_a_clear_page_with_a_way_back(user: User) -> None:
    for path in (f'/generations/{uuid.uuid4()}', '/generations/not-a-uuid'):
        await user.open(path)
        await user.should_see("We can't find this plan")
        await user.should_see('Make a new plan')
        await user.should_see('My plans')


async def test_page_never_starts_work(user: User, planners: PlannerSwitch) -> None:
    await user.open(f'/generations/{uuid.uuid4()}')
    await user.open('/history')
    assert count_generations() == 0
    assert planners.current.calls == []


async def test_model_text_is_rendered_as_text(user: User, planners: PlannerSwitch) -> None:
    payload = '<img src=x onerror="window.hacked=1">'
    planners.use(ScriptedPlanner(event_title=payload, why=payload, url='javascript:alert(1)'))
    generation_id = await start()
    await eventually(lambda: load(generation_id).status == 'completed')
    await user.open(f'/generations/{generation_id}')
    await user.should_see(payload)
    labels = [e for e in user.current_layout.descendants() if isinstance(e, ui.label) and e.text == payload]
    assert labels  # shown verbatim, as text
    assert not any(isinstance(e, (ui.html, ui.markdown)) for e in user.current_layout.descendants())
    await user.should_not_see('Tickets')  # a javascript: link is dropped


async def test_an_imported_event_says_where_it_is_listed(user: User, planners: PlannerSwitch) -> None:
    planners.use(ScriptedPlanner(source='ticketmaster', url='https://tickets.example.com/tm-1'))
    generation_id = await start()
    await eventually(lambda: load(generation_id).status == 'completed')

    await user.open(f'/generations/{generation_id}')
    await user.should_see(marker='bundles')
    links = user.find(marker='event-source').elements
    assert links and {link.text for link in links} == {'via Ticketmaster'}
    assert {link.props['href'] for link in links} == {'https://tickets.example.com/tm-1'}


async def test_demo_events_name_no_source(user: User, planners: PlannerSwitch) -> None:
    planners.use(ScriptedPlanner(source='demo'))
    generation_id = await start()
    await eventually(lambda: load(generation_id).status == 'completed')

    await user.open(f'/generations/{generation_id}')
    await user.should_see(marker='bundles')
    await user.should_not_see(marker='event-source')
