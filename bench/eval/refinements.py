"""Refinements in the evaluation: each delivered plan's first bundle refined once, through the real runner.

The kinds rotate over swap (replace the bundle's first event), cheaper, closer together, earlier, later and a
free-text wish. Every bundle of a completed refinement goes through the same hard-rule and common-sense
checks as a first plan, and each kind is judged on whether it did what it says (the swapped event gone and
the others kept; the bundle cheaper; less travel; an earlier or later start) or refused with a reason.
"""

import itertools
from typing import Any
from zoneinfo import ZoneInfo

from bench.eval import fit
from bench.eval.checks import SAME_OUTING, Catalog, check_bundles
from bench.eval.oracle import could_have
from bench.eval.requests import EvalRequest
from models.generation import Bundle, Generation, RefinementCreate, TimeWindow
from models.geo import estimate_travel
from services.planners.offline.refine_measures import day_seconds

KINDS = ('swap', 'cheaper', 'closer together', 'earlier', 'later', 'something quieter and cosy')
# Nobody asks for a quieter plan of one that is quiet already: screenings, exhibitions, talks, yoga, plays and
# walks, or rooms that are seated, small or unamplified, none of them loud.
QUIET_KINDS = {'film', 'art', 'talks', 'wellness', 'theatre', 'outdoors'}
QUIET_TAGS = {'quiet', 'intimate', 'seated', 'acoustic', 'cosy'}
LOUD_TAGS = {'stadium', 'sports-hall', 'dancefloor', 'warehouse', 'late-license', 'standing', 'techno', 'hip-hop'}


def refinement_for(index: int, parent: Generation) -> tuple[str, RefinementCreate]:
    kind = KINDS[index % len(KINDS)]
    if not _sensible(kind, parent.bundles[0]):  # nobody asks to make a free plan cheaper, or a walk closer
        kind = KINDS[(index + 1) % len(KINDS)]
    if kind == 'swap':
        first = parent.bundles[0]['keyEvents'][0]['eventId']
        return kind, RefinementCreate(bundle_index=0, replace_event_id=first)
    return kind, RefinementCreate(bundle_index=0, instruction=kind)


def _sensible(kind: str, bundle: dict[str, Any]) -> bool:
    cost = bundle.get('estimatedCost') or {}
    if kind == 'cheaper':
        return bool(cost.get('max'))
    if kind == 'closer together':
        hops = [e.get('travelFromPrevious') for e in bundle['keyEvents'][1:]]
        return any(h and h.get('mode') != 'walk' for h in hops)
    if kind == 'something quieter and cosy':
        return not all(_quiet(stop) for stop in bundle['keyEvents'])
    return True


def _quiet(stop: dict[str, Any]) -> bool:
    tags = set(stop.get('tags') or ())
    return (stop['category'] in QUIET_KINDS or bool(tags & QUIET_TAGS)) and not tags & LOUD_TAGS


def judge_refinement(
    kind: str, request: EvalRequest, parent: Generation, row: Generation, catalog: Catalog, *, city: str, now
) -> dict[str, Any]:
    result: dict[str, Any] = {'kind': kind, 'status': row.status, 'error': row.error}
    if row.status != 'completed':
        asked = request.preferences
        result['asked'] = f'{asked.interests} {asked.timeframe} budget={asked.budget} {asked.other_preferences!r}'
        result['plan'] = [_stop(e) for e in parent.bundles[0]['keyEvents']]
        result['possible'] = could_have(kind, request, parent, catalog, city=city)
        return result
    window = TimeWindow.model_validate(row.window)
    bundles = [Bundle.model_validate(b) for b in row.bundles or []]
    checked = check_bundles(request, bundles, window, catalog, city=city, now=now)
    result['hard_failures'] = sorted({f for r in checked for f in r.hard_failures})
    result['commonsense_failures'] = sorted({f for r in checked for f in r.commonsense_failures})
    before, after = Bundle.model_validate(parent.bundles[0]), bundles[0]
    result['others_kept'] = [b.model_dump(mode='json') for b in bundles[1:]] == parent.bundles[1:]
    result['followed'] = _followed(kind, before, after)
    # A change keeps what the first plans kept: the hard wish (or its note declining it) and the person's taste.
    hard, zone = fit.wish_of(request.preferences.other_preferences), ZoneInfo(window.timezone)
    events = {k.event_id: catalog.events[k.event_id][0] for k in after.key_events if k.event_id in catalog.events}
    notes = (parent.wish or {}).get('notes') or []
    result['wish_kept'] = None if hard is None else fit.hard_wish_kept(hard, [after], events, notes, zone)
    new = {k.event_id for k in after.key_events} - {k.event_id for k in before.key_events}
    changed = after.model_copy(update={'key_events': [k for k in after.key_events if k.event_id in new]})
    on_taste, music, _, _ = fit.taste_counts(request.preferences, [changed], request.named)
    result['new_music_on_taste'] = [on_taste, music]
    result['named_kept'] = _named_kept(request, kind, before, after)
    result['new_wildcard'] = any(k.wildcard for k in changed.key_events)  # done with a stop labelled so
    return result


