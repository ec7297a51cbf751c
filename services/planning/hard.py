"""Hard wishes: kept by every event of every plan, or declined in words (docs/ARCHITECTURE.md, wishes).

`keep_hard_wishes` applies each hard wish of the reading to the candidates in turn (a place with "only",
things to avoid, kids, step-free access, free only, then the time of day). A wish that would leave fewer
than two candidates (no plan) is not applied, and a note says which wish could not be kept and why, so the
person never finds it broken silently.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import time
from typing import TypeVar

from models.catalog import EventPublic
from services.planning.slots import Limits, ends_by, visits_of
from services.planning.wish import KIDS_CURFEW, Wish, WishItem, fold
from services.planning.wish_words import ADULT_TAGS, KIDS_TAGS
from services.text import join_words

T = TypeVar('T')
ENOUGH = 2  # candidates a plan needs


@dataclass
class Kept:
    """What is left after the hard wishes, the time limits in force, and what could not be kept."""

    candidates: list
    limits: Limits
    notes: list[str] = field(default_factory=list)
    declined: list[str] = field(default_factory=list)  # the kinds of the wishes not applied (RELAXABLE)


def keep_hard_wishes(
    candidates: Sequence[T], wish: Wish, *, event_of: Callable[[T], EventPublic], timezone: str, label: str
) -> Kept:
    kept = Kept(list(candidates), Limits(timezone))
    checks: list[tuple[str, Callable[[EventPublic], bool], str]] = []  # kind, test, note
    if wish.only_areas:
        areas = join_words(list(wish.only_areas), 'or')
        checks.append(
            (
                'place',
                lambda e: e.neighborhood in wish.only_areas,
                f'Nothing in {areas} fits {label}, so these plans are elsewhere.',
            )
        )
    avoided = [item.value for item in wish.hard_items if item.kind == 'avoid']
    if avoided:
        what = join_words(avoided)
        checks.append(('avoid', avoids(wish), f'With {what}, nothing fits {label}, so these plans include some.'))
    if wish.kids:
        checks.append(
            (
                'company',
                _family_friendly,
                f'Nothing family-friendly fits {label}; these plans are not made for kids.',
            )
        )
    if wish.step_free:
        checks.append(
            (
                'access',
                _step_free,
                f'We could not confirm step-free access at any venue for {label}; please check with the venues.',
            )
        )
    if wish.free_only:
        checks.append(('money', _free, f'Nothing free fits {label}; these plans cost something.'))
    for kind, test, note in checks:
        _apply(kept, kind, lambda c, test=test: test(event_of(c)), note)
    _apply_time(kept, wish, event_of, label)
    return kept


def _apply(kept: Kept, kind: str, test: Callable[[object], bool], note: str) -> None:
    remaining = [c for c in kept.candidates if test(c)]
    if len(remaining) >= ENOUGH:
        kept.candidates = remaining
    else:
        kept.notes.append(note)
        kept.declined.append(kind)


def _apply_time(kept: Kept, wish: Wish, event_of: Callable[[T], EventPublic], label: str) -> None:
    if wish.earliest is None and wish.latest is None:
        return
    limits = Limits(kept.limits.timezone, wish.earliest, wish.latest)
    remaining = [c for c in kept.candidates if visits_of(0, event_of(c), limits)]
    if len(remaining) >= ENOUGH:
        kept.candidates, kept.limits = remaining, limits
        return
    hours = [
        *([f'from {wish.earliest:%H:%M}'] if wish.earliest else []),
        *([f'until {wish.latest:%H:%M}'] if wish.latest else []),
    ]
    kept.notes.append(f'Nothing fits {label} {" ".join(hours)}, so these plans keep other hours.')
    kept.declined.append('time_of_day')


# The kinds of hard wish a plan can be made without, in the order they are read; the form's budget is a rule.
RELAXABLE = ('place', 'avoid', 'company', 'access', 'money', 'time_of_day')


def _relaxable(wish: Wish) -> list[WishItem]:
    """The free text's hard wishes (the form's budget is a rule, never one of them)."""
    return [item for item in wish.hard_items if item.text != 'form']


def hard_kinds(wish: Wish) -> list[str]:
    """The kinds of hard wish this reading holds that a plan could be made without."""
    held = {item.kind for item in _relaxable(wish)}
    return [kind for kind in RELAXABLE if kind in held]


def hard_values(wish: Wish, kinds: Sequence[str]) -> list[str]:
    """The wishes of these kinds, in the app's words ('only Spandau', 'nothing after 22:00')."""
    return [item.value for item in _relaxable(wish) if item.kind in kinds]


