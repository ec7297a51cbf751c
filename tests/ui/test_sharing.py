"""One plan shared: the owner's view (keep, own words), a friend's view (no private inputs), and the card's
practical facts (address, directions, price per person). Sharing itself runs in the browser (tests/e2e)."""

from nicegui.testing import User

from models.db import session_scope
from models.generation import Generation, Preferences
from pages.components import remember_generation
from services.generations import service
from services.text import isolate
from tests.fakes.planners import PlannerSwitch, ScriptedPlanner
from tests.ui.conftest import eventually

PRIVATE = 'only quiet bars near my flat'
PREFERENCES = Preferences(interests=['music'], timeframe='Next 7 days', other_preferences=PRIVATE, budget=75)


async def completed(client: str = 'browser:test') -> str:
    row = await service.start_generation(preferences=PREFERENCES, client_id=client)
    await eventually(lambda: load(row.id).status == 'completed')
    return row.id


def load(generation_id: str) -> Generation:
    with session_scope() as session:
        return session.get(Generation, generation_id)


async def as_owner(user: User, generation_id: str) -> None:
    await user.open('/')
    with user:  # this browser started it: it holds the owner token
        remember_generation(generation_id, service.owner_token(generation_id))


async def test_a_friend_sees_the_plans_without_the_senders_inputs(user: User) -> None:
    generation_id = await completed()
    await user.open(f'/generations/{generation_id}?plan=2')
    await user.should_see('Plans shared with you', marker='eyebrow')
    await user.should_see('Warehouse Weekend 2')
    await user.should_not_see(PRIVATE, retries=1)
    await user.should_not_see(f'“{isolate(PRIVATE)}”', retries=1)
    await user.should_not_see('Up to €75 per plan', retries=1)
    await user.should_not_see(marker='keep-plan', retries=1)


async def test_the_owner_sees_their_words_and_keeps_the_plan(user: User) -> None:
    generation_id = await completed()
    await as_owner(user, generation_id)
    await user.open(f'/generations/{generation_id}')
    await user.should_see('Your plans are ready', marker='eyebrow')
    await user.should_see(f'“{isolate(PRIVATE)}”')  # quoted in the app's words, isolated (bidi)
    await user.should_see('Up to €75 per plan')
    user.find(marker='keep-plan').click()
    await eventually(lambda: load(generation_id).kept)
    await user.should_see('Kept', marker='keep-plan')

    await user.open('/history')
    await user.should_see('Kept', marker='kept-badge')

    await user.open(f'/generations/{generation_id}')
    user.find(marker='keep-plan').click()  # let it go again
    await eventually(lambda: not load(generation_id).kept)


async def test_a_card_gives_address_directions_and_price_per_person(user: User, planners: PlannerSwitch) -> None:
    # Demo events, with places and prices (a window's first events may all be free, as on a Tuesday at noon).
    planners.use(ScriptedPlanner(make_bundles=ScriptedPlanner.priced_catalog_bundles))
    generation_id = await completed()
    event = load(generation_id).bundles[0]['keyEvents'][0]
    assert event['address'] and event['lat'] is not None
    await user.open(f'/generations/{generation_id}')
    await user.should_see(event['address'], marker='address')
    links = {link.props['href'] for link in user.find(marker='directions').elements}
    assert f'https://www.openstreetmap.org/directions?to={event["lat"]:.6f}%2C{event["lon"]:.6f}' in links
    prices = [label.text for label in user.find(marker='price').elements]
    assert prices and all(text.endswith(' per person') or text in ('Free', 'Price TBA') for text in prices)
    assert any(text.endswith(' per person') for text in prices)
