"""The preference form: validation next to the fields, one generation per submit, the resume banner."""

import asyncio

from nicegui import app
from nicegui.testing import User
from sqlmodel import select

from models.db import session_scope
from models.generation import Generation
from settings import settings
from tests.fakes.planners import ScriptedPlanner
from tests.ui.conftest import PlannerSwitch, eventually


def all_generations() -> list[Generation]:
    with session_scope() as session:
        return list(session.exec(select(Generation)).all())


def current_path(user: User) -> str:
    return user.back_history[-1] if user.back_history else ''


async def test_form_shows_interests_and_timeframes(user: User) -> None:
    await user.open('/')
    await user.should_see('What are you into?')
    for text in ('Music', 'Nightlife', 'Wellness', 'Tonight', 'This weekend', 'Next 30 days', 'Custom dates'):
        await user.should_see(text)
    assert user.find(marker='city').elements.pop().value == 'Berlin'  # the demo city is the default


async def test_missing_interest_is_shown_next_to_the_field_and_nothing_starts(user: User) -> None:
    await user.open('/')
    user.find(marker='submit').click()
    await user.should_see('Pick at least one interest.', marker='error-interests')
    assert all_generations() == []


async def test_negative_budget_and_missing_dates_are_explained(user: User) -> None:
    await user.open('/')
    user.find(marker='interest-music').click()
    user.find(marker='budget').type('-5')
    user.find(marker='timeframe-custom-dates').click()
    await user.should_see(marker='dates')
    user.find(marker='submit').click()
    await user.should_see('Pick a first and a last day.', marker='error-timeframe')
    user.find(marker='timeframe-this-weekend').click()
    await user.should_not_see(marker='dates')
    user.find(marker='submit').click()
    await user.should_see('The budget cannot be negative.', marker='error-budget')
    await user.should_not_see(marker='error-timeframe')
    assert all_generations() == []


async def test_too_long_custom_range_is_refused_with_the_models_reason(user: User) -> None:
    await user.open('/')
    user.find(marker='interest-art').click()
    user.find(marker='timeframe-custom-dates').click()
    dates = user.find(marker='dates').elements.pop()
    dates.value = {'from': '2099-01-01', 'to': '2099-03-01'}
    user.find(marker='submit').click()
    await user.should_see('A custom timeframe may span at most 31 days.', marker='error-timeframe')


async def test_service_refusal_is_shown_at_the_field(user: User) -> None:
    await user.open('/')
    user.find(marker='interest-art').click()
    user.find(marker='timeframe-custom-dates').click()
    user.find(marker='dates').elements.pop().value = {'from': '2001-01-01', 'to': '2001-01-03'}
    user.find(marker='submit').click()
    await user.should_see('the chosen dates are in the past', marker='error-timeframe')


async def test_rate_limit_is_a_clear_notice(user: User, monkeypatch) -> None:
    monkeypatch.setattr(settings, 'rate_limit_per_hour', 1)
    await user.open('/')
    user.find(marker='interest-music').click()
    user.find(marker='submit').click()
    await eventually(lambda: current_path(user).startswith('/generations/'))
    await user.open('/')
    user.find(marker='interest-food').click()
    user.find(marker='submit').click()
    await user.should_see(marker='form-notice')
    await user.should_see('Too many plans started from here', retries=10)
    assert len(all_generations()) == 1


async def test_submit_starts_one_generation_and_opens_its_page(user: User, planners: PlannerSwitch) -> None:
    await user.open('/')
    user.find(marker='interest-music').click()
    user.find(marker='interest-nightlife').click()
    user.find(marker='genre-House').click()
    user.find(marker='other').type('underground venues')
    user.find(marker='submit').click()
    user.find(marker='submit').click()  # a double click: the same form, the same idempotency key
    await eventually(lambda: current_path(user).startswith('/generations/'))
    rows = all_generations()
    assert len(rows) == 1
    assert current_path(user) == f'/generations/{rows[0].id}'
    assert rows[0].preferences['interests'] == ['music', 'nightlife']
    assert rows[0].preferences['musicProfile'] == 'House'
    assert rows[0].preferences['otherPreferences'] == 'underground venues'
    assert rows[0].client_id.startswith('browser:')
    assert app.storage.user['generations'][0] == rows[0].id
    await user.should_see('Warehouse Weekend 1', retries=30)


async def test_resume_banner_offers_the_running_generation(user: User, planners: PlannerSwitch) -> None:
    release = asyncio.Event()
    planners.use(ScriptedPlanner(release=release))
    await user.open('/')
    await user.should_not_see(marker='resume-banner')
    user.find(marker='interest-comedy').click()
    user.find(marker='submit').click()
    await eventually(lambda: current_path(user).startswith('/generations/'))
    generation_path = current_path(user)

    await user.open('/')
    await user.should_see('A plan is still in the works')
    await user.should_see('Plan for comedy · This weekend')
    user.find(marker='resume-link').click()
    await eventually(lambda: current_path(user) == generation_path)
    await user.should_see('Planning your bundles')

    release.set()
    await user.should_see('Warehouse Weekend 1', retries=30)
    await user.open('/')
    await user.should_not_see(marker='resume-banner')
