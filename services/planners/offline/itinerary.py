"""The offline planner's plans: its themes and candidates handed to the planning core (`services/planning`),
and the core's plans written as bundles; why there are fewer plans than wanted when that happens.

Before the core: hard wishes are kept (or declined with a note), and events off the person's music taste are
left out, so every plan is over the fit floor; when an interest holds nothing on taste, its events may come
as labelled wildcards, and a note says so.
"""

import functools
import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from models.catalog import EventPublic
from models.generation import Bundle, TimeWindow
from models.geo import estimate_travel
from services.planners.offline.advice import interest_words, late_advice, left_out, shortfall
from services.planners.offline.scoring import Scored, slot_cost
from services.planners.offline.taste import Taste
from services.planners.offline.writing import Picked, Wording, as_visited, write_bundle
from services.planning.core import Planned, Theme, any_item, plan_answer
from services.planning.hard import broken_by, hard_kinds, hard_values, keep_hard_wishes, without_wishes
from services.planning.paths import Item, Rules, title_works
from services.planning.slots import Limits
from services.planning.wish import Wish
from services.text import join_words

TARGET_BUNDLES = 3
MIN_EVENTS = 2
RELAXED_BUILDS = 8  # sets of hard wishes tried when together they leave no plan, before all are left out
MAX_SPAN = timedelta(hours=60)  # one bundle is a weekend at most, even inside "Next 30 days"
MULTI_DAY_SPAN = timedelta(days=7)  # a longer timeframe: up to a week of evenings in one bundle
DATE_SPAN = timedelta(hours=12)  # a date is one outing: dinner, then a concert, then a bar, not four evenings
NEARBY_GAP = timedelta(minutes=15)
TRAVEL_GAP = timedelta(minutes=30)
TASTE_CATEGORIES = ('music', 'nightlife')  # the categories a music profile speaks for


@dataclass
class Plan:
    """What the pure planning step gives back: bundles, and why there are fewer than wanted."""

    bundles: list[Bundle]
    themes: list[str]
    shortfall: str = ''
    notes: list[str] = field(default_factory=list)
    declined: tuple[str, ...] = ()  # the kinds of hard wish it could not keep (services/planning/hard.py)


def build_plan(
    scored: Sequence[Scored],
    taste: Taste,
    window: TimeWindow,
    *,
    city_name: str,
    wish: Wish | None = None,
    days_off: frozenset[date] = frozenset(),
) -> Plan:
    """Up to TARGET_BUNDLES bundles from distinct themes, the strongest first. `days_off`: the public holidays of
    the window, when a drop-in's daytime slot is no working-hours visit."""
    wish = wish or Wish(interests=taste.interests, budget=taste.budget)
    build = functools.partial(_build, days_off=days_off)
    plan = build(scored, taste, window, city_name=city_name, wish=wish)
    if taste.genres and (not plan.bundles or _uncovered(plan, taste)):
        # Nothing on taste fits together, or a chosen interest pairs only with what is off taste: plans with
        # labelled wildcards, said so, when they cover more of what was chosen.
        wider = build(scored, taste, window, city_name=city_name, wish=wish, wild=True)
        if not plan.bundles or len(_uncovered(wider, taste)) < len(_uncovered(plan, taste)):
            plan = wider
    kinds = hard_kinds(wish)
    if plan.bundles or not kinds:
        return plan
    remake = functools.partial(build, scored, taste, window, city_name=city_name)
    return _with_fewer_wishes(scored, wish, kinds, window.label, build=remake) or plan


def _with_fewer_wishes(
    scored: Sequence[Scored], wish: Wish, kinds: list[str], label: str, *, build: Callable[..., Plan]
) -> Plan | None:
    """The hard wishes together leave no plan: the plans made without as few of them as can be (the most plans
    among those, the first in the order of RELAXABLE), with a note saying which wishes they keep and which not;
    None when even none of them makes a plan. At most RELAXED_BUILDS sets are tried before all are left out."""
    tried_builds = 0
    for size in range(len(kinds) - 1, -1, -1):
        tried = []
        for kept in itertools.combinations(kinds, size):
            if size and tried_builds >= RELAXED_BUILDS:
                break
            tried_builds += 1
            other = build(wish=without_wishes(wish, [kind for kind in kinds if kind not in kept]))
            if other.bundles and not set(kept) & set(other.declined):  # (one it declined: a smaller set, later)
                tried.append(other)
        if tried:
            other = max(tried, key=lambda plan: len(plan.bundles))
            # What the plans break, said; a wish left out that every stop keeps anyway is kept.
            events = {s.event.event_id: s.event for s in scored}
            attended = [
                as_visited(events[k.event_id], (k.attended_from, k.attended_until))
                for b in other.bundles
                for k in b.key_events
            ]
            broken = broken_by(wish, attended)
            held = [kind for kind in kinds if kind not in broken]
            notes = [_kept_some(label, hard_values(wish, held), hard_values(wish, broken))] if broken else []
            return Plan(other.bundles, other.themes, other.shortfall, [*notes, *other.notes], other.declined)
    return None


