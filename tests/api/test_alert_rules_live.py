"""Every series deploy/prometheus/rules.yml reads is exported by the real app: rules never drift from the code.

The app runs as a process with the OpenAI planner against the fake Responses server; one generation fails
on a 500, two complete; then /metrics is scraped and every selector of every rule must find a sample
(metric name and the label values it asks for).
"""

import re
import time
from pathlib import Path

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.fakes.requests import seed_body
from tests.fakes.responses_policies import demo_policy
from tests.fakes.responses_server import FakeResponsesServer
from tests.fakes.responses_steps import HttpError
from tests.server import AppServer

RULES = Path(__file__).resolve().parent.parent.parent / 'deploy' / 'prometheus' / 'rules.yml'
BODY = seed_body(timeframe='Next 7 days')
PROMETHEUS_OWN = {'up'}  # made by Prometheus for each scrape, not by the app
KEYWORDS = {'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset'}
pytestmark = pytest.mark.slow

Selector = tuple[str, list[tuple[str, str, str]]]  # metric name, (label, operator, value) matchers


def expr_selectors(expr: str) -> list[Selector]:
    expr = re.sub(r'\[[^\]]*\]', '', expr)  # range durations
    expr = re.sub(r'\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)', ' ', expr)  # label lists
    selectors: list[Selector] = []
    for name, _, matchers in re.findall(r'([a-zA-Z_:][\w:]*)(?![\w:])\s*(\{([^}]*)\})?(?!\s*\()', expr):
        if name not in KEYWORDS and not re.fullmatch(r'\d.*|e\d*', name):
            selectors.append((name, re.findall(r'(\w+)\s*(=~|!~|!=|=)\s*"([^"]*)"', matchers)))
    return selectors


def rule_selectors(rules: dict) -> list[Selector]:
    """The exported series every rule reads: a recording rule's name stands for the series it is made of,
    with the outer matchers added (`trip_bundles:llm_errors:increase10m{kind="timeout"}` reads
    `trip_bundles_llm_errors_total{kind="timeout"}`)."""
    rule_list = [rule for group in rules['groups'] for rule in group['rules']]
    recorded = {rule['record']: expr_selectors(rule['expr']) for rule in rule_list if 'record' in rule}

    def resolve(selector: Selector) -> list[Selector]:
        name, matchers = selector
        if name not in recorded:
            return [selector]
        return [(inner, [*inner_matchers, *matchers]) for s in recorded[name] for inner, inner_matchers in resolve(s)]

    return [resolved for rule in rule_list for s in expr_selectors(rule['expr']) for resolved in resolve(s)]


def matches(labels: dict[str, str], matchers: list[tuple[str, str, str]]) -> bool:
    def one(got: str, operator: str, wanted: str) -> bool:
        match operator:
            case '=':
                return got == wanted
            case '!=':
                return got != wanted
            case '=~':
                return re.fullmatch(wanted, got) is not None
        return re.fullmatch(wanted, got) is None

    return all(one(labels.get(label, ''), operator, wanted) for label, operator, wanted in matchers)


def wait_for_end(server: AppServer, generation_id: str) -> str:
    deadline = time.monotonic() + 60
    while (status := httpx.get(f'{server.url}/api/generations/{generation_id}').json()['status']) in (
        'pending',
        'processing',
    ):
        assert time.monotonic() < deadline, 'generation did not end'
        time.sleep(0.2)
    return status


def test_the_selector_parser_finds_names_and_labels_through_recording_rules() -> None:
    rules = {
        'groups': [
            {
                'rules': [
                    {'record': 'a:b:rate5m', 'expr': 'sum by (job, kind) (rate(x_total{kind=~"t.."}[5m]))'},
                    {'alert': 'A', 'expr': 'a:b:rate5m{kind="tx"} > 1e9 and on() time() - y_s{task="t"} > 2 * 60'},
                ]
            }
        ]
    }
    assert rule_selectors(rules) == [
        ('x_total', [('kind', '=~', 't..')]),
        ('x_total', [('kind', '=~', 't..'), ('kind', '=', 'tx')]),
        ('y_s', [('task', '=', 't')]),
    ]


def scrape_when_counted(server: AppServer, line: str, timeout: float = 10) -> str:
    """/metrics once it shows `line`: the planner processes relay their counts every second."""
    deadline = time.monotonic() + timeout
    while line not in (text := httpx.get(f'{server.url}/metrics').text).splitlines() and time.monotonic() < deadline:
        time.sleep(0.2)
    return text


def test_every_series_the_rules_read_is_exported(tmp_path: Path) -> None:
    # First request: a 500 the SDK may not retry, so the first generation fails; the rest complete.
    with FakeResponsesServer(HttpError(500, headers={'x-should-retry': 'false'}), policy=demo_policy) as fake:
        server = AppServer(
            tmp_path / 'app',
            planner='openai',
            openai_api_key='test-key',
            openai_base_url=fake.url,
            openai_max_retries=0,
        ).start()
        try:
            first = httpx.post(f'{server.url}/api/generations', json=BODY).json()['generationId']
            assert wait_for_end(server, first) == 'failed'
            ids = [httpx.post(f'{server.url}/api/generations', json=BODY).json()['generationId'] for _ in range(2)]
            assert [wait_for_end(server, i) for i in ids] == ['completed', 'completed']
            text = scrape_when_counted(server, 'trip_bundles_generations_finished_total{status="completed"} 2.0')
        finally:
            server.stop()

    samples = [(s.name, s.labels, s.value) for family in text_string_to_metric_families(text) for s in family.samples]
    value = {(name, tuple(sorted(labels.items()))): v for name, labels, v in samples}
    assert value[('trip_bundles_generations_finished_total', (('status', 'failed'),))] == 1
    assert value[('trip_bundles_generations_finished_total', (('status', 'completed'),))] == 2
    assert value[('trip_bundles_llm_errors_total', (('kind', 'status_500'),))] == 1

    selectors = [s for s in rule_selectors(yaml.safe_load(RULES.read_text())) if s[0] not in PROMETHEUS_OWN]
    read = {name for name, _ in selectors}
    # The parser found the file's metrics, not nothing.
    assert {'trip_bundles_generation_duration_seconds_bucket', 'trip_bundles_source_last_run_failed'} <= read, read
    missing = [
        (name, matchers)
        for name, matchers in selectors
        if not any(n == name and matches(labels, matchers) for n, labels, _ in samples)
    ]
    assert not missing, f'rules read series the app does not export: {missing}'
