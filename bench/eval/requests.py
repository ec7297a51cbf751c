"""Seeded random requests as a new user would make them, drawn against the catalog the evaluation runs on.

Every interest alone and combined, every named timeframe and custom ranges of 1-14 days, with and without a
budget, a music profile and free text; some free text names an event, a venue or a genre that the window
really holds (within the request's interests and budget), so the evaluation can tell whether it was used.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bench.eval.fit import WISHES
from models.catalog import CATEGORIES, City
from models.generation import NAMED_TIMEFRAMES, DateRange, Preferences, TimeWindow
from services.catalog import queries
from services.planning.vocabulary import ALL_GENRES
from services.timeframes import resolve_window

PROFILES = (
    'techno, house',
    'jazz',
    'indie, rock',
    'hip-hop',
    'classical',
    'electronic',
    'soul, funk',
    'ambient, experimental',
    'pop',
    'folk',
)
PLAIN_TEXTS = (
    'nothing too pricey',
    'somewhere cosy, not too loud',
    'free things if possible',
    'I love rooftops and being outside',
    'underground places please',
    'date night ideas',
    'something in Kreuzberg',
    'no techno',
)
HARD_TEXTS = tuple(wish.text for wish in WISHES)
BUDGETS = (15, 25, 40, 60, 100)


@dataclass(frozen=True)
class Named:
    """What the free text names and the evaluation expects to see in at least one bundle."""

    kind: str  # 'event', 'venue' or 'genre'
    value: str  # the event's title, the venue's name or the genre tag


@dataclass(frozen=True)
class EvalRequest:
    preferences: Preferences
    named: Named | None = None


def make_requests(count: int, *, seed: int, session: Session, city: City, now: datetime) -> list[EvalRequest]:
    rng = random.Random(seed)
    return [_one(rng, index, session=session, city=city, now=now) for index in range(count)]


def _one(rng: random.Random, index: int, *, session: Session, city: City, now: datetime) -> EvalRequest:
    size = rng.choices((1, 2, 3, 4), weights=(4, 4, 2, 1))[0]
    # Every interest comes up alone at least once in a run of a dozen or more.
    interests = [CATEGORIES[index % len(CATEGORIES)]] if index < len(CATEGORIES) else rng.sample(CATEGORIES, size)
    timeframe = _timeframe(rng, now)
    budget = float(rng.choice(BUDGETS)) if rng.random() < 0.3 else None
    profile = rng.choice(PROFILES) if rng.random() < 0.5 or {'music', 'nightlife'} & set(interests) else None
    if profile and rng.random() < 0.3:
        profile = None
    draw = rng.random()
    # About 30 % carry a hard wish as people write it (bench/eval/fit.py checks it), 20 % a plain wish.
    text: str | None = rng.choice(HARD_TEXTS) if draw < 0.3 else rng.choice(PLAIN_TEXTS) if draw < 0.5 else None
    named: Named | None = None
    if draw >= 0.3 and rng.random() < 0.35:
        window = resolve_window(timeframe, timezone=city.timezone, now=now)
        text, named = _naming_text(rng, session=session, city=city, window=window, interests=interests, budget=budget)
    preferences = Preferences(
        interests=interests, timeframe=timeframe, music_profile=profile, other_preferences=text, budget=budget
    )
    return EvalRequest(preferences, named)


def _timeframe(rng: random.Random, now: datetime) -> str | DateRange:
    if rng.random() < 0.6:
        return rng.choice(NAMED_TIMEFRAMES)
    start = now.date() + timedelta(days=rng.randint(0, 16))
    days = rng.randint(1, 14)
    return DateRange(start=start, end=start + timedelta(days=days - 1))


def _naming_text(
    rng: random.Random, *, session: Session, city: City, window: TimeWindow, interests: list[str], budget: float | None
) -> tuple[str | None, Named | None]:
    events = queries.list_candidates(
        session=session, city=city, window=window, categories=interests, max_price=budget, limit=None
    )
    if not events:
        return None, None
    event = rng.choice(events)
    kind = rng.choice(('event', 'venue', 'genre'))
    if kind == 'genre':
        genres = [t for t in event.tags if t not in event.venue_tags and t in ALL_GENRES]
        if not genres:
            kind = 'event'
        else:
            genre = rng.choice(genres)
            return f'I would love some {genre.replace("-", " ")}', Named('genre', genre)
    if kind == 'venue':
        return f'I have always wanted to go to {event.venue}', Named('venue', event.venue)
    return f'Please include {event.title}', Named('event', event.title)
