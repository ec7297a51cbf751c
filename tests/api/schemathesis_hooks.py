"""Schemathesis hooks for tests/api/test_fuzz.py (loaded by the CLI through SCHEMATHESIS_HOOKS).

The OpenAPI document states every rule a JSON schema can state; a few rules need the server's data or the
clock (a served city, dates not in the past, an idempotency key replayed with other preferences). Schema-valid
bodies the fuzzer generates are made to keep those rules too, so `positive_data_acceptance` judges the
schema alone. Negative (schema-invalid) cases are left untouched, and tests/api/test_api.py covers the
refusals of those rules.
"""

import hashlib
import json
from datetime import date, timedelta

import schemathesis


@schemathesis.hook
def map_case(context, case):
    meta = case.meta
    if case.operation.label != 'POST /api/generations' or meta is None or not meta.generation.mode.is_positive:
        return case
    preferences = case.body.get('preferences') if isinstance(case.body, dict) else None
    if isinstance(preferences, dict):
        if preferences.get('city') is not None:
            preferences['city'] = None  # the default (demo) city: any other name needs the catalog's data
        timeframe = preferences.get('timeframe')
        if isinstance(timeframe, dict):
            start = date.today() + timedelta(days=1)
            span = len(json.dumps(timeframe)) % 7  # varied, within the 31 days allowed
            preferences['timeframe'] = {'start': start.isoformat(), 'end': (start + timedelta(days=span)).isoformat()}
    return case


@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    # One key per body, set on the body as sent: the same key with other preferences is a documented 422
    # that depends on what was sent before, not on the schema.
    if case.operation.label != 'POST /api/generations':
        return
    digest = hashlib.sha256(json.dumps(case.body, sort_keys=True, default=str).encode()).hexdigest()[:16]
    for headers in (case.headers, kwargs.get('headers')):  # the case, and the request already built from it
        for name, value in list((headers or {}).items()):
            if name.lower() == 'idempotency-key' and isinstance(value, str) and value and not value.endswith(digest):
                headers[name] = f'{value[:100]}-{digest}'
