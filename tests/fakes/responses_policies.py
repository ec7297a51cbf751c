"""Scripted policies for the fake Responses API: answer any request the way a model would, for whole-app runs.

`demo` searches once (two parallel calls) and answers with bundles of the events it found; `searching`
takes several tool turns first; `flaky_policy` wraps either with a share of failures.
"""

import json
import random
import re
from datetime import datetime, timedelta
from typing import Any

from models.geo import estimate_travel
from tests.fakes.responses_steps import (
    Hang,
    HttpError,
    Malformed,
    Policy,
    Reply,
    Step,
    answer,
    function_call,
    message,
    reasoning_item,
    search_args,
    tool_outputs,
)


def demo_policy(body: dict[str, Any]) -> Step:
    """Turn 1: two parallel searches. Later turns: bundles made of the events the searches returned."""
    found = _events_found(body)
    if not any(item.get('type') == 'function_call_output' for item in body['input'] if isinstance(item, dict)):
        if body.get('tool_choice') == 'none':
            return Reply([message(json.dumps({'bundles': []}))])
        return Reply(
            [
                reasoning_item('Search broadly first, then for underground venues.'),
                function_call('search_events', search_args(limit=40)),
                function_call('search_events', search_args(text='underground', limit=20)),
            ]
        )
    bundles = compose_demo_bundles(found, budget=_budget(body))
    return Reply([reasoning_item('Group the events into evenings that do not overlap.'), answer(*bundles)])


def _events_found(body: dict[str, Any]) -> list[dict[str, Any]]:
    events: dict[str, dict[str, Any]] = {}
    for output in tool_outputs(body):
        for event in output.get('events', []):
            events.setdefault(event['eventId'], event)
    return sorted(events.values(), key=lambda e: e['startsAt'])


def _budget(body: dict[str, Any]) -> float | None:
    first = body['input'][0]
    text = first.get('content') if isinstance(first.get('content'), str) else json.dumps(first.get('content'))
    found = re.search(r'"budget_per_bundle": "([\d.]+)', text or '')
    return float(found.group(1)) if found else None


def compose_demo_bundles(events: list[dict[str, Any]], budget: float | None, size: int = 2) -> list[dict[str, Any]]:
    """Up to three bundles of `size` events each: no overlaps, no event twice, within the budget."""
    remaining = list(events)
    bundles = []
    for number in range(3):
        chosen: list[dict[str, Any]] = []
        cost = 0.0
        for event in list(remaining):
            price = (event.get('price') or {}).get('min') or 0
            if chosen and not _reachable(chosen[-1], event):
                continue
            if budget is not None and cost + price > budget:
                continue
            chosen.append(event)
            cost += price
            remaining.remove(event)
            if len(chosen) == size:
                break
        if len(chosen) < 2:
            break
        title = f'{chosen[0]["category"].title()} plan {number + 1}'
        bundles.append(
            {
                'title': title,
                'description': f'Starts with {chosen[0]["title"]} at {chosen[0]["venue"]}, then keeps going.',
                'tags': list(dict.fromkeys(chosen[0]['tags']))[:3],
                'key_events': [
                    {'event_id': e['eventId'], 'why': f'{e["title"]} at {e["venue"]} fits your taste'} for e in chosen
                ],
            }
        )
    return bundles


def searching_policy(tool_turns: int = 3) -> Policy:
    """`tool_turns` turns of one search each (broad, then narrower), then the demo answer."""
    queries = [search_args(limit=40), search_args(text='underground', limit=20), search_args(text='late', limit=20)]

    def policy(body: dict[str, Any]) -> Step:
        calls_made = sum(1 for item in body['input'] if isinstance(item, dict) and item.get('type') == 'function_call')
        if calls_made < tool_turns and body.get('tool_choice') != 'none':
            arguments = queries[calls_made % len(queries)]
            return Reply([reasoning_item('Look a little further.'), function_call('search_events', arguments)])
        bundles = compose_demo_bundles(_events_found(body), budget=_budget(body))
        return Reply([reasoning_item('Group the events into evenings.'), answer(*bundles)])

    return policy


def flaky_policy(policy: Policy, *, failure_rate: float, seed: int = 7, hang_s: float = 30) -> Policy:
    """`policy`, except that a share of the calls fail: 429, 500, a hang past the timeout, or a broken body."""
    chance = random.Random(seed)
    failures: list[Step] = [
        HttpError(429, 'Rate limit reached'),
        HttpError(500, 'The server had an error'),
        Hang(hang_s),
        Malformed(),
    ]

    def policy_with_faults(body: dict[str, Any]) -> Step:
        if chance.random() < failure_rate:
            return chance.choice(failures)
        return policy(body)

    return policy_with_faults


SCRIPTS: dict[str, Policy] = {'demo': demo_policy, 'searching': searching_policy()}


def _reachable(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """What a careful model reads off the tool results: the next event starts after the last ends plus the way."""
    travel = estimate_travel(before.get('lat'), before.get('lon'), after.get('lat'), after.get('lon'))
    gap = timedelta(minutes=travel.minutes if travel else 0)
    return datetime.fromisoformat(after['startsAt']) >= datetime.fromisoformat(before['endsAt']) + gap