def _named_kept(request: EvalRequest, kind: str, before: Bundle, after: Bundle) -> bool | None:
    """Whether a plan holding the event or venue the person named still holds it after a change they did not
    aim at it (a swap of that very stop is theirs to make); None when the plan did not hold it."""
    named = request.named
    if named is None or named.kind == 'genre':
        return None

    def holds(bundle: Bundle, skip: str = '') -> bool:
        field = 'title' if named.kind == 'event' else 'venue'
        return any(getattr(k, field) == named.value for k in bundle.key_events if k.event_id != skip)

    swapped = before.key_events[0].event_id if kind == 'swap' else ''
    return holds(after) if holds(before, skip=swapped) else None


def _stop(event: dict[str, Any]) -> str:
    """One stop of a refused refinement's plan, for reading: when, what, where, how much."""
    price = event.get('price') or {}
    return f'{event["startsAt"][5:16]} {event["title"][:40]} @ {event["venue"]} {price.get("max", "")}'


def _followed(kind: str, before: Bundle, after: Bundle) -> bool | None:
    """Whether the new bundle does what was asked; None where no figure can tell (a free-text wish)."""
    ids_before = [e.event_id for e in before.key_events]
    ids_after = [e.event_id for e in after.key_events]
    if kind == 'swap':
        return ids_before[0] not in ids_after and set(ids_before[1:]) <= set(ids_after)
    if kind == 'cheaper':  # the most it may cost first, then the least
        return _cost(after) < _cost(before)
    if kind == 'closer together':
        return _travel(after) < _travel(before)
    if kind == 'earlier':
        return _time_of_day(after) < _time_of_day(before)
    if kind == 'later':
        return _time_of_day(after) > _time_of_day(before)
    return None


def _time_of_day(bundle: Bundle) -> float:
    """When the bundle's stops are attended (a drop-in: its slot), on average, in the night-life day (06:00 to
    06:00)."""
    return sum(day_seconds(e.attended_from) for e in bundle.key_events) / len(bundle.key_events)


def _cost(bundle: Bundle) -> tuple[float, float]:
    cost = bundle.estimated_cost
    return (cost.max, cost.min) if cost else (0.0, 0.0)


def _travel(bundle: Bundle) -> int:
    """Minutes on the way between the stops of each outing (none from one day's last stop to the next day's)."""
    hops = (
        estimate_travel(a.lat, a.lon, b.lat, b.lon)
        for a, b in itertools.pairwise(bundle.key_events)
        if b.attended_from - a.attended_until < SAME_OUTING
    )
    return sum(hop.minutes for hop in hops if hop is not None)


def summarize_refinements(rows: list[dict[str, Any]]) -> dict[str, Any]:
    completed = [r for r in rows if r['status'] == 'completed']
    judged = [r for r in completed if r['followed'] is not None]
    refused = [r for r in rows if r['status'] != 'completed']

    def share(hits: int, total: int) -> float | None:
        return None if total == 0 else round(100 * hits / total, 1)

    return {
        'refinements': len(rows),
        'refinement_completed': share(len(completed), len(rows)),
        'refinement_failed_with_reason': share(
            sum(1 for r in rows if r['status'] == 'failed' and r['error']), len(rows)
        ),
        'refinement_hard_rule_pass': share(sum(1 for r in completed if not r['hard_failures']), len(completed)),
        'refinement_commonsense_pass': share(
            sum(1 for r in completed if not r['commonsense_failures']), len(completed)
        ),
        'refinement_others_kept': share(sum(1 for r in completed if r['others_kept']), len(completed)),
        'refinement_followed': share(sum(1 for r in judged if r['followed']), len(judged)),
        'refinement_wishes_kept': share(
            sum(1 for r in completed if r['wish_kept']), sum(1 for r in completed if r['wish_kept'] is not None)
        ),
        'refinement_named_kept': share(
            sum(1 for r in completed if r['named_kept']), sum(1 for r in completed if r['named_kept'] is not None)
        ),
        # A refusal the exhaustive search (oracle.py) proves right is the catalog's answer; one it cannot judge
        # (a free-text wish, a search cut short) counts as a change that could have been made.
        'refinement_refused_possible': sum(1 for r in refused if r['possible'] not in (None, False)),
        'refinement_completed_of_possible': share(
            len(completed), len(completed) + sum(1 for r in refused if r['possible'] is not False)
        ),
        'refinement_with_wildcard': share(sum(1 for r in completed if r.get('new_wildcard')), len(rows)),
        'refinement_new_music_on_taste': share(
            sum(r['new_music_on_taste'][0] for r in completed), sum(r['new_music_on_taste'][1] for r in completed)
        ),
    }
