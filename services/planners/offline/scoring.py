"""How well each candidate event answers the taste: a score and the signals that earned it."""

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from models.catalog import EventPublic
from services.catalog import search_text
from services.planners.offline.taste import CHEAP, Taste
from services.planning.slots import Visit, is_drop_in
from services.planning.vocabulary import ALL_GENRES, LOUD_TAGS
from services.planning.wish import DAY_ENDS, Wish
from services.planning.wish_words import GROUP_TAGS, KIDS_TAGS

NAMED_BONUS = {'event': 8.0, 'venue': 5.0, 'genre': 3.0}
WORK_STARTS, WORK_ENDS = time(9, 0), time(17, 0)
WORKING_HOURS_COST = 1.0  # a weekday afternoon show: behind an evening one of the same fit
# A night out past 01:00 into a working day (a club on Monday until 04:00): behind a Friday's or Saturday's of the
# same fit, unless the person asked for late nights. Lighter than a show in working hours: people do go out on a
# Thursday, and tonight's request has no weekend to move to.
SCHOOL_NIGHT_COST = 0.5
SCHOOL_NIGHT_FROM = time(1, 0)
# A drop-in's slot in working hours (the core weighs each slot): a lighter ask than a show, an hour off, not an
# afternoon, but more than another outing (paths.OUTING_COST): a Tuesday 15:00 gallery visit joined to the
# evening's concert is no saving to someone at work. Measured in docs/QUALITY.md ("Drop-ins after work", "One
# outing, several stops").
DROP_IN_WORKING_COST = 0.8


@functools.lru_cache(maxsize=8192)
def _padded_words(name: str) -> str:
    """A title, venue, area or category as the free text is matched (' hip hop night '): the same few hundred
    names come back in every plan, and normalizing one is a regular expression's work."""
    return f' {search_text.normalize_words(name)} '


@dataclass
class Scored:
    """An event worth proposing, its score, and the signals behind it (the texts are written from these)."""

    event: EventPublic
    score: float
    genre_hits: list[str] = field(default_factory=list)
    tag_hits: list[str] = field(default_factory=list)
    cheap_or_free: bool = False  # free, or cheap when the person asked for cheap
    in_neighborhood: bool = False
    named: str = ''  # what of it the free text names outright: 'event', 'venue' or 'genre'


def score_events(
    events: Sequence[EventPublic], taste: Taste, wish: Wish | None = None, *, days_off: frozenset[date] = frozenset()
) -> list[Scored]:
    """Every event worth proposing, best first (ties: sooner, then by id, so the order never wobbles). `days_off`:
    the window's public holidays, free like a Sunday."""
    scored = [s for s in (_score(event, taste) for event in events) if s is not None]
    if wish is not None:
        for result in scored:
            result.score += _soft_wishes(result.event, wish, days_off)
    return sorted(scored, key=lambda s: (-s.score, s.event.starts_at, s.event.event_id))


def _score(event: EventPublic, taste: Taste) -> Scored | None:
    if event.category not in taste.interests:
        return None
    tags = set(event.tags)
    if tags & taste.unwanted or search_text.normalize_words(event.category) in taste.unwanted:
        return None
    price_max = event.price.max if event.price else 0.0
    if taste.budget is not None and price_max > taste.budget:
        return None
    result = Scored(event=event, score=1.0 - 0.1 * taste.interests.index(event.category))
    _score_genres(result, event, taste)
    result.tag_hits = [t for t in taste.wanted_tags if t in tags]
    result.score += 2.0 * min(len(result.tag_hits), 2)
    if taste.wanted_tags and not result.tag_hits:
        result.score -= 2.0  # not the kind of place asked for: only where nothing of that kind fits
    if 'quiet' in taste.wanted_tags and tags & LOUD_TAGS:
        result.score -= 1.5  # asked for quiet: a loud room or genre is further from it than a plain one
    _score_price(result, event, taste)
    if event.neighborhood and _padded_words(event.neighborhood) in taste.text:
        result.in_neighborhood = True
        result.score += 1.5
    result.named = _named(event, taste)
    if result.named:
        result.score += NAMED_BONUS[result.named]  # asked for by name: the plan is built around it
    if event.status == 'sold_out':
        result.score -= 3.0  # still real, but tickets are gone: only as a last resort
    return result


