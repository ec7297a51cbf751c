"""The whole app with PLANNER=openai against the fake Responses server: grounded bundles, real progress."""

import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from tests.fakes.requests import seed_body
from tests.fakes.responses_policies import demo_policy
from tests.fakes.responses_server import FakeResponsesServer
from tests.server import AppServer

BODY = seed_body(timeframe='Next 7 days')
pytestmark = pytest.mark.slow


def test_a_generation_completes_against_the_fake_responses_api(tmp_path: Path) -> None:
    with FakeResponsesServer(policy=demo_policy) as fake:
        server = AppServer(
            tmp_path / 'app', planner='openai', openai_api_key='test-key', openai_base_url=fake.url
        ).start()
        try:
            generation_id = httpx.post(f'{server.url}/api/generations', json=BODY).json()['generationId']
            deadline = time.monotonic() + 60
            while (body := httpx.get(f'{server.url}/api/generations/{generation_id}').json())['status'] in (
                'pending',
                'processing',
            ):
                assert time.monotonic() < deadline
                time.sleep(0.2)
        finally:
            server.stop()
        fake.assert_clean()

    assert body['status'] == 'completed', body['error']
    assert body['planner'] == 'openai'
    assert any(p['message'].startswith('Searching') for p in body['progress'])
    assert body['usage']['input_tokens'] > 0
    catalog = sqlite3.connect(tmp_path / 'app' / 'trip_bundles.db')
    for bundle in body['bundles']:
        for event in bundle['keyEvents']:  # grounded: title and venue are the catalog's own
            row = catalog.execute(
                'SELECT event.title, venue.name FROM event JOIN venue ON venue.id = event.venue_id WHERE event.id = ?',
                (event['eventId'],),
            ).fetchone()
            assert row == (event['title'], event['venue'])
    assert len(fake.requests) >= 2
