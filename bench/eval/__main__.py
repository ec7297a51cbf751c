"""`make eval`: python -m bench.eval [--requests 300] [--seed 7] [--now 2026-07-15T10:00:00+00:00]
[--show-failures]; a table on stdout, JSON under bench/results/. `--now` fixes the clock (and so the demo
city's season) to another moment than the harness's default."""

import argparse
import asyncio
import json
import time
from datetime import datetime
from pathlib import Path

from bench.eval.harness import MANY, NOW, evaluate, scratch_database

RESULTS = Path(__file__).resolve().parent.parent / 'results'
LABELS = {
    'requests': 'requests',
    'delivery_rate': 'delivery rate %',
    'delivery_rate_eligible': 'delivery rate % (window holds 2 fitting events)',
    'bundles_per_request': 'bundles per delivered request',
    'three_bundles_when_12_plus': '>= 3 bundles % (window holds >= 12 events)',
    'events_per_bundle': 'events per bundle',
    'events_per_bundle_multi_day': 'events per bundle (multi-day timeframes)',
    'hard_rule_pass': 'hard-rule pass % (bundles)',
    'commonsense_pass': 'commonsense pass % (bundles)',
    'free_text_honoured': 'free text honoured % (named thing fits a plan)',
    'named_requests': 'requests naming something that fits a plan',
    'named_unplannable': 'requests naming something no plan can hold',
    'taste_fit': 'taste fit % (music events matching the profile)',
    'avg_hop_min': 'average hop (min)',
    'longest_hop_min': 'longest hop (min)',
    'compact_bundles': 'bundles with every hop < 30 min %',
    'repeating_bundles': 'bundles with one series twice (same venue and night) %',
    'interest_coverage': 'interest coverage % (chosen interest in a plan when the window holds one beside the others)',
    'taste_fit_music': 'taste fit % (music/nightlife on the profile, wildcards apart)',
    'false_pick_claims': 'false "your pick" claims',
    'wildcards': 'labelled wildcards',
    'hard_wish_requests': 'requests with a hard wish %',
    'hard_wishes_kept_or_declined': 'hard wishes kept or declined in a note %',
    'repeated_titles': 'repeated titles in an answer',
    'idle_gaps_over_3h': 'idle gaps over 3 h inside one outing',
    'distinct_why_lines': 'distinct why lines in an answer %',
    'three_fit_plans_when_12_plus': '>= 3 plans over the fit floor % (window holds >= 12 events)',
    'drop_in_visits': 'drop-in visits used',
    'venue_returns': 'plans back at one venue on another day %',
    'meals_close': 'plans with two sit-down meals under 4 h apart %',
    'stops_per_outing': 'stops per outing (multi-day timeframes; a gap over 6 h is another outing)',
    'one_stop_outings': 'plans of 3+ stops, each on an outing of its own %',
    'film_marathons': 'plans with three films or more on one day (of plans with a film) %',
    'school_nights': 'stops until 01:00-09:00 of a working day (no late nights asked for) %',
    'date_outings': 'plans for a date that are one outing (first to last start < 12 h) %',
    'working_hours_stops': 'stops on a working day 09:00-17:00, attended whole %',
    'drop_ins_at_work': 'drop-in visits overlapping a working day 09:00-17:00 (no daytime asked for) %',
    'refinements': 'refinements (one per delivered plan)',
    'refinement_completed': 'refinements completed %',
    'refinement_completed_of_possible': 'refinements completed % (of those a change of <= 2 stops can do)',
    'refinement_refused_possible': 'refinements refused though such a change exists',
    'refinement_with_wildcard': 'refinements completed with a new stop labelled a wildcard %',
    'refinement_failed_with_reason': 'refinements refused with a reason %',
    'refinement_hard_rule_pass': 'refinement hard-rule pass %',
    'refinement_commonsense_pass': 'refinement commonsense pass %',
    'refinement_others_kept': 'refinements keeping the other bundles %',
    'refinement_followed': 'refinements doing what was asked % (swap, cheaper, closer, earlier, later)',
    'refinement_wishes_kept': 'refinements keeping the hard wish (or its note) %',
    'refinement_new_music_on_taste': 'music/nightlife brought in by a change on taste %',
    'refinement_named_kept': 'refinements keeping the event or venue named by the person %',
}


