"""The planning core (docs/ARCHITECTURE.md, planning core): from scored candidates to the answer's plans.

Each theme (a pool of candidates, and optionally candidates a plan must include) gives its best plans of
2-4 stops through a dynamic programme over visits (`paths`, exact on small pools); the answer is the best
compatible set of those plans (`packing`): no event or title twice, the chosen interests covered, then the most
plans, then the most value. When that leaves plans missing, a second round plans every theme again around what
the first round chose, so the packing has disjoint alternatives to pick from.
"""

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from services.planning.packing import Option, choose
from services.planning.paths import Item, Path, Rules, Ways, best_paths, can_pair, price_of
from services.planning.slots import Limits, Visit, visits_of

POOL = 24  # the best candidates of a theme planned over (its must-visits on top)
PARTNERS = 12  # partners that can share a plan with a must-visit, on top of the pool
ANCHORS = 8  # the must-visits partners are looked for
PARTNERS_SCANNED = 400  # how far down the list partners are looked for

# The best plans of one theme pool, by (pool, must-visits, rules): a later round whose theme left out nothing of
# that pool (another theme's plan took other events) plans nothing again. Lives for one answer.
Memo = dict[tuple[tuple[int, ...], frozenset[int], Rules], list[Path]]


def any_item(item: Item) -> bool:
    """A theme that takes every candidate (the best of the day, a covering theme): its pool is the whole list."""
    return True


@dataclass(frozen=True)
class Theme:
    key: str  # 'genre:techno', 'cover:food', 'named', 'best'...
    accepts: Callable[[Item], bool]
    must: Callable[[Item], bool] | None = None  # a plan of this theme visits at least one such candidate
    weight: float = 1.0  # themes the person named outright win ties
    wanted: bool = False  # asked for outright: the answer holds a plan of it when one can be made


@dataclass(frozen=True)
class Planned:
    theme: str
    visits: tuple[Visit, ...]
    value: float


class _Pool(NamedTuple):
    """A theme's candidates that can be visited at all, best first, and those of them it must visit."""

    accepted: list[int]
    must: list[int]
    cheapest: list[int]  # the cheapest of them, for a budget the best ones may all overrun


def plan_answer(
    items: Sequence[Item],
    themes: Sequence[Theme],
    *,
    limits: Limits,
    rules: Rules,
    interests: Sequence[str],
    target: int,
    slot_cost: Callable[[Visit], float] | None = None,
) -> list[Planned]:
    """Up to `target` plans, the strongest first. `slot_cost` weighs each visit's time (a drop-in's slot in
    working hours), taken from the plan's value."""
    visits = {i: visits_of(i, item.event, limits) for i, item in enumerate(items)}
    if slot_cost is not None:
        visits = {i: [v._replace(cost=slot_cost(v)) for v in vs] for i, vs in visits.items()}
    ways: Ways = {}  # the way between two candidates, found once for every theme and round
    memo: Memo = {}
    pools = _pools(items, themes, visits)
    options = _options(items, themes, pools, visits, rules, ways, memo, excluded=frozenset())
    chosen = choose(options, target=target, interests=interests)
    covered = {c for option in chosen for c in option.interests}
    if len(chosen) < target or not set(interests) <= covered:
        # The best plans share events: plan again in turn, each time around what the turns before took, with
        # smaller plans too (three plans of two beat one of four), and let the packing choose among all of it.
        for stops in dict.fromkeys((rules.max_stops, 2)):
            rules_now = replace(rules, max_stops=stops)
            options += _in_turn(items, themes, pools, visits, rules_now, ways, memo, target, f'#{stops}')
        chosen = choose(options, target=target, interests=interests)
    return [Planned(o.theme.split('#')[0], o.visits, o.value) for o in chosen]


def _in_turn(
    items: Sequence[Item],
    themes: Sequence[Theme],
    pools: list[_Pool],
    visits: dict[int, list[Visit]],
    rules: Rules,
    ways: Ways,
    memo: Memo,
    target: int,
    suffix: str,
) -> list[Option]:
    """Plans made one after another, each the best of any theme among the events the others left."""
    found: list[Option] = []
    used: frozenset[int] = frozenset()
    titles: frozenset[str] = frozenset()
    for turn in range(target):
        excluded = used | {i for i, item in enumerate(items) if item.works & titles}
        round_suffix = f'{suffix}.{turn}'
        made = _options(
            items, themes, pools, visits, rules, ways, memo, excluded=frozenset(excluded), suffix=round_suffix
        )
        options = [
            o
            for o in made
            if not o.titles & titles and not any(o.theme.split('#')[0] == f.theme.split('#')[0] for f in found)
        ]
        if not options:
            break
        best = max(options, key=lambda o: o.value)
        found.append(best)
        used, titles = used | best.items, titles | best.titles
    return found


