"""Choosing the answer's plans among the best paths: a small set-packing problem, solved exactly by a
depth-first search with a bound. Plans of one answer share no event and no title (one film once); each
theme gives one plan. The best choice covers most of the chosen interests, then has the most plans, then the
most value: fewer plans that fit beat more padded ones, because only paths over the fit floor come here.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

MAX_OPTIONS = 48  # the best options searched; beyond that the search would cost more than it finds
COVERING_OPTIONS = 4  # options added for each chosen interest the best ones leave uncovered


@dataclass(frozen=True)
class Option:
    theme: str
    value: float
    items: frozenset[int]
    titles: frozenset[str]
    interests: frozenset[str]  # the chosen interests its events cover
    wanted: bool = False  # a theme the person asked for outright (a named event, a kind of venue)
    weight: float = 1.0  # how directly the theme answers what was asked: the answer shows those plans first
    visits: tuple[Any, ...] = field(default=(), compare=False)  # the plan itself, for whoever chose it


def choose(options: Sequence[Option], *, target: int, interests: Sequence[str]) -> list[Option]:
    """The best `target` (or fewer) compatible options, by (interests covered, a theme asked for outright,
    plans, value); the plans of the themes asked for most directly first."""
    wanted = frozenset(interests)
    ranked = _searched(options, wanted)
    best: tuple[tuple[int, int, int, float], list[Option]] = ((0, 0, 0, 0.0), [])
    top_value = [o.value for o in ranked]
    # What the options from each position on could still add: their interests, and whether one was asked for.
    reach: list[frozenset[str]] = [frozenset()] * (len(ranked) + 1)
    asked_after = [False] * (len(ranked) + 1)
    for index in range(len(ranked) - 1, -1, -1):
        reach[index] = reach[index + 1] | (ranked[index].interests & wanted)
        asked_after[index] = asked_after[index + 1] or ranked[index].wanted

    def search(start: int, chosen: list[Option], covered: frozenset[str], value: float) -> None:
        nonlocal best
        themes = len({o.theme.split('#')[0] for o in chosen if o.wanted})
        score = (len(covered & wanted), min(themes, 1), len(chosen), value)
        if score > best[0]:
            best = (score, list(chosen))
        if len(chosen) == target:
            return
        room = min(target - len(chosen), len(ranked) - start)
        bound = (
            len((covered | reach[start]) & wanted),
            1 if themes or asked_after[start] else 0,
            len(chosen) + room,
            value + sum(top_value[start : start + room]),
        )
        if bound <= best[0]:
            return
        for index in range(start, len(ranked)):
            option = ranked[index]
            if any(_clash(option, other) for other in chosen):
                continue
            chosen.append(option)
            search(index + 1, chosen, covered | option.interests, value + option.value)
            chosen.pop()

    search(0, [], frozenset(), 0.0)
    return sorted(best[1], key=lambda o: (-o.weight, -o.value))


def _searched(options: Sequence[Option], wanted: frozenset[str]) -> list[Option]:
    """The MAX_OPTIONS best options, and the best few of each chosen interest none of those covers (a plan of a
    quiet interest can be worth less than forty-eight of a busy one, yet it is what covers that interest), best
    first."""
    ranked = sorted(options, key=lambda o: -o.value)
    searched = ranked[:MAX_OPTIONS]
    covered = frozenset().union(*(o.interests for o in searched))
    for interest in sorted(wanted - covered):
        searched += [o for o in ranked[MAX_OPTIONS:] if interest in o.interests][:COVERING_OPTIONS]
    return sorted(dict.fromkeys(searched), key=lambda o: -o.value)


def _clash(a: Option, b: Option) -> bool:
    same_theme = a.theme.split('#')[0] == b.theme.split('#')[0] and a.theme.split('#')[0] != 'best'
    return same_theme or bool(a.items & b.items) or bool(a.titles & b.titles)
