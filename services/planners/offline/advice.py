"""What the offline planner says when it cannot make (enough) plans: why, and what to change."""

from collections import Counter
from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from models.generation import TimeWindow
from services.planners.offline.taste import Taste
from services.text import join_words

LATE_HOUR, NIGHT_ENDS_HOUR = 22, 6  # a "Tonight" asked for after 22:00 finds most events begun
# Why the itinerary builder leaves a candidate out: it clashes with a pick (times plus the way there), it
# starts too far from them for one outing, the picks would cost more than the budget, or it scores under the
# quality floor. In the order that breaks a tie when counting which reason dominates.
REJECTIONS = ('overlap', 'span', 'budget', 'weak')


def shortfall(
    made: int, matching: int, taste: Taste, window: TimeWindow, city_name: str, rejected: Counter[str]
) -> str:
    budget = f' within a budget of {taste.budget:g}' if taste.budget is not None else ''
    late = late_advice(window)
    if made == 0:
        found = f'{matching} events match {interest_words(taste)} in {city_name} for {window.label}'
        why, advice = _nothing_fits(rejected, budget)
        return f'{found}, but {why}. {late or advice}'
    reason = f'only {made} distinct plan{"s" if made > 1 else ""} fit: {matching} matching events{budget}'
    return f'{reason}. {late}' if late else reason


def _nothing_fits(rejected: Counter[str], budget: str) -> tuple[str, str]:
    """Why no two events made a plan, and what to try: worded for the reason that left out the most events.

    Weak events are left out on purpose, so they are the reason only when nothing else left any out: then
    a single event is a strong match.
    """
    strong = [reason for reason in REJECTIONS if reason != 'weak' and rejected[reason]]
    main = max(strong, key=rejected.__getitem__) if strong else 'weak'  # max keeps the first of equals
    if main == 'span':
        return (
            'they are spread out: no two of them fall within one weekend',
            'Try more interests, so that more events fall on the same days.',
        )
    if main == 'budget':
        return f'no two of them fit together{budget}', 'Try a higher budget or more interests.'
    if main == 'weak':
        return 'only one of them is a strong match for your tastes', 'Try other interests or a longer timeframe.'
    return 'no two of them fit together without overlapping', 'Try a longer timeframe or more interests.'


def left_out(
    missing: Sequence[str],
    on: Counter[str],
    fitting: Counter[str],
    wishes: Sequence[str],
    taste: Taste,
    window: TimeWindow,
) -> str:
    """Why a chosen interest is in none of the plans: nothing of it is on, all of it breaks a hard wish, or none
    of it fits a plan beside the events the plans left (`on`: the window's candidates of each interest,
    `fitting`: those that keep the hard wishes and the taste)."""
    budget = f' within a budget of {taste.budget:g}' if taste.budget is not None else ''
    absent = [i for i in missing if not on[i]]
    barred = [i for i in missing if on[i] and not fitting[i]]
    unfit = [i for i in missing if fitting[i]]
    parts = [f'no {join_words(absent, "or")} event is on for {window.label}'] if absent else []
    if barred:
        why = f' ({join_words(list(wishes))})' if wishes else ''
        parts.append(f'every {join_words(barred, "or")} event breaks a wish of yours{why}')
    if unfit:
        parts.append(f'no {join_words(unfit, "or")} event fits a plan beside the events left')
    return f'None of these plans has {join_words(list(missing), "or")}{budget}: {" and ".join(parts)}.'


def late_advice(window: TimeWindow) -> str:
    """Why a short window that opens late in the evening holds little: most of the night has already begun."""
    start = window.start.astimezone(ZoneInfo(window.timezone))
    short = window.end - window.start <= timedelta(hours=12)
    if short and (start.hour >= LATE_HOUR or start.hour < NIGHT_ENDS_HOUR):
        return f"It is {start:%H:%M}: most of tonight's events have already started. Try Tomorrow."
    return ''


def interest_words(taste: Taste) -> str:
    return join_words(taste.interests, 'or')
