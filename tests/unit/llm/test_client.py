"""The LLM client's lifecycle: start-up starts it, shutdown closes its connections and stops its thread."""

import threading

import pytest

from services.planners import registry
from services.planners.llm import client as llm_client
from services.planners.llm.planner import LLMPlanner
from tests.fakes.openai_support import (
    RecordingContext,
    build_catalog,
    good_answer,
    plan,
    plan_request,
    point_openai_at,
)
from tests.fakes.responses_server import FakeResponsesServer
from tests.fakes.responses_steps import Reply


def llm_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == 'llm-calls' and t.is_alive()]


async def test_start_up_starts_the_client_and_shutdown_closes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    ids = build_catalog()
    with FakeResponsesServer() as fake:
        point_openai_at(fake, monkeypatch)
        fake.add(Reply([good_answer(ids)]))

        planner = registry.start_planner('openai')
        assert isinstance(planner, LLMPlanner) and planner.name == 'openai'
        assert llm_threads()
        assert len(await planner.plan(plan_request(), RecordingContext())) == 3

        await registry.stop_planner('openai')
        assert llm_threads() == []

        fake.add(Reply([good_answer(ids)]))  # outside the app, a new client is made on first use
        assert len(await plan(RecordingContext())) == 3
        await llm_client.close_client()
    fake.assert_clean()


async def test_closing_twice_or_without_a_start_is_harmless() -> None:
    await llm_client.close_client()
    await llm_client.close_client()
    await llm_client.LLMClient().aclose()

    assert llm_threads() == []


async def test_the_offline_planner_starts_no_client() -> None:
    await llm_client.close_client()

    registry.start_planner('offline')
    await registry.stop_planner('offline')

    assert llm_threads() == []
