"""A person's journey through nginx in front of two instances (tests/cluster.py): the instance serving the
browser is SIGKILLed mid-generation, the page comes back through the other one and shows the bundles,
and "My plans" (browser storage in Redis) still lists the plan."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.cluster import Cluster
from tests.e2e.conftest import screenshot
from tests.e2e.test_journeys import choose, expect_cards, generation_id_of, submit

pytestmark = pytest.mark.databases('postgres')


@pytest.fixture
def cluster(tmp_path: Path, database_url: str) -> Iterator[Cluster]:
    running = Cluster(
        tmp_path / 'cluster', database_url, offline_step_delay_s=1.5, lease_seconds=2, recovery_interval_s=1
    )
    try:
        yield running.start()
    finally:
        running.stop()


def test_the_serving_instance_dies_mid_generation_and_the_page_comes_back(cluster: Cluster, page: Page) -> None:
    response = page.goto(cluster.url)
    assert response is not None
    serving = cluster.instance_at(response.headers['x-upstream'])
    choose(page, 'Music', 'Nightlife', 'Next 7 days')
    generation_id = submit(page)
    expect(page.get_by_text('Planning your bundles')).to_be_visible()
    expect(page.locator('.tb-step').first).to_be_visible(timeout=15_000)

    serving.kill()  # mid-generation: its lease stays held until it expires, then the survivor resumes it

    expect_cards(page)
    assert generation_id_of(page) == generation_id
    screenshot(page, 'cluster-after-failover')
    survivor_address = f'127.0.0.1:{cluster.other(serving).port}'
    reloaded = page.reload()
    assert reloaded is not None
    # nginx may first try the dead instance the cookie hashes to, then fail over: the last one tried answered.
    assert reloaded.headers['x-upstream'].split(',')[-1].strip() == survivor_address
    expect_cards(page)

    page.get_by_role('link', name='My plans').click()  # kept in Redis: the survivor knows this browser's plans
    expect(page.locator('.tb-history-row')).to_have_count(1)
    assert f'generation {generation_id} completed' in cluster.other(serving).log_text()
