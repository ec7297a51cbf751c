"""Fit, as the person who asked reads the answer (docs/QUALITY.md, fit): every chosen interest in a plan when
the window holds one, music on taste and no false "your pick", hard wishes kept or declined in words, one
title once, no idle gap over 3 hours inside one outing, why lines that do not repeat, drop-in visits.

The wishes are checked by the harness's own rules (`WISHES`), written apart from the planner's reader, so a
reader that misreads a wish fails here rather than grading itself.
"""

import itertools
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, time, timedelta
from zoneinfo import ZoneInfo

from models.catalog import EventPublic
from models.generation import Bundle, KeyEvent
from models.geo import SAME_OUTING
from services.planners.offline.taste import read_taste

MAX_IDLE = timedelta(hours=3)
NEXT_DAY = timedelta(hours=10)
CLAIMS = re.compile(r'your [\w -]+ pick|straight from your|in line with your|side of your|from your profile')
CLASSICAL = {'classical', 'chamber', 'organ', 'choral', 'orchestral', 'baroque'}


Rule = Callable[[EventPublic, ZoneInfo], bool]


@dataclass(frozen=True)
class HardWish:
    """A hard wish as people write it, what every event must then be, and the words a note declining it uses;
    a wish of several parts ("only Spandau, nothing after 22:00") lists each, since an answer may decline one
    and keep the other."""

    text: str
    keeps: Rule
    note_words: tuple[str, ...]
    parts: tuple[tuple[Rule, tuple[str, ...]], ...] = ()

    def kept_parts(
        self, notes: Sequence[str], attended: Sequence[EventPublic] = (), zone: ZoneInfo = UTC
    ) -> list[Rule]:
        """The rules of the parts the answer did not decline: declined is a part a note names (by one of its
        words) and some event of the answer breaks (a note that names a kept wish, as in "every nightlife
        event breaks a wish of yours (nothing after 22:00)", declines nothing)."""
        parts = self.parts or ((self.keeps, self.note_words),)
        return [
            rule
            for rule, words in parts
            if not any(w.lower() in n.lower() for n in notes for w in words) or all(rule(e, zone) for e in attended)
        ]


GROWN_UP = {'late-license', 'bar', 'club', 'supper-club', 'queer-night'}  # no place to bring kids to
FOR_KIDS = {'family', 'kids', 'puppetry'}


def _for_kids(event: EventPublic, zone: ZoneInfo) -> bool:
    """Somewhere to go with kids: made for them, or neither nightlife nor a bar, a club or a supper club."""
    tags = set(event.tags) | set(event.venue_tags)
    return bool(tags & FOR_KIDS) or (event.category != 'nightlife' and not tags & GROWN_UP)


def _local(moment, zone: ZoneInfo):
    return moment.astimezone(zone)


def _ends_by(hour: int) -> Callable[[EventPublic, ZoneInfo], bool]:
    def keeps(event: EventPublic, zone: ZoneInfo) -> bool:
        start, end = _local(event.starts_at, zone), _local(event.ends_at, zone)
        small_hours = start.time() < time(6)  # 00:45 is the night before's: after "nothing after 22:00"
        return not small_hours and end.date() == start.date() and end.time() <= time(hour)

    return keeps


def _daytime(event: EventPublic, zone: ZoneInfo) -> bool:
    start, end = _local(event.starts_at, zone), _local(event.ends_at, zone)
    return start.time() >= time(8) and end.date() == start.date() and end.time() <= time(19)


WISHES = (
    HardWish(
        'only Spandau, nothing after 22:00',
        lambda e, z: e.neighborhood == 'Spandau' and _ends_by(22)(e, z),
        ('Spandau', '22:00'),
        parts=((lambda e, z: e.neighborhood == 'Spandau', ('Spandau',)), (_ends_by(22), ('22:00',))),
    ),
    HardWish(
        'with kids, daytime only',
        lambda e, z: _for_kids(e, z) and _daytime(e, z),
        ('family', 'kids', 'daytime', '08:00', '19:00'),
        parts=((_for_kids, ('family', 'kids')), (_daytime, ('daytime', '08:00', '19:00'))),
    ),
    HardWish('no clubs please', lambda e, z: e.category != 'nightlife', ('clubs',)),
    HardWish('no classical', lambda e, z: not set(e.tags) & CLASSICAL, ('classical',)),
    HardWish('home by 21:00', _ends_by(21), ('21:00', 'home by')),
    HardWish('only Kreuzberg', lambda e, z: e.neighborhood == 'Kreuzberg', ('Kreuzberg',)),
    HardWish('daytime only please', _daytime, ('daytime', '08:00', '19:00')),
    HardWish(
        'step-free access, I use a wheelchair',
        lambda e, z: 'step-free' in e.venue_tags or getattr(e, 'step_free', None) is True,
        ('step-free',),
    ),
)


def wish_of(text: str | None) -> HardWish | None:
    return next((w for w in WISHES if w.text == text), None)