def broken_by(wish: Wish, events: Sequence[EventPublic]) -> list[str]:
    """The kinds of hard wish these events (as attended: a drop-in at its slot) break."""
    return [kind for kind in hard_kinds(wish) if not all(keeps_kind(wish, kind, e) for e in events)]


def without_wishes(wish: Wish, kinds: Sequence[str]) -> Wish:
    """The reading with the hard wishes of these kinds left out, to plan without them."""
    gone = [item for item in _relaxable(wish) if item.kind in kinds]
    changes: dict[str, object] = {'items': tuple(item for item in wish.items if item not in gone)}
    if 'place' in kinds:
        changes['only_areas'] = ()
    if 'avoid' in kinds:
        changes.update(avoid_categories=frozenset(), avoid_tags=frozenset(), avoid_names=())
    if 'access' in kinds:
        changes['step_free'] = False
    if 'money' in kinds:
        changes['free_only'] = False
    # `latest` holds the person's own limit and the children's bedtime together: what is kept of them stays.
    if 'time_of_day' in kinds:
        kids_kept = wish.kids and 'company' not in kinds
        changes.update(earliest=None, own_latest=None, latest=KIDS_CURFEW if kids_kept else None)
    if 'company' in kinds:
        changes['kids'] = False
        if 'time_of_day' not in kinds:
            changes['latest'] = wish.own_latest
    return replace(wish, **changes)


def keeps_kind(wish: Wish, kind: str, event: EventPublic) -> bool:
    """Whether `event`, as attended (a drop-in: its slot), keeps the hard wish of this kind."""
    if kind == 'place':
        return event.neighborhood in wish.only_areas
    if kind == 'avoid':
        return avoids(wish)(event)
    if kind == 'company':
        return _family_friendly(event) and _ends_by(event, KIDS_CURFEW)
    if kind == 'access':
        return _step_free(event)
    if kind == 'money':
        return _free(event)
    earliest, latest = wish.earliest, wish.own_latest
    return not (earliest and event.starts_at.time() < earliest) and (latest is None or _ends_by(event, latest))


def _ends_by(event: EventPublic, latest: time) -> bool:
    return ends_by(event.starts_at, event.ends_at, latest)


def avoids(wish: Wish) -> Callable[[EventPublic], bool]:
    """Whether an event keeps the wish's "no ...": no category, tag, title or venue it turns down."""
    names = {fold(name) for name in wish.avoid_names}

    def test(event: EventPublic) -> bool:
        tags = set(event.tags) | set(event.venue_tags)
        if names and (fold(event.title) in names or fold(event.venue) in names):
            return False
        return event.category not in wish.avoid_categories and not tags & wish.avoid_tags

    return test


def _family_friendly(event: EventPublic) -> bool:
    tags = set(event.tags) | set(event.venue_tags)
    if tags & set(KIDS_TAGS):
        return True
    return event.category != 'nightlife' and not tags & set(ADULT_TAGS)


def _step_free(event: EventPublic) -> bool:
    return getattr(event, 'step_free', None) is True or 'step-free' in event.venue_tags


def _free(event: EventPublic) -> bool:
    return event.price is not None and event.price.max == 0
