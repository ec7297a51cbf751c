"""Runs the evaluation: the demo catalog at a fixed clock, seeded requests through the real runner with the
offline planner, every answer checked (bench/eval/checks.py) and summed up into the figures of
docs/QUALITY.md. `evaluate` needs an empty database engine in place; `python -m bench.eval` makes one.
"""

import asyncio
import statistics
import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bench.eval import fit as fit_checks
from bench.eval.checks import COMPACT_HOP_MIN, Catalog, check_bundles, coverable, honoured, pairable, taste_fit
from bench.eval.refinements import judge_refinement, refinement_for, summarize_refinements
from bench.eval.requests import EvalRequest, make_requests
from models import db, schema
from models.catalog import City, Event, Venue
from models.generation import FINISHED_STATUSES, Bundle, Generation, RefinementCreate, TimeWindow
from services import clock
from services.catalog import demo, queries
from services.generations import service
from services.planners.offline import OfflinePlanner
from services.timeframes import days_off
from settings import settings

DAYTIME_WISHES = {'daytime only', 'with kids', 'early'}
LATE_WISHES = {'late', 'all night', 'late night'}
NOW = datetime(2025, 12, 3, 10, 0, tzinfo=UTC)  # a Wednesday morning: "This weekend" lies ahead
MANY = 12  # a window holding this many matching events should give three bundles


@contextmanager
def scratch_database() -> Iterator[None]:
    """An empty SQLite database in a temporary folder and a planner without step delays: what a run plans on."""
    with tempfile.TemporaryDirectory() as folder:
        settings.data_dir = Path(folder)
        settings.database_url = f'sqlite:///{folder}/eval.db'
        settings.offline_step_delay_s = 0
        db.use_engine(db.build_engine(settings.database_url))
        schema.create_db_and_tables()
        try:
            yield
        finally:
            db.use_engine(None)


@contextmanager
def fixed_clock(now: datetime) -> Iterator[None]:
    original = clock.now
    clock.now = lambda: now
    try:
        yield
    finally:
        clock.now = original


async def evaluate(count: int, *, seed: int = 7, now: datetime = NOW, refine: bool = True) -> dict[str, Any]:
    """The figures for `count` seeded requests (and a refinement of each plan), one row per request for the JSON."""
    with fixed_clock(now):
        with db.session_scope() as session:
            demo.refresh_demo_catalog(session=session, now=now)
            city = queries.get_city(session=session, name='Berlin')
            requests = make_requests(count, seed=seed, session=session, city=city, now=now)
            catalog = _catalog(session)
        async with _runner():
            rows = await _wait([(await _start(r, i)).id for i, r in enumerate(requests)])
            delivered = [(r, row) for r, row in zip(requests, rows, strict=True) if row.status == 'completed']
            changes = [(r, row, *refinement_for(i, row)) for i, (r, row) in enumerate(delivered)] if refine else []
            refined = await _wait([(await _refine(row, change, i)).id for i, (_, row, _, change) in enumerate(changes)])
        with db.session_scope() as session:
            per_request = [
                _judge(request, row, catalog, session=session, city=city, now=now)
                for request, row in zip(requests, rows, strict=True)
            ]
        per_refinement = [
            judge_refinement(kind, request, parent, row, catalog, city=city.name, now=now)
            for (request, parent, kind, _), row in zip(changes, refined, strict=True)
        ]
    summary = summarize(per_request) | summarize_refinements(per_refinement)
    return {'summary': summary, 'requests': per_request, 'refinements': per_refinement}


def _catalog(session) -> Catalog:
    rows = session.exec(select(Event, Venue, City).join(Venue, col(Venue.id) == col(Event.venue_id)).join(City)).all()
    return Catalog({event.id: (queries.to_public(event, venue, city), city.name) for event, venue, city in rows})


