"""The offline planner: deterministic, catalog-grounded bundles with no API key (docs/ARCHITECTURE.md, planners).

Steps: read the window's candidate events (one short database session), score each against the person's
interests, music profile and free text, pick the themes that make the strongest plans, fill each with 2-5
non-overlapping events (no event in two bundles, within the budget), write the texts from the real matching
signals, and hand each bundle to the runner, which stores it only when the grounding validator accepts it.
"""

import asyncio
from collections.abc import Sequence
from datetime import date

from sqlmodel import Session

from models.catalog import City, EventPublic
from models.generation import Bundle, Preferences, TimeWindow
from services.catalog import queries
from services.database import in_db, in_thread
from services.planners.base import PlanContext, PlannerError, PlanRequest
from services.planners.offline.itinerary import TARGET_BUNDLES, build_plan
from services.planners.offline.refine import refine
from services.planners.offline.scoring import Scored, score_events
from services.planners.offline.taste import Taste, favour_of, read_taste, with_wish
from services.planning.wish import Wish, read_preferences
from services.timeframes import days_off
from settings import settings


class OfflinePlanner:
    name = 'offline'

    async def plan(self, request: PlanRequest, context: PlanContext) -> list[Bundle]:
        if request.refinement is not None:
            return await refine(request, request.refinement, context)
        delay = settings.offline_step_delay_s
        taste = read_taste(request.preferences)
        saved = request.saved_bundles
        if len(saved) >= TARGET_BUNDLES:
            return saved
        city, events, areas = await in_db(load_candidates, city_name=request.city, window=request.window, taste=taste)
        # Reading the wish, scoring and planning are pure CPU (tens of ms on a big catalog): off the event loop, so
        # pages and the API stay responsive while many plans run.
        read = await in_thread(read_and_score, request.preferences, taste, city, events, areas, request.window)
        wish, taste, off, scored = read
        used = {e.event_id for b in saved for e in b.key_events}  # a restart makes only the bundles still missing
        scored = [s for s in scored if s.event.event_id not in used]
        await context.save_wish(wish.public())
        await context.report(f'Searched {len(events)} events: {_search_summary(taste)}, {request.window.label}')
        await asyncio.sleep(delay)
        await context.report(_scoring_summary(scored, taste))
        await asyncio.sleep(delay)
        plan = await in_thread(build_plan, scored, taste, request.window, city_name=city.name, wish=wish, days_off=off)
        if plan.themes:
            await context.report(f'Picked {len(plan.themes)} themes: {"; ".join(plan.themes)}')
            await asyncio.sleep(delay)
        # Each bundle is checked once, by the runner as it is stored (the grounding rule): no check of our own.
        added = await _emit(plan.bundles[: TARGET_BUNDLES - len(saved)], context, delay, already=len(saved))
        if not added and not saved:
            if plan.notes:
                await context.save_wish({**wish.public(), 'notes': plan.notes})
            raise PlannerError(plan.shortfall or 'No plan could be made from the events available.')
        total = len(saved) + len(added)
        note = f' ({plan.shortfall})' if total < TARGET_BUNDLES and plan.shortfall else ''
        fewer = [f'{plan.shortfall[0].upper()}{plan.shortfall[1:]}.'] if note else []
        if plan.notes or fewer:
            await context.save_wish({**wish.public(), 'notes': [*plan.notes, *fewer]})
        await context.report(f'Wrote {total} bundle{"s" if total != 1 else ""}{note}')
        return [*saved, *added]


def read_and_score(
    preferences: Preferences, taste: Taste, city: City, events: list[EventPublic], areas: list[str], window: TimeWindow
) -> tuple[Wish, Taste, frozenset[date], list[Scored]]:
    """The wish read (it matches every candidate's title and venue against the free text), the taste with it, the
    window's public holidays (their first read loads a calendar) and the candidates scored."""
    wish = read_preferences(preferences, areas=areas, events=events)
    taste = with_wish(taste, wish)
    off = days_off(country=city.country, window=window)
    return wish, taste, off, score_events(events, taste, wish, days_off=off)


async def _emit(bundles: Sequence[Bundle], context: PlanContext, delay: float, *, already: int) -> list[Bundle]:
    """Stores each bundle as soon as it is written, so the page shows it while the next one is made."""
    added: list[Bundle] = []
    for bundle in bundles:
        if await context.add_bundle(bundle):
            continue  # refused (a rule broken meanwhile): the runner never shows it
        added.append(bundle)
        await context.report(f'Bundle {already + len(added)} ready: {bundle.title}')
        await asyncio.sleep(delay)
    return added


def load_candidates(
    *, session: Session, city_name: str, window: TimeWindow, taste: Taste
) -> tuple[City, list[EventPublic], list[str]]:
    city = queries.get_city(session=session, name=city_name or None)
    if city is None:
        raise PlannerError(f'There is no events catalog for {city_name or "any city"} yet.')
    areas = queries.list_neighborhoods(session=session, city=city)
    events = queries.list_candidates(
        session=session,
        city=city,
        window=window,
        categories=taste.interests,
        max_price=taste.budget,
        favour=favour_of(taste, areas),
    )
    return city, events, areas


def _search_summary(taste: Taste) -> str:
    parts = ', '.join(taste.interests)
    if taste.named_genres:
        parts += '; ' + ', '.join(g.replace('-', ' ') for g in taste.named_genres)
    return parts


def _scoring_summary(scored: Sequence[Scored], taste: Taste) -> str:
    notes = []
    if taste.genres:
        notes.append(f'{sum(1 for s in scored if s.genre_hits)} match your music')
    for tag in taste.wanted_tags[:2]:
        notes.append(f'{sum(1 for s in scored if tag in s.tag_hits)} at {tag.replace("-", " ")} venues')
    if taste.cheap or taste.free:
        notes.append(f'{sum(1 for s in scored if s.cheap_or_free)} cheap or free')
    detail = f': {", ".join(notes)}' if notes else ''
    return f'Scored {len(scored)} events against your tastes{detail}'
