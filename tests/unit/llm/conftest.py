"""Fixtures of the LLM planner's tests: the fake Responses server the SDK talks to, a small catalog, a context."""

from collections.abc import Iterator

import pytest

from tests.fakes.openai_support import RecordingContext, build_catalog, point_openai_at
from tests.fakes.responses_server import FakeResponsesServer


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeResponsesServer]:
    with FakeResponsesServer() as server:
        point_openai_at(server, monkeypatch)
        yield server
    server.assert_clean()


@pytest.fixture
def ids() -> dict[str, str]:
    return build_catalog()


@pytest.fixture
def context() -> RecordingContext:
    return RecordingContext()