@asynccontextmanager
async def _runner() -> AsyncIterator[None]:
    """The app's runner with the offline planner, no rate limit: one evaluation client makes hundreds of plans."""
    limit = settings.rate_limit_per_hour
    settings.rate_limit_per_hour = 0
    service.start_runner(
        planner_for=lambda _name: OfflinePlanner(),
        max_concurrent=settings.max_concurrent_generations,
        lease_seconds=settings.lease_seconds,
    )
    try:
        yield
    finally:
        await service.stop_runner()
        settings.rate_limit_per_hour = limit


async def _start(request: EvalRequest, index: int) -> Generation:
    return await service.start_generation(preferences=request.preferences, client_id=f'eval:{index}')


async def _refine(parent: Generation, change: RefinementCreate, index: int) -> Generation:
    return await service.refine_generation(parent_id=parent.id, change=change, client_id=f'eval-refine:{index}')


async def _wait(ids: list[str]) -> list[Generation]:
    """The rows once all are finished, in the order of `ids`."""
    async with asyncio.timeout(60 + len(ids)):
        while True:
            with db.session_scope() as session:
                rows = {g.id: g for g in session.exec(select(Generation).where(col(Generation.id).in_(ids)))}
                if all(g.status in FINISHED_STATUSES for g in rows.values()):
                    for row in rows.values():
                        session.expunge(row)
                    return [rows[i] for i in ids]
            await asyncio.sleep(0.05)


def _judge(request: EvalRequest, row: Generation, catalog: Catalog, *, session, city, now) -> dict[str, Any]:
    window = TimeWindow.model_validate(row.window)
    prefs = request.preferences
    candidates = queries.list_candidates(  # the whole window: what a planner's capped read left out counts too
        session=session, city=city, window=window, categories=prefs.interests, max_price=prefs.budget, limit=None
    )
    candidates = [e for e in candidates if e.ends_at > now]
    bundles = [Bundle.model_validate(b) for b in row.bundles or []]
    results = check_bundles(request, bundles, window, catalog, city=city.name, now=now)
    fit, music = taste_fit(request, bundles)
    wish = row.wish or {}
    hard = fit_checks.wish_of(prefs.other_preferences)
    zone = ZoneInfo(window.timezone)
    events = {
        k.event_id: catalog.events[k.event_id][0] for b in bundles for k in b.key_events if k.event_id in catalog.events
    }
    on_taste, labelled, false_claims, wildcards = fit_checks.taste_counts(prefs, bundles, request.named)
    distinct, lines = fit_checks.why_lines(bundles)
    # The parts of a hard wish the answer kept narrow what the window holds for each interest.
    attended = [
        fit_checks.as_attended(events[k.event_id], k) for b in bundles for k in b.key_events if k.event_id in events
    ]
    rules = hard.kept_parts(wish.get('notes') or [], attended, zone) if hard else []
    held = [e for e in candidates if all(rule(e, zone) for rule in rules)]
    plannable = [i for i in prefs.interests if pairable(held, prefs.budget, category=i)]
    covered = fit_checks.covered_interests(bundles) & set(plannable)
    # An answer that misses an interest is judged against what disjoint plans could cover at once.
    jointly = (
        len(plannable) if covered >= set(plannable) else max(len(covered), coverable(held, prefs.budget, plannable))
    )
    genres = fit_checks.asked_genres(prefs, request.named)
    fitting = [e for e in held if fit_checks.on_taste(e, genres, request.named)]
    return {
        'preferences': prefs.model_dump(mode='json', exclude_none=True),
        'named': None if request.named is None else vars(request.named),
        'status': row.status,
        'error': row.error,
        'window_days': round((window.end - window.start) / timedelta(days=1), 2),
        'matching_events': len(candidates),
        'eligible': pairable(candidates, prefs.budget),
        'bundles': [
            {
                'title': b.title,
                'events': r.events,
                'hard_failures': r.hard_failures,
                'commonsense_failures': r.commonsense_failures,
                'hops': r.hops,
                'repeats': r.repeats,
            }
            for b, r in zip(bundles, results, strict=True)
        ],
        # Counted only when a plan can hold it: what was named pairs with another event of the window.
        'named_plannable': request.named is not None and pairable(candidates, prefs.budget, request.named),
        'honoured': honoured(request, bundles),
        'taste': [fit, music],
        'fit': {
            'interests_plannable': plannable,
            'interests_covered': sorted(covered),
            'interests_jointly': jointly,
            'on_taste': [on_taste, labelled],
            'false_claims': false_claims,
            'wildcards': wildcards,
            'hard_wish': None if hard is None else hard.text,
            'hard_wish_kept': None
            if hard is None
            else fit_checks.hard_wish_kept(hard, bundles, events, wish.get('notes') or [], zone),
            'repeated_titles': fit_checks.repeated_titles(bundles),
            'idle_gaps': fit_checks.idle_gaps(bundles),
            'why_lines': [distinct, lines],
            'fit_plans': fit_checks.fit_plans(prefs, bundles, request.named),
            'matching_fit': len(fitting),
            'drop_ins': fit_checks.drop_ins(bundles),
            'outings': fit_checks.outings(bundles),
            'film_marathons': fit_checks.film_marathons(bundles),
            'venue_returns': fit_checks.venue_returns(bundles, zone),
            'meals_close': fit_checks.meals_close(bundles),
            # A date is one outing: measured where the free text asks for one ("date night ideas").
            'date_outings': fit_checks.one_outing(bundles) if 'date' in (prefs.other_preferences or '') else (0, 0),
            'working_hours': fit_checks.working_hours(bundles, zone, days_off(country=city.country, window=window)),
            # Daytime asked for ("daytime only", "with kids", "early"): a weekday afternoon visit is what they want.
            'drop_ins_at_work': (0, 0)
            if DAYTIME_WISHES & {i['value'] for i in wish.get('understood') or []}
            else fit_checks.drop_ins_at_work(bundles, zone, days_off(country=city.country, window=window)),
            # Late nights asked for ("late", "all night"): a Monday until 04:00 is what they want.
            'school_nights': (0, 0)
            if LATE_WISHES & {i['value'] for i in wish.get('understood') or []}
            else fit_checks.school_nights(bundles, zone, days_off(country=city.country, window=window)),
            'understood': len(wish.get('understood') or []),
            'notes': wish.get('notes') or [],
        },
    }


