"""`/history`: this browser's generations, newest first, with status, title and link."""

from nicegui.testing import User

from tests.ui.conftest import eventually


def current_path(user: User) -> str:
    return user.back_history[-1] if user.back_history else ''


async def make_plan(user: User, interest: str) -> str:
    await user.open('/')
    user.find(marker=f'interest-{interest}').click()
    user.find(marker='submit').click()
    await eventually(lambda: current_path(user).startswith('/generations/'))
    return current_path(user).removeprefix('/generations/')


async def test_empty_history_invites_a_first_plan(user: User) -> None:
    await user.open('/history')
    await user.should_see('No plans yet')
    await user.should_see('Make your first plan')


async def test_history_lists_this_browsers_plans_newest_first(user: User) -> None:
    first = await make_plan(user, 'film')
    await user.should_see('Warehouse Weekend 1', retries=40)
    second = await make_plan(user, 'talks')

    await user.open('/history')
    rows = [e for e in user.find(marker='history-row').elements]
    targets = sorted(rows, key=lambda e: e.id)
    assert [e.props['href'] for e in targets] == [f'/generations/{second}', f'/generations/{first}']
    await user.should_see('Warehouse Weekend 1')
    await user.should_see('Ready')

    user.find(marker='history-row').click()  # the first row: the newest plan
    await eventually(lambda: current_path(user) == f'/generations/{second}')