def _soft_wishes(event: EventPublic, wish: Wish, days_off: frozenset[date]) -> float:
    """What the soft wishes of the free text add: English, early or late, family or group places."""
    tags = set(event.tags) | set(event.venue_tags)
    bonus = 0.0
    if wish.english and tags & {'english', 'english-friendly'}:
        bonus += 1.5
    if wish.early and event.starts_at.hour < 19:
        bonus += 0.8
    if wish.late and (event.starts_at.hour >= 22 or event.ends_at.date() > event.starts_at.date()):
        bonus += 0.8
    if wish.kids and tags & set(KIDS_TAGS):
        bonus += 2.0
    if wish.group and tags & set(GROUP_TAGS):
        bonus += 0.8
    if not is_drop_in(event):  # a drop-in's cost is its slot's, which the planning core chooses (slot_cost)
        if at_work(event.starts_at, days_off) and not daytime_asked(wish):
            bonus -= WORKING_HOURS_COST
        if not wish.late and on_a_school_night(event.ends_at, days_off):
            bonus -= SCHOOL_NIGHT_COST
    return bonus


def on_a_school_night(end: datetime, days_off: frozenset[date]) -> bool:
    """Whether a stay ends in the small hours of a working day (01:00-09:00, the city's clock)."""
    working_day = end.weekday() < 5 and end.date() not in days_off
    return working_day and SCHOOL_NIGHT_FROM < end.time() < WORK_STARTS


def at_work(moment: datetime, days_off: frozenset[date]) -> bool:
    """On a working day between 09:00 and 17:00 (the city's clock): most people are at work or school then."""
    working_day = moment.weekday() < 5 and moment.date() not in days_off
    return working_day and WORK_STARTS <= moment.time() < WORK_ENDS


def daytime_asked(wish: Wish) -> bool:
    """The person asked for daytime ("early", "daytime only", home before the evening): no working hours then."""
    return wish.early or bool(wish.latest and wish.latest <= DAY_ENDS)


def slot_cost(wish: Wish, days_off: frozenset[date]) -> Callable[[Visit], float]:
    """What a drop-in visit costs the plan for its slot: a Thursday visit to a beer garden open until 23:00 that
    overlaps 09:00-17:00 costs a little (less than a show then: an hour off, not an afternoon), so the evening's
    slot wins where one fits; a slot at a bar until 02:00 before a working day costs as a show until then does."""

    def cost(visit: Visit) -> float:
        if not visit.drop_in:
            return 0.0
        at_work = not daytime_asked(wish) and during_work(visit.start, visit.end, days_off)
        late = not wish.late and on_a_school_night(visit.end, days_off)
        return DROP_IN_WORKING_COST * at_work + SCHOOL_NIGHT_COST * late

    return cost


def during_work(start: datetime, end: datetime, days_off: frozenset[date]) -> bool:
    """Whether a visit overlaps a working day's 09:00-17:00 (a market at 08:00-09:30 does; 17:00-18:30 does not)."""
    working_day = start.weekday() < 5 and start.date() not in days_off
    return working_day and start.time() < WORK_ENDS and (end.date() > start.date() or end.time() > WORK_STARTS)


def _named(event: EventPublic, taste: Taste) -> str:
    """Whether the free text names this event (its title), its venue, or one of its genres outright."""
    if len(taste.text) < 4:
        return ''
    if _padded_words(event.title) in taste.text:
        return 'event'
    if _padded_words(event.venue) in taste.text:
        return 'venue'
    if any(_padded_words(tag) in taste.text for tag in event.tags if tag in taste.named_genres):
        return 'genre'
    return ''


def _score_genres(result: Scored, event: EventPublic, taste: Taste) -> None:
    if not taste.genres:
        return
    hits = sorted((g for g in event.tags if g in taste.genres), key=lambda g: (-taste.genres[g], g))
    music = event.category in ('music', 'nightlife')
    if not hits and music and not any(tag in ALL_GENRES for tag in event.tags):
        # Titles of imported feeds rarely carry genre tags: "Techno Night" still counts, a little less. An event
        # with genres of its own is not read from its words ("the house band" is not house music), nor a play
        # ("A Doll's House").
        words = set(search_text.normalize_words(f'{event.title} {event.description}').split())
        hits = sorted(g for g in taste.genres if g in words)
        result.genre_hits = hits
        result.score += 2.0 * max((taste.genres[g] for g in hits), default=0)
    elif hits:
        result.genre_hits = hits
        result.score += 3.0 * taste.genres[hits[0]] + 0.3 * min(len(hits) - 1, 3)
    if not result.genre_hits and music:
        result.score -= 0.5  # music, but not their music


def _score_price(result: Scored, event: EventPublic, taste: Taste) -> None:
    if event.price is None:
        return
    if event.price.max == 0:
        result.cheap_or_free = True
        result.score += 2.0 if taste.free else 0.8 if taste.cheap else 0
    elif taste.cheap or taste.free:
        if event.price.max <= CHEAP:
            result.cheap_or_free = True
            result.score += 0.8
        elif event.price.min > CHEAP * 1.5:
            result.score -= 1.5
