"""Schemathesis hooks for tests/api/test_fuzz.py (loaded by the CLI through SCHEMATHESIS_HOOKS).

The OpenAPI document states every rule a JSON schema can state; a few rules need the server's data or the
clock (a served city, dates not in the past, an idempotency key replayed with other preferences). Schema-valid
bodies the fuzzer generates are made to keep those rules too, so `positive_data_acceptance` judges the
schema alone. Negative (schema-invalid) cases are left untouched, and tests/api/test_api.py covers the
refusals of those rules.
"""

import json
import os
import time
import uuid
from datetime import timedelta
from urllib.parse import quote
from urllib.request import urlopen
from zoneinfo import ZoneInfo

import schemathesis

from services import clock
from tests import clocks

if os.environ.get('TEST_CLOCK'):  # the run's clock, like the server's (tests/clocks.py)
    clocks.install(os.environ['TEST_CLOCK'])


@schemathesis.hook
def map_case(context, case):
    meta = case.meta
    if meta is not None and not meta.generation.mode.is_positive:
        return case  # schema-invalid on purpose: sent as generated
    if not isinstance(case.body, dict):
        return case
    if case.operation.label == 'POST /api/generations':
        _served_preferences(case.body.get('preferences'))
    elif case.operation.label == 'POST /api/generations/{generation_id}/refinements':
        _existing_change(case.body)
    return case


def _served_preferences(preferences: object) -> None:
    if not isinstance(preferences, dict):
        return
    if preferences.get('city') is not None:
        preferences['city'] = None  # the default (demo) city: any other name needs the catalog's data
    timeframe = preferences.get('timeframe')
    if isinstance(timeframe, dict):
        start = clock.now().astimezone(ZoneInfo('Europe/Berlin')).date() + timedelta(days=1)  # the demo city's
        span = len(json.dumps(timeframe)) % 7  # varied, within the 31 days allowed
        preferences['timeframe'] = {'start': start.isoformat(), 'end': (start + timedelta(days=span)).isoformat()}


def _existing_change(change: dict) -> None:
    # Which bundles and events a plan has is the server's data: ask for the first bundle and, instead of
    # swapping an event the fuzzer made up, give the instruction (tests/api/test_refinements.py swaps real ones).
    change['bundleIndex'] = 0
    change.pop('replacementEventId', None)
    if change.pop('replaceEventId', None) is not None and not change.get('instruction'):
        change['instruction'] = 'cheaper'


@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    if case.operation.label.endswith('/alternatives'):
        _existing_event(case)
        return
    # A fresh key for every request: the same key with other preferences is a documented 422 that depends on
    # what was sent before, not on the schema (tests/api/test_api.py covers replays and that refusal).
    if case.method.upper() != 'POST' or (case.meta is not None and not case.meta.generation.mode.is_positive):
        return  # an invalid key must reach the server as generated
    key = uuid.uuid4().hex
    for headers in (case.headers, kwargs.get('headers')):  # the case, and the request already built from it
        for name in list(headers or {}):
            if name.lower() == 'idempotency-key':
                headers[name] = key


def _existing_event(case) -> None:
    """Which events a plan's bundle has is the server's data: a schema-valid request asks about the first event
    of the first bundle of the plan it names (tests/api/test_refinements.py covers the refusals)."""
    if case.meta is not None and not case.meta.generation.mode.is_positive:
        return
    generation_id = (case.path_parameters or {}).get('generation_id')
    base = case.operation.schema.get_base_url().rstrip('/')
    plan = _settled_plan(f'{base}/api/generations/{quote(str(generation_id), safe="")}')
    if plan is None:
        return  # unknown or malformed id: the request goes as generated (404)
    bundles = plan.get('bundles') or []
    if plan.get('status') != 'completed' or not bundles or not bundles[0].get('keyEvents'):
        return  # not completed: 409 as generated
    case.path_parameters['index'] = 0
    case.query = {**(case.query or {}), 'eventId': bundles[0]['keyEvents'][0]['eventId']}


def _settled_plan(url: str) -> dict | None:
    """The plan once it has stopped changing. A plan still being made would be asked about as generated and
    could complete between this read and the request, which then names a bundle the plan lacks (a 422 the
    schema cannot foresee): so the hook waits for a final status (the demo planner takes a second or two)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            with urlopen(url, timeout=5) as answer:
                plan = json.loads(answer.read())
        except (OSError, ValueError):
            return None
        if plan.get('status') not in ('pending', 'processing') or time.monotonic() > deadline:
            return plan
        time.sleep(0.1)