def table(summary: dict) -> str:
    lines = [f'{label:<52} {summary[key]}' for key, label in LABELS.items()]
    lines.append(f'{"rule failures":<52} {summary["rule_failures"] or "none"}')
    lines += ['failure reasons:', *(f'  - {reason}' for reason in summary['failure_reasons'])]
    return '\n'.join(lines)


def _short(fit: dict) -> bool:
    return len(fit['interests_covered']) < fit['interests_jointly']


def _uncovered(row: dict) -> list[str]:
    return sorted(set(row['fit']['interests_plannable']) - set(row['fit']['interests_covered']))


def failures(rows: list[dict]) -> str:
    """The requests behind each missed figure, one line each: what was asked and what came back."""

    def line(row: dict) -> str:
        prefs = row['preferences']
        asked = ', '.join(f'{k}={v}' for k, v in prefs.items())
        named = f' named={row["named"]}' if row['named'] else ''
        found = f'{row["matching_events"]} events, {len(row["bundles"])} bundles'
        missing = f' missing {_uncovered(row)}' if _uncovered(row) else ''
        titles = '; '.join(b['title'] for b in row['bundles'])
        return f'  - {asked}{named} | {found}{missing} [{titles}] | {row["error"] or ""}'

    groups = {
        'not delivered although the window holds two fitting events': [
            r for r in rows if r['eligible'] and r['status'] != 'completed'
        ],
        f'fewer than 3 bundles although the window holds >= {MANY} events': [
            r for r in rows if r['eligible'] and r['matching_events'] >= MANY and len(r['bundles']) < 3
        ],
        'free text not honoured': [r for r in rows if r['honoured'] is False and r['named_plannable']],
        'a chosen interest in no plan although the window holds one': [
            r
            for r in rows
            if r['status'] == 'completed' and len(r['fit']['interests_covered']) < r['fit']['interests_jointly']
        ],
    }
    return '\n'.join(f'{title}:\n' + '\n'.join(map(line, found)) for title, found in groups.items() if found)


def refused(rows: list[dict]) -> str:
    """The refinements refused, each with what was asked, the plan it was asked of, and the reason."""
    lines = [
        f'  - {r["kind"]}: {r["asked"]}\n      plan: {" | ".join(r["plan"])}\n      {r["error"]}'
        + (f'\n      could have been: {" | ".join(r["possible"])}' if r.get('possible') else '')
        for r in rows
        if r['status'] != 'completed'
    ]
    return 'refinements refused:\n' + '\n'.join(lines) if lines else ''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--requests', type=int, default=300)
    parser.add_argument('--seed', type=int, default=7)
    parser.add_argument('--label', default='eval')
    parser.add_argument('--now', type=datetime.fromisoformat, default=NOW, help='the clock, ISO 8601 with a UTC offset')
    parser.add_argument('--show-failures', action='store_true', help='list the requests behind each missed figure')
    args = parser.parse_args()
    with scratch_database():
        started = time.perf_counter()
        result = asyncio.run(evaluate(args.requests, seed=args.seed, now=args.now))
        elapsed = time.perf_counter() - started
    result['summary']['seconds'] = round(elapsed, 1)
    result['summary']['clock'] = args.now.isoformat()
    print(table(result['summary']))
    print(f'{"seconds":<52} {elapsed:.1f}')
    if args.show_failures:
        print(failures(result['requests']))
        print(refused(result['refinements']))
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f'{args.label}-{args.requests}-seed{args.seed}.json'
    path.write_text(json.dumps(result, indent=1, default=str))
    print(f'JSON: {path}')


if __name__ == '__main__':
    main()
