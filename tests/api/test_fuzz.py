"""Schemathesis against the served /openapi.json: no 5xx, documented status codes and shapes only."""

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.server import AppServer

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def api_schema(tmp_path_factory: pytest.TempPathFactory):
    server = AppServer(Path(tmp_path_factory.mktemp('fuzz')), offline_step_delay_s=0).start()
    try:
        yield schemathesis.openapi.from_url(f'{server.url}/openapi.json')
    finally:
        server.stop()


def test_api_never_errors_and_matches_its_schema(api_schema) -> None:
    # Driven through Hypothesis directly: schemathesis' own pytest plugin does not load under pytest 9.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.path for op in operations} >= {'/api/generations', '/api/generations/{generation_id}'}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def call(case) -> None:
            case.call_and_validate(checks=CHECKS)

        call()