def _pools(items: Sequence[Item], themes: Sequence[Theme], visits: dict[int, list[Visit]]) -> list[_Pool]:
    """Each theme's pool, once for all the rounds (a round only leaves out what the rounds before took). The
    candidates are put in order by value and by price once, and each theme keeps what it accepts of them, in
    those orders (ties by index, as sorting each theme's own list would give)."""
    by_value = sorted((i for i in range(len(items)) if visits[i]), key=lambda i: -items[i].value)
    by_price = sorted(by_value, key=lambda i: price_of(items[i].event))  # stable: value breaks a tie in price
    pools = []
    for theme in themes:
        accepted = list(by_value) if theme.accepts is any_item else [i for i in by_value if theme.accepts(items[i])]
        must = [i for i in accepted if theme.must(items[i])] if theme.must else []
        kept = set(accepted)
        cheapest = list(itertools.islice((i for i in by_price if i in kept), 2 * PARTNERS))
        pools.append(_Pool(accepted, must, cheapest))
    return pools


def _options(
    items: Sequence[Item],
    themes: Sequence[Theme],
    pools: list[_Pool],
    visits: dict[int, list[Visit]],
    rules: Rules,
    ways: Ways,
    memo: Memo,
    *,
    excluded: frozenset[int],
    suffix: str = '',
) -> list[Option]:
    options: list[Option] = []
    for theme, pool in zip(themes, pools, strict=True):
        must = frozenset(i for i in pool.must if i not in excluded)
        if theme.must and not must:
            continue
        # The best others beside the must-visits (not instead of them: twenty of a kind that all start at once
        # would leave the must-visits nothing to pair with).
        others = [i for i in pool.accepted if i not in excluded and i not in must]
        best = [*others[:POOL], *_partners(items, others[POOL:], must, visits, rules, ways)]
        if rules.budget is not None:  # two of the best can cost more than the budget: the cheapest few too
            best += [i for i in pool.cheapest if i not in excluded and i not in must][:PARTNERS]
            best = list(dict.fromkeys(best))
        if len(best) + len(must) < 2:
            continue
        chosen_pool = tuple(dict.fromkeys([*best, *sorted(must, key=lambda i: -items[i].value)[:POOL]]))
        paths = memo.get((chosen_pool, must, rules))
        if paths is None:
            theme_visits = [v for i in chosen_pool for v in visits[i]]
            paths = memo[chosen_pool, must, rules] = best_paths(items, theme_visits, rules, must=must, ways=ways)
        options += [_option(f'{theme.key}{suffix}', path, items, theme) for path in paths]
    return options


def _partners(
    items: Sequence[Item],
    others: Sequence[int],
    must: frozenset[int],
    visits: dict[int, list[Visit]],
    rules: Rules,
    ways: Ways,
) -> list[int]:
    """The best few candidates beyond the pool that can share a plan with one of the theme's best must-visits:
    before or after it with the way between, and affordable beside it. Twenty-four concerts that start with the
    one talk of the day can fill the pool, while the soul night after the talk is its partner; a yoga class at 18
    within 25 pairs only with a free bar night, never with the clubs at 12 that top the list."""
    anchors = sorted(must, key=lambda i: -items[i].value)[:ANCHORS]
    found: list[int] = []
    for other in others[:PARTNERS_SCANNED]:
        if any(_pair(items, visits, anchor, other, rules, ways) for anchor in anchors):
            found.append(other)
            if len(found) == PARTNERS:
                break
    return found


def _pair(items: Sequence[Item], visits: dict[int, list[Visit]], a: int, b: int, rules: Rules, ways: Ways) -> bool:
    return any(
        can_pair(items, x, y, rules, ways) or can_pair(items, y, x, rules, ways) for x in visits[a] for y in visits[b]
    )


def _option(key: str, path: Path, items: Sequence[Item], theme: Theme) -> Option:
    events = [items[i] for i in path.items]
    return Option(
        theme=key,
        value=path.value * theme.weight,
        items=frozenset(path.items),
        titles=frozenset().union(*(item.works for item in events)),
        interests=frozenset(item.event.category for item in events),
        wanted=theme.wanted,
        weight=theme.weight,
        visits=path.visits,
    )
