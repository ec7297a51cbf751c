"""Ten answers to read as the people who asked would (docs/QUALITY.md, "Read as the person who asked").

Runs ten requests of different kinds through the real runner and offline planner on the demo city at a fixed
clock, and prints every card as the page shows it: title, story, each stop with its day, time (and drop-in
visit), venue, price and why line, then what the answer understood and its notes. Numbers say how often a
rule holds; this says whether the plans are the ones asked for.

    .venv/bin/python bench/read_answers.py [--now 2026-12-06T12:00:00+01:00] [--only 3] [--refine earlier]
    .venv/bin/python bench/read_answers.py --preferences '{"interests": ["film"], "timeframe": "Tomorrow"}'

`--refine` then asks each answer's first plan for one change, as the card's buttons do ("swap" swaps its first
stop; anything else is the instruction: cheaper, closer together, earlier, later, or free text), and prints
the changed card or the reason it was refused.
"""

import argparse
import asyncio
import json
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.eval.harness import _refine, _runner, _start, _wait, fixed_clock, scratch_database
from bench.eval.requests import EvalRequest
from models import db
from models.generation import Bundle, Generation, Preferences, RefinementCreate
from services.catalog import demo

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=ZoneInfo('Europe/Berlin'))  # a Sunday noon in December
REQUESTS = [
    {'interests': ['music', 'nightlife'], 'musicProfile': 'Electronic, House', 'timeframe': 'This weekend',
     'otherPreferences': 'Looking for underground venues'},
    {'interests': ['music', 'nightlife', 'food'], 'timeframe': 'Next 7 days'},
    {'interests': ['music', 'nightlife'], 'timeframe': 'Tonight',
     'otherPreferences': 'only Spandau, nothing after 22:00'},
    {'interests': ['outdoors', 'art', 'markets', 'theatre'], 'timeframe': 'Next 7 days',
     'otherPreferences': 'with kids, daytime only'},
    {'interests': ['food', 'music'], 'timeframe': 'Next 7 days', 'otherPreferences': 'something romantic for a date'},
    {'interests': ['film'], 'timeframe': 'Next 7 days'},
    {'interests': ['food'], 'timeframe': 'Next 7 days', 'budget': 40},
    {'interests': ['comedy', 'theatre'], 'timeframe': 'Next 7 days', 'otherPreferences': 'in English please, no clubs'},
    {'interests': ['wellness', 'nightlife'], 'timeframe': 'Next 30 days', 'budget': 25,
     'otherPreferences': 'I would love some electronic'},
    {'interests': ['talks', 'comedy', 'food', 'sports'], 'timeframe': 'Tomorrow', 'budget': 15},
]  # fmt: skip


def card(bundle: Bundle, zone: ZoneInfo) -> str:
    lines = [f'== {bundle.title} ({_price(bundle.estimated_cost)})', f'   {bundle.description}']
    for event in bundle.key_events:
        starts, ends = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
        visit = ''
        if event.visit_start and event.visit_end:
            visit = f' (visit {event.visit_start.astimezone(zone):%H:%M}-{event.visit_end.astimezone(zone):%H:%M})'
        wild = ' [wildcard]' if event.wildcard else ''
        lines.append(
            f'   {starts:%a %d %H:%M}-{ends:%H:%M}{visit} {event.title} | {event.venue}, {event.neighborhood} | '
            f'{event.category}, {_price(event.price)}{wild}'
        )
        lines.append(f'       why: {event.why}')
    return '\n'.join(lines)


def answer(preferences: dict, row: Generation) -> str:
    zone = ZoneInfo(row.window['timezone'])
    asked = ', '.join(f'{key}={value}' for key, value in preferences.items())
    lines = [f'### {asked}', f'{row.status} for {row.window["label"]}{f": {row.error}" if row.error else ""}']
    lines += [card(Bundle.model_validate(b), zone) for b in row.bundles or []]
    wish = row.wish or {}
    understood = [i['value'] for i in wish.get('understood', []) if i['text'] != 'form']
    lines.append(f'understood: {understood}; not understood: {wish.get("notUnderstood", [])}')
    lines += [f'note: {note}' for note in wish.get('notes', [])]
    return '\n'.join(lines)


def _price(price) -> str:
    if price is None:
        return 'price unknown'
    return 'free' if price.max == 0 else f'{price.min:g}-{price.max:g} {price.currency}'


async def read(now: datetime, chosen: list[dict], change: str = '') -> list[str]:
    with fixed_clock(now):
        with db.session_scope() as session:
            demo.refresh_demo_catalog(session=session, now=now)
        async with _runner():
            started = [(await _start(EvalRequest(Preferences.model_validate(p)), i)).id for i, p in enumerate(chosen)]
            rows = await _wait(started)
            texts = [answer(p, row) for p, row in zip(chosen, rows, strict=True)]
            if change:
                done = [row for row in rows if row.status == 'completed']
                refined = await _wait([(await _refine(row, _change(change, row), i)).id for i, row in enumerate(done)])
                changed = iter(refined)
                texts = [f'{text}\n{_refined(change, next(changed))}' if row in done else text
                         for text, row in zip(texts, rows, strict=True)]  # fmt: skip
    return texts


def _change(change: str, row: Generation) -> RefinementCreate:
    if change == 'swap':
        return RefinementCreate(bundle_index=0, replace_event_id=row.bundles[0]['keyEvents'][0]['eventId'])
    return RefinementCreate(bundle_index=0, instruction=change)


def _refined(change: str, row: Generation) -> str:
    if row.status != 'completed':
        return f'>>> "{change}" of plan 1: {row.status}: {row.error}'
    return f'>>> "{change}" of plan 1:\n{card(Bundle.model_validate(row.bundles[0]), ZoneInfo(row.window["timezone"]))}'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--now', type=datetime.fromisoformat, default=NOW, help='the clock, ISO 8601 with an offset')
    parser.add_argument('--only', type=int, help='one request of the ten, 1-10')
    parser.add_argument('--refine', default='', help='then ask each first plan for this change (or "swap")')
    parser.add_argument('--preferences', type=json.loads, help='one request of your own, as the API takes it (JSON)')
    args = parser.parse_args()
    chosen = [args.preferences] if args.preferences else [REQUESTS[args.only - 1]] if args.only else REQUESTS
    with scratch_database():
        print('\n\n'.join(asyncio.run(read(args.now, chosen, args.refine))))


if __name__ == '__main__':
    main()
