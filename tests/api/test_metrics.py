"""/metrics in Prometheus format, scraped after a few generations."""

import asyncio

from nicegui.testing import User
from prometheus_client.parser import text_string_to_metric_families

from services.planners.base import PlannerError
from tests.fakes.planners import PlannerSwitch, ScriptedPlanner

BODY = {'preferences': {'interests': ['music'], 'timeframe': 'Next 7 days'}}


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def scrape(user: User) -> dict[tuple[str, tuple], float]:
    response = await user.http_client.get('/metrics')
    assert response.status_code == 200
    assert response.headers['content-type'].startswith('text/plain')
    return samples(response.text)


async def run_one(user: User, planners: PlannerSwitch, planner: ScriptedPlanner, final: str) -> None:
    planners.use(planner)
    generation_id = (await user.http_client.post('/api/generations', json=BODY)).json()['generationId']
    async with asyncio.timeout(5):
        while (await user.http_client.get(f'/api/generations/{generation_id}')).json()['status'] != final:
            await asyncio.sleep(0.02)


async def test_counters_follow_generations(user: User, planners: PlannerSwitch) -> None:
    before = await scrape(user)
    await run_one(user, planners, ScriptedPlanner(), 'completed')
    await run_one(user, planners, ScriptedPlanner(), 'completed')
    await run_one(user, planners, ScriptedPlanner(error=PlannerError('No events.')), 'failed')
    after = await scrape(user)

    def delta(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert delta('trip_bundles_generations_finished_total', status='completed') == 2
    assert delta('trip_bundles_generations_finished_total', status='failed') == 1
    assert delta('trip_bundles_generation_duration_seconds_count') == 3
    assert after[('trip_bundles_generations_stored', (('status', 'completed'),))] == 2
    assert after[('trip_bundles_rows_pending_cleanup', ())] == 0
    assert after[('trip_bundles_database_size_bytes', ())] > 0
    assert after[('trip_bundles_event_loop_lag_seconds_count', ())] > 0