def hard_wish_kept(
    wish: HardWish, bundles: Sequence[Bundle], events: dict[str, EventPublic], notes: Sequence[str], zone: ZoneInfo
) -> bool:
    """Every event keeps the wish, or a note names it (declined in words)."""
    attended = [as_attended(events[k.event_id], k) for b in bundles for k in b.key_events if k.event_id in events]
    if all(wish.keeps(e, zone) for e in attended):
        return True
    return any(word.lower() in note.lower() for note in notes for word in wish.note_words)


def as_attended(event: EventPublic, key: KeyEvent) -> EventPublic:
    """The event as the plan attends it: a drop-in's slot."""
    return event.model_copy(update={'starts_at': key.attended_from, 'ends_at': key.attended_until})


def on_taste(key: KeyEvent | EventPublic, genres: dict[str, float], named=None) -> bool:
    """Music on the genres asked for; what the free text named outright (an event, a venue) is what was asked."""
    if named is not None and named.value == {'event': key.title, 'venue': key.venue}.get(named.kind):
        return True
    return key.category not in ('music', 'nightlife') or not genres or bool(set(key.tags) & set(genres))


def asked_genres(preferences, named=None) -> dict[str, float]:
    """The genres the person asked for: the profile's and the free text's, but not the words of a title or venue
    named outright ('Please include Jazz Session: Jakob Yilmaz' asks for that night, not for jazz)."""
    text = preferences.other_preferences or ''
    if named is not None and named.kind in ('event', 'venue'):
        text = text.replace(named.value, ' ')
    return read_taste(preferences.model_copy(update={'other_preferences': text})).genres


def taste_counts(preferences, bundles: Sequence[Bundle], named=None) -> tuple[int, int, int, int]:
    """(music events on taste, music events not labelled wildcards, false claims, wildcards)."""
    genres = asked_genres(preferences, named)
    music = [k for b in bundles for k in b.key_events if k.category in ('music', 'nightlife')]
    labelled = [k for k in music if not k.wildcard]
    false = sum(1 for b in bundles for k in b.key_events if _false_claim(k, genres, preferences.interests, named))
    fits = sum(1 for k in labelled if on_taste(k, genres, named)) if genres else 0
    return fits, len(labelled) if genres else 0, false, len(music) - len(labelled)


def _false_claim(key: KeyEvent, genres: dict[str, float], interests: Sequence[str], named=None) -> bool:
    claims = bool(CLAIMS.search(key.why.lower()))
    return claims and (key.wildcard or key.category not in interests or not on_taste(key, genres, named))


def fit_plans(preferences, bundles: Sequence[Bundle], named=None) -> int:
    """Plans over the fit floor: every event of a chosen interest, music on taste unless labelled a wildcard."""
    genres = asked_genres(preferences, named)
    return sum(
        1
        for b in bundles
        if all(k.category in preferences.interests and (k.wildcard or on_taste(k, genres, named)) for k in b.key_events)
    )


def works(title: str) -> set[str]:
    """'Late show: Cléo from 5 to 7' and 'Cinema: Cléo from 5 to 7' are the same film; 'Double Bill: Suspiria +
    Possession' shows 'Late screening: "Suspiria" (1977)' again."""
    title = title.split('(')[0]
    title = title.split(':', 1)[1] if ':' in title else title
    return {w.strip(' "\'\u201c\u201d\u2018\u2019').lower() for w in title.split(' + ')} - {''}


def repeated_titles(bundles: Sequence[Bundle]) -> int:
    """Events that show a work an earlier event of the answer already showed."""
    seen: set[str] = set()
    repeats = 0
    for key_event in (k for b in bundles for k in b.key_events):
        shown = works(key_event.title)
        repeats += bool(shown & seen)
        seen |= shown
    return repeats


def idle_gaps(bundles: Sequence[Bundle]) -> int:
    """Waits over 3 hours between two stops of one outing (a longer gap is another day; a plan that says it
    comes in two parts is two outings)."""
    count = 0
    for bundle in bundles:
        if 'in two parts' in bundle.description:
            continue  # said so: two outings, not one with a long wait
        ordered = sorted(bundle.key_events, key=lambda k: k.attended_from)
        for before, after in itertools.pairwise(ordered):
            wait = after.attended_from - before.attended_until
            if MAX_IDLE < wait < NEXT_DAY:
                count += 1
    return count


def why_lines(bundles: Sequence[Bundle]) -> tuple[int, int]:
    """(distinct why lines, why lines) in one answer."""
    lines = [k.why for b in bundles for k in b.key_events]
    return len(set(lines)), len(lines)


WORK_HOURS = (time(9, 0), time(17, 0))
SCHOOL_NIGHT = (time(1, 0), time(9, 0))  # a night out ending then keeps someone from sleep before work