def _kept_some(label: str, kept: list[str], broken: list[str]) -> str:
    """'Nothing for Wed 14 Jul keeps "only Spandau" and "nothing after 22:00" together: these plans keep "nothing
    after 22:00", not "only Spandau".' Each wish in quotes: "not nothing after 22:00" would read as a double no."""
    kept, broken = [f'“{value}”' for value in kept], [f'“{value}”' for value in broken]
    if kept:
        return (
            f'Nothing for {label} keeps {join_words([*kept, *broken])} together: these plans keep '
            f'{join_words(kept)}, not {join_words(broken, "or")}.'
        )
    if len(broken) == 1:
        return f'Nothing for {label} keeps {broken[0]}, so these plans do not.'
    which = 'neither' if len(broken) == 2 else 'none of them'
    return f'Nothing for {label} keeps {join_words(broken, "or")}, so these plans keep {which}.'


def _uncovered(plan: Plan, taste: Taste) -> list[str]:
    shown = {k.category for b in plan.bundles for k in b.key_events}
    return [i for i in taste.interests if i not in shown]


def _build(
    scored: Sequence[Scored],
    taste: Taste,
    window: TimeWindow,
    *,
    city_name: str,
    wish: Wish,
    wild: bool = False,
    days_off: frozenset[date] = frozenset(),
) -> Plan:
    kept = keep_hard_wishes(scored, wish, event_of=lambda s: s.event, timezone=window.timezone, label=window.label)
    fitting, wildcards, taste_note = _on_taste(kept.candidates, taste, window, allow_wild=wild)
    notes = [*kept.notes, *([taste_note] if taste_note else [])]
    if len(fitting) < MIN_EVENTS:
        found = 'Only one event matches' if fitting else 'No events match'
        advice = late_advice(window) or 'Try other interests or dates.'
        return Plan([], [], f'{found} {interest_words(taste)} in {city_name} for {window.label}. {advice}', notes)
    by_id = {s.event.event_id: s for s in fitting}
    items = [Item(s.event, s.score, works_of(s.event), series_of(s.event)) for s in fitting]
    themes = _themes(fitting, taste, by_id)
    cost = slot_cost(wish, days_off)

    def plan_with(items: list[Item], rules: Rules) -> list[Planned]:
        return plan_answer(
            items, themes, limits=kept.limits, rules=rules, interests=taste.interests, target=TARGET_BUNDLES,
            slot_cost=cost,
        )  # fmt: skip

    rules = Rules(budget=taste.budget, max_span=max_span(window, wish))
    planned = plan_with(items, rules)
    if not planned and wish.date:  # no evening holds two of them: a date over several evenings beats none
        rules = Rules(budget=taste.budget, max_span=max_span(window))
        planned = plan_with(items, rules)
    if not planned:  # one recurring series is all there is (a walk every afternoon): twice beats no plan
        items = [replace(item, series_key=(item.event.event_id, '')) for item in items]
        planned = plan_with(items, rules)
    wording = Wording(taste=taste, wish=wish, window=window, wildcards=wildcards)
    bundles: list[Bundle] = []
    for plan in planned:
        picks = [Picked(by_id[items[v.item].event.event_id], v if v.drop_in else None) for v in plan.visits]
        bundles.append(write_bundle(plan.theme, picks, wording))
    shown = {k.category for b in bundles for k in b.key_events}
    if bundles and (absent := [i for i in taste.interests if i not in shown]):
        on, kept_on = Counter(s.event.category for s in scored), Counter(s.event.category for s in fitting)
        wishes = [item.value for item in wish.hard_items if item.kind != 'money']
        notes.append(left_out(absent, on, kept_on, wishes, taste, window))
    missing = ''
    if len(bundles) < TARGET_BUNDLES:
        missing = _why_fewer(len(bundles), fitting, taste, window, city_name, kept.limits, rules)
    return Plan(bundles, [b.title for b in bundles], missing, notes, tuple(kept.declined))


def _on_taste(
    candidates: Sequence[Scored], taste: Taste, window: TimeWindow, *, allow_wild: bool = False
) -> tuple[list[Scored], frozenset[str], str]:
    """The candidates over the fit floor: with a music profile, music and nightlife only on taste. An interest
    with nothing on taste keeps its events as wildcards (returned by id) and a note says so."""
    if not taste.genres:
        return list(candidates), frozenset(), ''
    # Named outright (an event, a venue, a genre of the free text): on the list whatever the profile says.
    fitting = [s for s in candidates if s.event.category not in TASTE_CATEGORIES or s.genre_hits or s.named]
    wild: list[Scored] = []
    for category in TASTE_CATEGORIES:
        # Nothing of it on taste (what was named outright apart: one bar named is not a taste for nightlife)
        if category in taste.interests and not any(s.event.category == category and s.genre_hits for s in fitting):
            wild += [s for s in candidates if s.event.category == category and not s.named]
    if len(fitting) + len(wild) < MIN_EVENTS or allow_wild:  # a plan with a wildcard, said so, beats none
        wild += [s for s in candidates if s not in fitting and s not in wild]
    if not wild:
        return fitting, frozenset(), ''
    profile = taste.profile or join_words(list(taste.named_genres))
    kinds = join_words(sorted({s.event.category for s in wild}))
    note = f'Little {profile} in {kinds} for {window.label}: some {kinds} events here are wildcards, marked as such.'
    ordered = sorted([*fitting, *wild], key=lambda s: (-s.score, s.event.starts_at, s.event.event_id))
    return ordered, frozenset(s.event.event_id for s in wild), note