def summarize_fit(rows: list[dict[str, Any]], delivered: list[dict[str, Any]]) -> dict[str, Any]:
    fits = [r['fit'] for r in delivered]
    many_days = [r['fit'] for r in delivered if r['window_days'] > 1.5]
    wished = [f for f in (r['fit'] for r in rows) if f['hard_wish'] is not None]
    many = [r for r in rows if r['eligible'] and r['fit']['matching_fit'] >= MANY]
    plannable = sum(f['interests_jointly'] for f in fits)
    return {
        'interest_coverage': _share(sum(len(f['interests_covered']) for f in fits), plannable),
        'taste_fit_music': _share(sum(f['on_taste'][0] for f in fits), sum(f['on_taste'][1] for f in fits)),
        'false_pick_claims': sum(f['false_claims'] for f in fits),
        'wildcards': sum(f['wildcards'] for f in fits),
        'hard_wish_requests': _share(len(wished), len(rows)),
        'hard_wishes_kept_or_declined': _share(sum(1 for f in wished if f['hard_wish_kept'] is not False), len(wished)),
        'repeated_titles': sum(f['repeated_titles'] for f in fits),
        'idle_gaps_over_3h': sum(f['idle_gaps'] for f in fits),
        'distinct_why_lines': _share(sum(f['why_lines'][0] for f in fits), sum(f['why_lines'][1] for f in fits)),
        'three_fit_plans_when_12_plus': _share(sum(1 for r in many if r['fit']['fit_plans'] >= 3), len(many)),
        'drop_in_visits': sum(f['drop_ins'] for f in fits),
        'stops_per_outing': _ratio(sum(f['outings'][0] for f in many_days), sum(f['outings'][1] for f in many_days)),
        'one_stop_outings': _share(sum(f['outings'][2] for f in fits), sum(f['outings'][3] for f in fits)),
        'venue_returns': _share(sum(f['venue_returns'][0] for f in fits), sum(f['venue_returns'][1] for f in fits)),
        'meals_close': _share(sum(f['meals_close'][0] for f in fits), sum(f['meals_close'][1] for f in fits)),
        'date_outings': _share(sum(f['date_outings'][0] for f in fits), sum(f['date_outings'][1] for f in fits)),
        'drop_ins_at_work': _share(
            sum(f['drop_ins_at_work'][0] for f in fits), sum(f['drop_ins_at_work'][1] for f in fits)
        ),
        'film_marathons': _share(sum(f['film_marathons'][0] for f in fits), sum(f['film_marathons'][1] for f in fits)),
        'school_nights': _share(sum(f['school_nights'][0] for f in fits), sum(f['school_nights'][1] for f in fits)),
        'working_hours_stops': _share(
            sum(f['working_hours'][0] for f in fits), sum(f['working_hours'][1] for f in fits)
        ),
    }