def working_hours(bundles: Sequence[Bundle], zone: ZoneInfo, days_off: frozenset[date]) -> tuple[int, int]:
    """(stops attended whole that start on a working day between 09:00 and 17:00, all stops): when most people are
    at work or school. A public holiday (`days_off`) is no working day."""
    stops = [k for b in bundles for k in b.key_events]
    at_work = 0
    for k in stops:
        start = k.starts_at.astimezone(zone)
        working_day = start.weekday() < 5 and start.date() not in days_off
        at_work += k.visit_start is None and working_day and WORK_HOURS[0] <= start.time() < WORK_HOURS[1]
    return at_work, len(stops)


def film_marathons(bundles: Sequence[Bundle]) -> tuple[int, int]:
    """(plans with three films or more on one day, plans with a film): a double feature, not a festival pass."""
    films = [[k for k in b.key_events if k.category == 'film'] for b in bundles]
    days = [Counter((k.attended_from - timedelta(hours=6)).date() for k in plan) for plan in films if plan]
    return sum(max(day.values()) >= 3 for day in days), len(days)


def school_nights(bundles: Sequence[Bundle], zone: ZoneInfo, days_off: frozenset[date]) -> tuple[int, int]:
    """(stops attended until 01:00-09:00 of a working day, all stops): a club on Monday until 04:00."""
    stops = [k for b in bundles for k in b.key_events]
    late = 0
    for k in stops:
        end = k.attended_until.astimezone(zone)
        working_day = end.weekday() < 5 and end.date() not in days_off
        late += working_day and SCHOOL_NIGHT[0] < end.time() < SCHOOL_NIGHT[1]
    return late, len(stops)


def drop_ins_at_work(bundles: Sequence[Bundle], zone: ZoneInfo, days_off: frozenset[date]) -> tuple[int, int]:
    """(drop-in visits whose slot overlaps a working day's 09:00-17:00, drop-in visits): a beer garden open
    12:00-23:00 visited at 14:00 on a Thursday, where 18:00 would do; a market at 08:00-09:30 overlaps too."""
    visits = [
        (k.visit_start.astimezone(zone), k.visit_end.astimezone(zone))
        for b in bundles
        for k in b.key_events
        if k.visit_start is not None and k.visit_end is not None
    ]
    at_work = sum(
        start.weekday() < 5
        and start.date() not in days_off
        and start.time() < WORK_HOURS[1]
        and (end.date() > start.date() or end.time() > WORK_HOURS[0])
        for start, end in visits
    )
    return at_work, len(visits)


def venue_returns(bundles: Sequence[Bundle], zone: ZoneInfo) -> tuple[int, int]:
    """(plans that go back to one venue on another day, plans): four nights at one cellar read as padding. A night
    runs until 06:00, so a club night and its small hours are one day."""
    returning = 0
    for bundle in bundles:
        days: dict[str, set] = {}
        for k in bundle.key_events:
            start = k.starts_at.astimezone(zone)
            days.setdefault(k.venue, set()).add((start - timedelta(hours=6)).date())
        returning += any(len(on) > 1 for on in days.values())
    return returning, len(bundles)


SIT_DOWN = {'supper-club', 'dinner', 'tasting-menu', 'brunch', 'family-style', 'small-plates'}


def meals_close(bundles: Sequence[Bundle]) -> tuple[int, int]:
    """(plans with two sit-down meals less than 4 hours apart, plans): a kitchen-table dinner at 17:30 and a supper
    club at 19:30 is one dinner too many. Street-food markets are grazed, not sat down to."""
    close = 0
    for bundle in bundles:
        meals = [k for k in bundle.key_events if k.category == 'food' and SIT_DOWN & set(k.tags)]
        close += any(
            timedelta(0) <= b.attended_from - a.attended_until < timedelta(hours=4)
            for a, b in itertools.combinations(meals, 2)
        )
    return close, len(bundles)


def one_outing(bundles: Sequence[Bundle]) -> tuple[int, int]:
    """(plans whose stops all start within 12 hours of the first, plans): a date is dinner and a concert, not four
    evenings of one week."""
    return sum(b.key_events[-1].starts_at - b.key_events[0].starts_at < timedelta(hours=12) for b in bundles), len(
        bundles
    )


def outings(bundles: Sequence[Bundle]) -> tuple[int, int, int, int]:
    """(stops, outings, plans of 3+ stops with one stop on each outing, plans of 3+ stops): an outing is what
    one trip out holds (a gap over 6 h between two stops is another one); "a market on Monday, a supper on
    Tuesday, a jazz bar on Wednesday" is a list of evenings, not a plan of one."""
    stops = trips = lists = long = 0
    for bundle in bundles:
        keys = bundle.key_events
        count = 1 + sum(b.attended_from - a.attended_until > SAME_OUTING for a, b in itertools.pairwise(keys))
        stops, trips = stops + len(keys), trips + count
        long += len(keys) >= 3
        lists += len(keys) >= 3 and count == len(keys)
    return stops, trips, lists, long


def drop_ins(bundles: Sequence[Bundle]) -> int:
    return sum(1 for b in bundles for k in b.key_events if k.visit_start is not None)


def covered_interests(bundles: Sequence[Bundle]) -> set[str]:
    return {k.category for b in bundles for k in b.key_events}