def _themes(scored: Sequence[Scored], taste: Taste, by_id: dict[str, Scored]) -> list[Theme]:
    """What a plan may be about. Pure themes (every event a genre, a kind of venue, a category) and covering
    themes (at least one event of an interest), so every chosen interest gets a plan when one can be made."""

    def signal(item: Item) -> Scored:
        return by_id[item.event.event_id]

    themes: list[Theme] = []
    if any(s.named for s in scored):
        themes.append(Theme('named', any_item, must=lambda i: bool(signal(i).named), weight=3.0, wanted=True))
    for tag in taste.wanted_tags[:4]:
        themes.append(Theme(f'tag:{tag}', lambda i, tag=tag: tag in signal(i).tag_hits, weight=1.15, wanted=True))
    genre_counts = Counter(g for s in scored for g in s.genre_hits)
    for genre, _count in sorted(genre_counts.items(), key=lambda item: (-item[1], item[0]))[:5]:
        weight = 1.1 if genre in taste.named_genres else 1.0
        themes.append(Theme(f'genre:{genre}', lambda i, genre=genre: genre in signal(i).genre_hits, weight=weight))
    if taste.free or taste.cheap:
        themes.append(Theme('price:free', lambda i: i.event.price is not None and i.event.price.max == 0))
    for category in taste.interests:
        themes.append(Theme(f'category:{category}', lambda i, category=category: i.event.category == category))
        if len(taste.interests) > 1:
            themes.append(
                Theme(f'cover:{category}', any_item, must=lambda i, c=category: i.event.category == c, weight=0.95)
            )
    top_areas = Counter(s.event.neighborhood for s in scored[:30] if s.event.neighborhood)
    for area, _count in sorted(top_areas.items(), key=lambda item: (-item[1], item[0]))[:2]:
        themes.append(Theme(f'area:{area}', lambda i, area=area: i.event.neighborhood == area, weight=0.9))
    themes.append(Theme('best', any_item, weight=0.85))
    return themes


def _why_fewer(
    made: int,
    fitting: Sequence[Scored],
    taste: Taste,
    window: TimeWindow,
    city_name: str,
    limits: Limits,
    rules: Rules,
) -> str:
    """Why fewer plans than wanted: over the budget when plans exist without it, else they clash in time."""
    rejected: Counter[str] = Counter()
    if made == 0:
        items = [Item(s.event, s.score, works_of(s.event), series_of(s.event)) for s in fitting]

        def any_plan(budget: float | None, span: timedelta) -> bool:
            best = [Theme('best', any_item)]
            rules = Rules(budget, span)
            return bool(plan_answer(items, best, limits=limits, rules=rules, interests=taste.interests, target=1))

        if taste.budget is not None and any_plan(None, rules.max_span):
            rejected['budget'] += 1
        elif any_plan(rules.budget, timedelta(days=400)):
            rejected['span'] += 1
        else:
            rejected['overlap'] += 1
    return shortfall(made, len(fitting), taste, window, city_name, rejected)


def max_span(window: TimeWindow, wish: Wish | None = None) -> timedelta:
    """How far apart one bundle's events may start: a weekend, or up to a week of evenings when the
    timeframe is longer (two shows on two evenings of one week make a plan too); one outing for a date."""
    if wish is not None and wish.date:
        return DATE_SPAN
    return max(MAX_SPAN, min(window.end - window.start, MULTI_DAY_SPAN))


def series_of(event: EventPublic) -> tuple[str, str]:
    """A recurring night: its venue and the title before any colon ("Bar DJs: Duo Spree" -> "bar djs")."""
    return event.venue, event.title.split(':')[0].strip().lower()


def works_of(event: EventPublic) -> frozenset[str]:
    """One film or play once per answer (services.planning.paths.title_works)."""
    return title_works(event.title)


def travel_gap(a: EventPublic, b: EventPublic) -> timedelta:
    """How long to allow between two events: the travel estimate where both venues have a position (the one
    the validator checks); otherwise nothing inside one venue, a short walk inside one neighbourhood."""
    travel = estimate_travel(a.lat, a.lon, b.lat, b.lon)
    if travel is not None:
        return timedelta(minutes=travel.minutes)
    if a.venue == b.venue and a.neighborhood == b.neighborhood:
        return timedelta(0)
    if a.neighborhood and a.neighborhood == b.neighborhood:
        return NEARBY_GAP
    return TRAVEL_GAP
