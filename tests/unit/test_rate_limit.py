"""The hourly limit counts both who asks (a browser, an API client) and the address asked from."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from models.generation import Preferences
from services.generations import errors, store
from settings import settings
from tests.factories import add_city

pytestmark = pytest.mark.databases()

NOW = datetime(2027, 1, 6, 12, 0, tzinfo=UTC)
PREFS = Preferences(interests=['music'], timeframe='Next 7 days')


@pytest.fixture(autouse=True)
def limit_of_three(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    add_city(session)
    monkeypatch.setattr(settings, 'rate_limit_per_hour', 3)


def create(session: Session, *, client: str, ip: str | None, minutes_ago: float = 0):
    return store.create_generation(
        session=session,
        preferences=PREFS,
        client_id=client,
        client_ip=ip,
        planner='offline',
        now=NOW - timedelta(minutes=minutes_ago),
    )


def test_new_browsers_from_one_address_meet_its_limit(session: Session) -> None:
    """Clearing cookies makes a new browser, not a new address."""
    for n in range(3):
        create(session, client=f'browser:{n}', ip='198.51.100.1')
    with pytest.raises(errors.RateLimited):
        create(session, client='browser:fresh', ip='198.51.100.1')
    create(session, client='browser:elsewhere', ip='198.51.100.2')  # another address is not affected


def test_the_api_and_the_form_share_an_address_s_limit(session: Session) -> None:
    for _ in range(3):
        create(session, client='ip:198.51.100.1', ip='198.51.100.1')
    with pytest.raises(errors.RateLimited):
        create(session, client='browser:new', ip='198.51.100.1')


def test_one_browser_moving_between_addresses_meets_its_own_limit(session: Session) -> None:
    for n in range(3):
        create(session, client='browser:b', ip=f'198.51.100.{n}')
    with pytest.raises(errors.RateLimited):
        create(session, client='browser:b', ip='198.51.100.99')


def test_retry_after_waits_for_the_fuller_bucket(session: Session) -> None:
    create(session, client='browser:b', ip='198.51.100.1', minutes_ago=50)  # leaves the address's bucket first
    create(session, client='browser:a', ip='198.51.100.1', minutes_ago=40)
    create(session, client='browser:a', ip='198.51.100.1', minutes_ago=5)
    create(session, client='browser:a', ip='198.51.100.2', minutes_ago=1)  # the browser's: full until 40 min on
    with pytest.raises(errors.RateLimited) as refused:
        create(session, client='browser:a', ip='198.51.100.1')
    assert 19 * 60 <= refused.value.retry_after_s <= 20 * 60 + 1