def _ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 2)


def _share(hits: int, total: int) -> float | None:
    return None if total == 0 else round(100 * hits / total, 1)


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    delivered = [r for r in rows if r['status'] == 'completed']
    eligible = [r for r in rows if r['eligible']]
    many = [r for r in rows if r['eligible'] and r['matching_events'] >= MANY]
    bundles = [b for r in delivered for b in r['bundles']]
    multi_day = [b for r in delivered if r['window_days'] > 1.5 for b in r['bundles']]
    named = [r for r in rows if r['honoured'] is not None and r['named_plannable']]
    fit = sum(r['taste'][0] for r in delivered)
    music = sum(r['taste'][1] for r in delivered)
    hopped = [b for b in bundles if b['hops']]
    failures = Counter(f for b in bundles for f in b['hard_failures'] + b['commonsense_failures'])
    return {
        'requests': len(rows),
        'delivery_rate': _share(len(delivered), len(rows)),
        'delivery_rate_eligible': _share(sum(1 for r in eligible if r['status'] == 'completed'), len(eligible)),
        'eligible_requests': len(eligible),
        'bundles_per_request': round(len(bundles) / max(1, len(delivered)), 2),
        'three_bundles_when_12_plus': _share(sum(1 for r in many if len(r['bundles']) >= 3), len(many)),
        'events_per_bundle': round(statistics.fmean(b['events'] for b in bundles), 2) if bundles else None,
        'events_per_bundle_multi_day': round(statistics.fmean(b['events'] for b in multi_day), 2)
        if multi_day
        else None,
        'hard_rule_pass': _share(sum(1 for b in bundles if not b['hard_failures']), len(bundles)),
        'commonsense_pass': _share(sum(1 for b in bundles if not b['commonsense_failures']), len(bundles)),
        'free_text_honoured': _share(sum(1 for r in named if r['honoured']), len(named)),
        'named_requests': len(named),
        'named_unplannable': sum(1 for r in rows if r['honoured'] is not None and not r['named_plannable']),
        'taste_fit': _share(fit, music),
        'avg_hop_min': round(statistics.fmean(statistics.fmean(b['hops']) for b in hopped), 1) if hopped else None,
        'longest_hop_min': max((max(b['hops']) for b in hopped), default=None),
        'compact_bundles': _share(sum(1 for b in bundles if all(h < COMPACT_HOP_MIN for h in b['hops'])), len(bundles)),
        'repeating_bundles': _share(sum(1 for b in bundles if b['repeats']), len(bundles)),
        **summarize_fit(rows, delivered),
        'rule_failures': dict(failures),
        'failure_reasons': sorted({r['error'] for r in rows if r['status'] == 'failed' and r['error']})[:20],
    }
