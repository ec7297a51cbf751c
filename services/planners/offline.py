"""The offline planner: deterministic, catalog-grounded bundles with no API key (docs/ARCHITECTURE.md, planners).

Steps: read the window's candidate events (short sessions in a worker thread), score each against the
person's interests, music profile and free text, pick the themes that make the strongest plans, fill
each with 2-5 non-overlapping events (no event in two bundles, within the budget), write the texts from
the real matching signals, and drop anything the grounding validator rejects.
"""

import asyncio
import itertools
import re
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from models.catalog import City, EventPublic
from models.db import session_scope
from models.generation import Bundle, Preferences, TimeWindow
from services import catalog
from services.planners.base import PlanContext, PlannerError, PlanRequest
from services.planners.grounding import drop_invalid, estimate_cost, find_violations, key_event_from
from services.timeframes import describe_span
from settings import settings

TARGET_BUNDLES = 3
MIN_EVENTS, MAX_EVENTS = 2, 4  # per bundle; the contract allows 2-5, four reads best on a card
# Time to get from the end of one event to the start of the next: across town, within one
# neighbourhood (a short walk), or staying in the same venue.
TRAVEL_GAP = timedelta(minutes=30)
NEARBY_GAP = timedelta(minutes=15)
SAME_VENUE_GAP = timedelta(0)
IDLE_OK = timedelta(minutes=90)  # a longer wait between two steps of one outing makes a plan weaker
IDLE_COST_PER_HOUR = 0.25
MAX_SPAN = timedelta(hours=60)  # one bundle is a weekend at most, even inside "Next 30 days"
ANCHOR_TRIES = 6  # other first picks tried when the best event leaves too little room
QUALITY_FLOOR = 0.4  # a bundle only takes events scoring at least this share of its theme's best
LATE_HOUR, NIGHT_ENDS_HOUR = 22, 6  # a "Tonight" asked for after 22:00 finds most events begun
CHEAP = 20.0  # what "cheap" / "nothing too pricey" means for one ticket, in the city's currency
# Why the itinerary builder leaves a candidate out: it clashes with a pick (times plus the way there), it
# starts too far from them for one outing (MAX_SPAN), the picks would cost more than the budget, or it
# scores under the quality floor. In the order that breaks a tie when counting which reason dominates.
REJECTIONS = ('overlap', 'span', 'budget', 'weak')

# A word of a music profile, and the genres (event tags) it stands for. The word itself counts fully,
# the rest of its family a little less: "Electronic, House" finds techno too, but house first.
GENRE_FAMILIES: dict[str, tuple[str, ...]] = {
    'electronic': (
        'electronic',
        'techno',
        'house',
        'deep-house',
        'tech-house',
        'minimal',
        'afro-house',
        'disco',
        'ambient',
        'drum-and-bass',
        'jungle',
        'ebm',
        'industrial',
        'uk-garage',
        'bass',
        'experimental',
        'acid',
    ),
    'techno': ('techno', 'minimal', 'industrial', 'ebm', 'acid', 'tech-house'),
    'house': ('house', 'deep-house', 'tech-house', 'afro-house', 'disco'),
    'disco': ('disco', 'house', 'funk', 'soul'),
    'drum-and-bass': ('drum-and-bass', 'jungle', 'bass', 'uk-garage'),
    'jazz': ('jazz', 'jam-session', 'soul', 'funk'),
    'soul': ('soul', 'funk', 'rnb', 'jazz'),
    'indie': ('indie', 'indie-rock', 'folk', 'singer-songwriter', 'post-punk'),
    'rock': ('indie-rock', 'punk', 'post-punk', 'indie'),
    'punk': ('punk', 'post-punk'),
    'folk': ('folk', 'singer-songwriter', 'indie'),
    'hip-hop': ('hip-hop', 'rap', 'rnb', 'trap', 'freestyle'),
    'classical': ('classical', 'chamber', 'organ', 'choral', 'orchestral', 'baroque'),
    'pop': ('pop', 'karaoke', 'indie'),
}
GENRE_ALIASES = {
    'hip hop': 'hip-hop',
    'hiphop': 'hip-hop',
    'rap': 'hip-hop',
    'dnb': 'drum-and-bass',
    'drum and bass': 'drum-and-bass',
    'drum n bass': 'drum-and-bass',
    'r b': 'rnb',
    'edm': 'electronic',
    'electro': 'electronic',
    'dance': 'electronic',
    'deep house': 'deep-house',
    'tech house': 'tech-house',
    'singer songwriter': 'singer-songwriter',
    'indie rock': 'indie-rock',
    'post punk': 'post-punk',
    'classic': 'classical',
    'orchestra': 'classical',
    'opera': 'classical',
}
ALL_GENRES = frozenset(g for family in GENRE_FAMILIES.values() for g in family) | set(GENRE_FAMILIES)

# Words of the free text, and the venue/event tags they ask for.
TAG_SIGNALS: dict[str, tuple[str, ...]] = {
    'underground': ('underground',),
    'basement': ('basement', 'underground'),
    'cellar': ('basement',),
    'warehouse': ('warehouse',),
    'industrial': ('industrial', 'warehouse'),
    'rooftop': ('rooftop',),
    'roof': ('rooftop',),
    'outdoor': ('outdoor', 'open-air'),
    'outdoors': ('outdoor', 'open-air'),
    'open air': ('open-air', 'outdoor'),
    'outside': ('outdoor',),
    'cosy': ('cosy', 'intimate'),
    'cozy': ('cosy', 'intimate'),
    'intimate': ('intimate', 'cosy'),
    'small': ('intimate',),
    'late': ('late-license',),
    'all night': ('late-license',),
    'after hours': ('late-license',),
    'afterhours': ('late-license',),
    'queer': ('queer',),
    'lgbt': ('queer',),
    'gay': ('queer',),
    'vinyl': ('vinyl',),
    'records': ('vinyl', 'record-store'),
    'live': ('live', 'live-venue'),
    'family': ('family',),
    'kids': ('family',),
    'english': ('english', 'english-friendly'),
    'river': ('riverside',),
    'riverside': ('riverside',),
    'canal': ('riverside',),
    'water': ('riverside',),
    'seated': ('seated',),
    'garden': ('garden',),
    'diy': ('diy',),
    'artist run': ('artist-run',),
}
CHEAP_WORDS = re.compile(
    r'\b(cheap|budget|affordable|inexpensive|low cost|student|broke|too pricey|too expensive|not expensive)\b'
)
FREE_WORDS = re.compile(r'\bfree\b(?! (time|day|days|evening|evenings|afternoon|night|nights|to|weekend))')
NEGATION = re.compile(r'\b(?:no|not|avoid|without|except|hate|skip)\s+([a-z][a-z -]*?)(?:$|[,.;!]| and | or | but )')

# Titles: '{occasion}' becomes Night, Day, Weekend or Days, from when the bundle's events are.
GENRE_TITLES = {
    'techno': 'Techno After Dark',
    'house': 'Four to the Floor',
    'deep-house': 'Deep House Hours',
    'afro-house': 'Afro House Rhythms',
    'tech-house': 'Tech House {occasion}',
    'disco': 'Disco Fever',
    'drum-and-bass': 'Breakbeat Pressure',
    'ambient': 'Slow Sounds',
    'electronic': 'Electronic {occasion}',
    'jazz': 'Blue Notes',
    'classical': 'Strings & Keys',
    'chamber': 'Strings & Keys',
    'hip-hop': 'Beats & Rhymes',
    'indie': 'Guitars & Small Stages',
    'folk': 'Songs & Stories',
    'singer-songwriter': 'Songs & Stories',
    'punk': 'Loud & Fast',
    'post-punk': 'Loud & Fast',
    'minimal': 'Minimal Moves',
    'soul': 'Soul Power',
    'funk': 'Deep Funk',
}
TAG_TITLES = {
    'underground': 'Underground {occasion}',
    'basement': 'Below Street Level',
    'warehouse': 'Warehouse {occasion}',
    'rooftop': 'Up on the Roof',
    'outdoor': 'Open Air {occasion}',
    'open-air': 'Open Air {occasion}',
    'cosy': 'Small Rooms',
    'intimate': 'Small Rooms',
    'late-license': 'Till Sunrise',
    'queer': 'Queer {occasion}',
    'vinyl': 'Vinyl Only',
    'riverside': 'By the Water',
    'live': 'Live on Stage',
    'family': 'Family Days',
    'english': 'In English',
}
CATEGORY_TITLES = {
    'music': 'Live Music',
    'nightlife': 'Night Moves',
    'food': 'Eat the City',
    'art': 'Gallery Hop',
    'theatre': 'Curtain Up',
    'comedy': 'Laugh Track',
    'film': 'Cinema Club',
    'outdoors': 'Fresh Air',
    'sports': 'Game Day',
    'markets': 'Market Rounds',
    'talks': 'Ideas & Conversations',
    'wellness': 'Slow Down',
}
# Genres that make "Live & Loud" a fair title, and genres that make it a wrong one.
LOUD_GENRES = frozenset(
    {
        'techno',
        'industrial',
        'ebm',
        'punk',
        'post-punk',
        'indie-rock',
        'hip-hop',
        'rap',
        'trap',
        'drum-and-bass',
        'jungle',
        'acid',
        'bass',
        'uk-garage',
    }
)
QUIET_GENRES = frozenset(
    {
        'ambient',
        'minimal',
        'classical',
        'chamber',
        'organ',
        'choral',
        'baroque',
        'orchestral',
        'jazz',
        'folk',
        'singer-songwriter',
        'experimental',
    }
)
# A step of an evening in a word or two, for arc titles ('From Street Food to Late Film'); first match wins.
STEP_NOUNS = {
    'late-screening': 'Late Film',
    'late-kitchen': 'Late Plates',
    'supper-club': 'Supper Club',
    'street-food': 'Street Food',
    'tasting-menu': 'Tasting Menu',
    'natural-wine': 'Natural Wine',
    'cooking-class': 'Cooking Class',
    'improv': 'Improv',
    'roast': 'Roast Battle',
    'open-mic': 'Open Mic',
    'stand-up': 'Stand-up',
    'puppetry': 'Puppets',
    'fringe': 'Fringe Theatre',
    'life-drawing': 'Life Drawing',
    'artist-talk': 'Artist Talk',
    'video-art': 'Video Art',
    'vernissage': 'Vernissage',
    'open-studios': 'Open Studios',
    'photography': 'Photographs',
    'exhibition': 'Exhibition',
    'karaoke': 'Karaoke',
    'jam-session': 'Jam Session',
    'organ': 'Organ Music',
    'drum-and-bass': 'Drum & Bass',
    'deep-house': 'Deep House',
    'afro-house': 'Afro House',
    'techno': 'Techno',
    'house': 'House',
    'disco': 'Disco',
    'hip-hop': 'Hip-Hop',
    'jazz': 'Jazz',
    'soul': 'Soul',
    'classical': 'Classical',
    'ambient': 'Ambient',
    'folk': 'Folk',
    'indie': 'Indie',
    'punk': 'Punk',
    'post-punk': 'Post-Punk',
    'cinema': 'Cinema',
}
CATEGORY_NOUNS = {
    'music': 'Live Music',
    'nightlife': 'Night Bar',
    'food': 'Dinner',
    'art': 'Art',
    'theatre': 'Theatre',
    'comedy': 'Comedy',
    'film': 'Cinema',
    'outdoors': 'Fresh Air',
    'sports': 'Sport',
    'markets': 'Market',
    'talks': 'Talk',
    'wellness': 'Calm',
}
# What an event is, for the "why" line; first match of the event's tags wins, else genres, else the category.
KIND_PHRASES = {
    'late-screening': 'a late screening',
    'premiere': 'a premiere',
    'cult': 'a cult classic on the big screen',
    'horror': 'horror on the big screen',
    'documentary': 'a documentary',
    'arthouse': 'arthouse cinema',
    'improv': 'improvised comedy',
    'roast': 'a roast battle',
    'open-mic': 'an open mic',
    'stand-up': 'stand-up',
    'puppetry': 'puppet theatre',
    'solo-show': 'a one-person show',
    'fringe': 'fringe theatre',
    'supper-club': 'a supper club',
    'late-kitchen': 'a late kitchen',
    'street-food': 'street food',
    'tasting': 'a tasting',
    'cooking-class': 'a cooking class',
    'life-drawing': 'life drawing',
    'artist-talk': 'an artist talk',
    'video-art': 'video art',
    'vernissage': 'an opening night',
    'open-studios': 'open studios',
    'photography': 'photography',
    'exhibition': 'an exhibition',
    'karaoke': 'karaoke',
}
CATEGORY_KINDS = {
    'music': 'live music',
    'nightlife': 'a night out',
    'food': 'good food',
    'art': 'art',
    'theatre': 'theatre',
    'comedy': 'comedy',
    'film': 'a film',
    'outdoors': 'time outdoors',
    'sports': 'sport',
    'markets': 'a market',
    'talks': 'a talk',
    'wellness': 'some calm',
}
# Venue tags worth a word in the "why" line, and what to call the place.
VENUE_CHARACTER = {
    'underground': 'underground',
    'warehouse': 'warehouse',
    'basement': 'basement',
    'rooftop': 'rooftop',
    'riverside': 'riverside',
    'cosy': 'cosy',
    'intimate': 'intimate',
    'garden': 'garden',
    'queer': 'queer',
    'vinyl': 'vinyl-only',
    'candlelit': 'candlelit',
    'communal-table': 'long-table',
    'diy': 'DIY',
    'artist-run': 'artist-run',
    'landmark': 'landmark',
    'outdoor': 'open-air',
}
VENUE_NOUNS = {
    'cinema': 'cinema',
    'gallery': 'gallery',
    'museum': 'museum',
    'church': 'church',
    'bar': 'bar',
    'supper-club': 'dining room',
    'market-hall': 'market hall',
    'late-license': 'club',
    'live-venue': 'venue',
    'seated': 'hall',
}
GENRE_WORDS = {'drum-and-bass': 'drum and bass', 'hip-hop': 'hip-hop', 'rnb': 'R&B', 'uk-garage': 'UK garage'}


@dataclass(frozen=True)
class Taste:
    """What the preferences ask for, read once: weights per genre, wanted and unwanted tags, price words."""

    interests: tuple[str, ...]
    genres: dict[str, float]  # event tag -> weight (1.0 named, 0.6 same family)
    named_genres: tuple[str, ...]  # as the person put them, canonical: ('electronic', 'house')
    profile: str
    wanted_tags: tuple[str, ...]
    unwanted: frozenset[str]
    cheap: bool
    free: bool
    text: str  # the free text, normalized and space-padded: neighbourhood names are looked up in it
    budget: float | None


@dataclass
class Scored:
    event: EventPublic
    score: float
    genre_hits: list[str] = field(default_factory=list)
    tag_hits: list[str] = field(default_factory=list)
    price_note: str = ''
    in_neighborhood: bool = False


@dataclass(frozen=True)
class Theme:
    key: str  # 'tag:underground', 'genre:techno', 'category:art', 'area:Kreuzberg', 'best'
    accepts: Callable[[Scored], bool]
    bonus: float = 1.0  # themes the person named outright win ties


@dataclass
class Plan:
    """What the pure planning step gives back: bundles, and why there are fewer than wanted."""

    bundles: list[Bundle]
    themes: list[str]
    shortfall: str = ''


class OfflinePlanner:
    name = 'offline'

    async def plan(self, request: PlanRequest, context: PlanContext) -> list[Bundle]:
        delay = settings.offline_step_delay_s
        taste = read_taste(request.preferences)
        city, events = await asyncio.to_thread(_load_candidates, request.city, request.window, taste)
        await context.report(f'Searched {len(events)} events: {_search_summary(taste)}, {request.window.label}')
        await asyncio.sleep(delay)
        # Scoring and planning are pure CPU (tens of ms on a big catalog): off the event loop, so pages and
        # the API stay responsive while many plans run.
        scored = await asyncio.to_thread(score_events, events, taste)
        await context.report(_scoring_summary(scored, taste))
        await asyncio.sleep(delay)
        plan = await asyncio.to_thread(build_plan, scored, taste, request.window, city_name=city.name)
        if plan.themes:
            await context.report(f'Picked {len(plan.themes)} themes: {"; ".join(plan.themes)}')
            await asyncio.sleep(delay)
        bundles = await asyncio.to_thread(_grounded, plan.bundles, request.window, taste.budget)
        if not bundles:
            raise PlannerError(plan.shortfall or 'No plan could be made from the events available.')
        note = f' ({plan.shortfall})' if len(bundles) < TARGET_BUNDLES and plan.shortfall else ''
        await context.report(f'Wrote {len(bundles)} bundle{"s" if len(bundles) != 1 else ""}{note}')
        return bundles


def _load_candidates(city_name: str, window: TimeWindow, taste: Taste) -> tuple[City, list[EventPublic]]:
    with session_scope() as session:
        city = catalog.get_city(session=session, name=city_name or None)
        if city is None:
            raise PlannerError(f'There is no events catalog for {city_name or "any city"} yet.')
        events = catalog.list_candidates(
            session=session, city=city, window=window, categories=taste.interests, max_price=taste.budget
        )
        return city, events


def _grounded(bundles: list[Bundle], window: TimeWindow, budget: float | None) -> list[Bundle]:
    """The planner's own output, checked against the catalog as it is now; anything invalid is dropped."""
    ids = [e.event_id for bundle in bundles for e in bundle.key_events]
    with session_scope() as session:
        events = catalog.get_events(session=session, event_ids=ids)
    return drop_invalid(bundles, find_violations(bundles, window=window, budget=budget, lookup=events.get))


# --- reading the preferences -------------------------------------------------------------------------


def read_taste(preferences: Preferences) -> Taste:
    profile = preferences.music_profile or ''
    text = catalog.normalize_words(preferences.other_preferences or '')
    raw_text = (preferences.other_preferences or '').lower()
    unwanted = _unwanted(raw_text)
    named = [g for g in _genre_words(profile) if g not in unwanted]
    named += [g for g in _genre_words(text) if g not in named and g not in unwanted and g in ALL_GENRES]
    return Taste(
        interests=tuple(preferences.interests),
        genres=_genre_weights(named),
        named_genres=tuple(named),
        profile=profile.strip(),
        wanted_tags=_wanted_tags(text, unwanted),
        unwanted=frozenset(unwanted),
        cheap=bool(CHEAP_WORDS.search(text)),
        free=bool(FREE_WORDS.search(text)),
        text=f' {text} ',
        budget=preferences.budget,
    )


def _genre_words(text: str) -> list[str]:
    """'Electronic, House / Hip Hop' -> ['electronic', 'house', 'hip-hop'] (canonical, in order)."""
    words: list[str] = []
    for part in re.split(r'[,;/&+]| and ', text.lower()):
        phrase = catalog.normalize_words(part)
        if not phrase:
            continue
        candidates = [GENRE_ALIASES.get(phrase, phrase.replace(' ', '-'))]
        if candidates[0] not in ALL_GENRES:  # "some techno please": look at each word
            candidates = [GENRE_ALIASES.get(w, w) for w in phrase.split() if GENRE_ALIASES.get(w, w) in ALL_GENRES]
        words.extend(c for c in candidates if c not in words)
    return words


def _genre_weights(named: Sequence[str]) -> dict[str, float]:
    weights: dict[str, float] = {}
    for genre in named:
        for member in GENRE_FAMILIES.get(genre, (genre,)):
            weights[member] = max(weights.get(member, 0), 0.6)
    for genre in named:
        weights[genre] = 1.0
    return weights


def _wanted_tags(text: str, unwanted: set[str]) -> tuple[str, ...]:
    padded = f' {text} '
    tags: list[str] = []
    for phrase, phrase_tags in TAG_SIGNALS.items():
        if f' {phrase} ' in padded and phrase not in unwanted:
            tags.extend(t for t in phrase_tags if t not in tags)
    return tuple(tags)


def _unwanted(raw_text: str) -> set[str]:
    """'no techno, not too loud' -> {'techno', 'too loud'} (canonical genre names included)."""
    found: set[str] = set()
    for match in NEGATION.finditer(raw_text):
        phrase = catalog.normalize_words(match.group(1))
        found.add(phrase)
        found.update(_genre_words(phrase))
    return found


# --- scoring -----------------------------------------------------------------------------------------


def score_events(events: Sequence[EventPublic], taste: Taste) -> list[Scored]:
    """Every event worth proposing, best first (ties: sooner, then by id, so the order never wobbles)."""
    scored = [s for s in (_score(event, taste) for event in events) if s is not None]
    return sorted(scored, key=lambda s: (-s.score, s.event.starts_at, s.event.event_id))


def _score(event: EventPublic, taste: Taste) -> Scored | None:
    if event.category not in taste.interests:
        return None
    tags = set(event.tags)
    if tags & taste.unwanted or catalog.normalize_words(event.category) in taste.unwanted:
        return None
    price_max = event.price.max if event.price else 0.0
    if taste.budget is not None and price_max > taste.budget:
        return None
    result = Scored(event=event, score=1.0 - 0.1 * taste.interests.index(event.category))
    _score_genres(result, event, taste)
    result.tag_hits = [t for t in taste.wanted_tags if t in tags]
    result.score += 2.0 * min(len(result.tag_hits), 2)
    _score_price(result, event, taste)
    if event.neighborhood and f' {catalog.normalize_words(event.neighborhood)} ' in taste.text:
        result.in_neighborhood = True
        result.score += 1.5
    if event.status == 'sold_out':
        result.score -= 3.0  # still real, but tickets are gone: only as a last resort
    return result


def _score_genres(result: Scored, event: EventPublic, taste: Taste) -> None:
    if not taste.genres:
        return
    hits = sorted((g for g in event.tags if g in taste.genres), key=lambda g: (-taste.genres[g], g))
    if not hits:
        # Titles of imported feeds rarely carry tags: "Techno Night" still counts, a little less.
        words = set(catalog.normalize_words(f'{event.title} {event.description}').split())
        hits = sorted(g for g in taste.genres if g in words)
        result.genre_hits = hits
        result.score += 2.0 * max((taste.genres[g] for g in hits), default=0)
    else:
        result.genre_hits = hits
        result.score += 3.0 * taste.genres[hits[0]] + 0.3 * min(len(hits) - 1, 3)
    if not result.genre_hits and event.category in ('music', 'nightlife'):
        result.score -= 0.5  # music, but not their music


def _score_price(result: Scored, event: EventPublic, taste: Taste) -> None:
    if event.price is None:
        return
    if event.price.max == 0:
        result.price_note = 'free entry'
        result.score += 2.0 if taste.free else 0.8 if taste.cheap else 0
    elif taste.cheap or taste.free:
        if event.price.max <= CHEAP:
            result.price_note = f'only {_money(event.price.min, event.price.max, event.price.currency)}'
            result.score += 0.8
        elif event.price.min > CHEAP * 1.5:
            result.score -= 1.5


# --- choosing themes and events ----------------------------------------------------------------------


def build_plan(scored: Sequence[Scored], taste: Taste, window: TimeWindow, *, city_name: str) -> Plan:
    """Up to TARGET_BUNDLES bundles from distinct themes; the strongest theme first."""
    if len(scored) < MIN_EVENTS:
        found = 'Only one event matches' if scored else 'No events match'
        advice = _late_advice(window) or 'Try other interests or dates.'
        return Plan([], [], f'{found} {_interest_words(taste)} in {city_name} for {window.label}. {advice}')
    themes = _themes(scored, taste)
    rejected: Counter[str] = Counter()
    used: set[str] = set()
    bundles: list[Bundle] = []
    titles: list[str] = []
    remaining = list(themes)
    size = _bundle_size(scored)
    while remaining and len(bundles) < TARGET_BUNDLES:
        best = _best_theme(remaining, scored, used, taste, size, rejected)
        if best is None:
            break
        theme, picks = best
        if theme.key != 'best':  # the mixed theme may fill several bundles when the others cannot
            remaining.remove(theme)
        used.update(p.event.event_id for p in picks)
        bundle = _write_bundle(theme, picks, taste, window, taken_titles=titles)
        titles.append(bundle.title)
        bundles.append(bundle)
    shortfall = ''
    if len(bundles) < TARGET_BUNDLES:
        shortfall = _shortfall(len(bundles), len(scored), taste, window, city_name, rejected)
    return Plan(bundles, titles, shortfall)


def _themes(scored: Sequence[Scored], taste: Taste) -> list[Theme]:
    """What a bundle may be about; titles are written later, from the events each theme ends up with."""
    themes = [Theme(f'tag:{tag}', lambda s, tag=tag: tag in s.tag_hits, bonus=1.15) for tag in taste.wanted_tags]
    genre_counts = Counter(g for s in scored for g in s.genre_hits)
    for genre, _count in sorted(genre_counts.items(), key=lambda item: (-item[1], item[0]))[:6]:
        bonus = 1.1 if genre in taste.named_genres else 1.0
        themes.append(
            Theme(f'genre:{genre}', lambda s, genre=genre: genre in s.event.tags or genre in s.genre_hits, bonus)
        )
    if taste.free or taste.cheap:
        themes.append(Theme('price:free', lambda s: bool(s.event.price) and s.event.price.max == 0))
    for category in taste.interests:
        themes.append(Theme(f'category:{category}', lambda s, category=category: s.event.category == category))
    top_areas = Counter(s.event.neighborhood for s in scored[:30] if s.event.neighborhood)
    for area, _count in sorted(top_areas.items(), key=lambda item: (-item[1], item[0]))[:2]:
        themes.append(Theme(f'area:{area}', lambda s, area=area: s.event.neighborhood == area, bonus=0.9))
    themes.append(Theme('best', lambda s: True, bonus=0.85))
    return themes


def _best_theme(
    themes: Sequence[Theme],
    scored: Sequence[Scored],
    used: set[str],
    taste: Taste,
    size: int,
    rejected: Counter[str],
) -> tuple[Theme, list[Scored]] | None:
    best: tuple[float, Theme, list[Scored]] | None = None
    for theme in themes:
        pool = [s for s in scored if s.event.event_id not in used and theme.accepts(s)]
        picks = _itinerary(pool, taste, size, rejected)
        if len(picks) < MIN_EVENTS:
            continue
        value = sum(p.score for p in picks) * theme.bonus
        # Strictly greater: on equal value the theme listed first (named by the person) wins.
        if best is None or value > best[0] + 1e-9:
            best = (value, theme, picks)
    return None if best is None else (best[1], best[2])


def _bundle_size(scored: Sequence[Scored]) -> int:
    """Events per bundle, so the strong matches are shared out instead of the first bundle taking them all."""
    strong = [s for s in scored if s.genre_hits or s.tag_hits] or list(scored)
    return max(MIN_EVENTS, min(MAX_EVENTS, len(strong) // TARGET_BUNDLES))


def _itinerary(pool: Sequence[Scored], taste: Taste, size: int, rejected: Counter[str]) -> list[Scored]:
    """The strongest set of compatible events: anchored on the best one, or on a later one when the best
    leaves too little room (events spread one per day cannot all sit within one weekend of it).

    Every candidate left out is counted in `rejected` under its reason (see REJECTIONS)."""
    best: list[Scored] = []
    for anchor in range(min(len(pool), ANCHOR_TRIES)):
        picks = _greedy(pool, taste, size, anchor, rejected)
        if len(picks) > len(best) or (len(picks) == len(best) and _value(picks) > _value(best)):
            best = picks
        if len(best) == size:
            break
    return sorted(best, key=lambda s: (s.event.starts_at, s.event.event_id))


def _greedy(pool: Sequence[Scored], taste: Taste, size: int, anchor: int, rejected: Counter[str]) -> list[Scored]:
    """Best-first: events that fit between the ones already chosen, the budget and one weekend.

    An event much weaker than the theme's best is left out rather than used as filler (nor as an anchor).
    """
    chosen: list[Scored] = []
    cost = 0.0
    floor = QUALITY_FLOOR * pool[0].score if pool[0].score > 0 else float('-inf')
    for candidate in [pool[anchor], *pool[:anchor], *pool[anchor + 1 :]]:
        event = candidate.event
        price = event.price.max if event.price else 0.0
        reason = _rejection(candidate, chosen, cost + price, floor, taste.budget)
        if reason:
            rejected[reason] += 1
            continue
        chosen.append(candidate)
        cost += price
        if len(chosen) == size:
            break
    return chosen


def _rejection(
    candidate: Scored, chosen: Sequence[Scored], cost: float, floor: float, budget: float | None
) -> str | None:
    """Why the candidate cannot join the picks (one of REJECTIONS), or None when it can."""
    if candidate.score < floor:
        return 'weak'
    # Time first: a higher budget would not help an event that cannot be reached anyway.
    if any(_clash(candidate.event, c.event) for c in chosen):
        return 'overlap'
    if chosen and _span([*(c.event for c in chosen), candidate.event]) > MAX_SPAN:
        return 'span'
    if budget is not None and cost > budget:
        return 'budget'
    return None


def _value(picks: Sequence[Scored]) -> float:
    """The picks' scores, less a little for every hour spent waiting between two steps of one outing."""
    ordered = sorted(picks, key=lambda p: p.event.starts_at)
    idle = timedelta(0)
    for earlier, later in itertools.pairwise(ordered):
        wait = later.event.starts_at - earlier.event.ends_at - travel_gap(earlier.event, later.event)
        if IDLE_OK < wait < timedelta(hours=10):  # longer: another day, not a wait
            idle += wait - IDLE_OK
    return sum(p.score for p in picks) - IDLE_COST_PER_HOUR * idle.total_seconds() / 3600


def travel_gap(a: EventPublic, b: EventPublic) -> timedelta:
    """How long to allow between two events: nothing inside one venue, a short walk inside one neighbourhood."""
    if a.venue == b.venue and a.neighborhood == b.neighborhood:
        return SAME_VENUE_GAP
    if a.neighborhood and a.neighborhood == b.neighborhood:
        return NEARBY_GAP
    return TRAVEL_GAP


def _clash(a: EventPublic, b: EventPublic) -> bool:
    gap = travel_gap(a, b)
    return a.starts_at < b.ends_at + gap and b.starts_at < a.ends_at + gap


def _span(events: Sequence[EventPublic]) -> timedelta:
    starts = [e.starts_at for e in events]
    return max(starts) - min(starts)


# --- writing -----------------------------------------------------------------------------------------
# Texts are built from the real signals (genres, venue tags, prices, places) and vary their wording by a
# stable hash of the events, so two bundles never read alike and the same bundle always reads the same.


def _write_bundle(
    theme: Theme, picks: Sequence[Scored], taste: Taste, window: TimeWindow, *, taken_titles: Sequence[str]
) -> Bundle:
    events = [p.event for p in picks]
    key_events = [key_event_from(p.event, _why(p, taste, step)) for step, p in enumerate(picks)]
    lead = max(picks, key=lambda p: p.score).event
    return Bundle(
        title=_title(theme, picks, window, taken_titles),
        description=_description(theme, picks, taste),
        image_url=lead.image_url,
        tags=_bundle_tags(theme, picks),
        key_events=key_events,
        estimated_cost=estimate_cost(events),
    )


def _title(theme: Theme, picks: Sequence[Scored], window: TimeWindow, taken: Sequence[str]) -> str:
    """The first fitting title whose name no other bundle has; it says when, if the window leaves that open."""
    events = [p.event for p in picks]
    first, last = events[0].starts_at, events[-1].starts_at
    if _night_of(first).date() != _night_of(last).date():
        suffix = f', {describe_span(_night_of(first), _night_of(last))}'
    else:
        suffix = f', {_day(first)}' if window.end - window.start > timedelta(days=4) else ''
    options = list(dict.fromkeys([*_theme_titles(theme, events), *_content_titles(events), 'Best of the Listings']))
    names_taken = [title for title in taken if any(title.startswith(option) for option in options)]
    for option in options:  # a name of its own first, then a name told apart only by its dates
        if not any(title == option or title.startswith(f'{option}, ') for title in names_taken):
            return f'{option}{suffix}'
    for option in options:
        if f'{option}{suffix}' not in taken:
            return f'{option}{suffix}'
    return f'{options[0]}, {_day(first)} {first:%H:%M}'


def _theme_titles(theme: Theme, events: Sequence[EventPublic]) -> list[str]:
    """What the theme itself is called, when the theme says something true about every event."""
    kind, _, value = theme.key.partition(':')
    occasion = _occasion(events)
    match kind:
        case 'tag':
            return [TAG_TITLES.get(value, value.replace('-', ' ').title()).format(occasion=occasion)]
        case 'genre':
            return [_genre_title(value, occasion)]
        case 'price':
            return ['Free & Easy']
        case 'area':
            return [f'Around {value}']
        case 'category' if value in ('music', 'nightlife'):
            return []  # named by what it sounds like (below), never a loud title for a quiet evening
        case 'category':
            return [CATEGORY_TITLES[value]]
    return []


def _content_titles(events: Sequence[EventPublic]) -> list[str]:
    """Titles read off the events: their shared genre, their mood, then the arc from first to last stop."""
    titles = []
    genre = _dominant_genre(events)
    if genre:
        titles.append(_genre_title(genre, _occasion(events)))
    sounds = [{t for t in e.tags if t in ALL_GENRES} for e in events]
    if {e.category for e in events} <= {'music', 'nightlife'} and all(sounds):
        if all(genres <= QUIET_GENRES for genres in sounds):
            titles.append('Quiet Music, Close Up')
        elif all(genres & LOUD_GENRES for genres in sounds):
            titles.append('Live & Loud' if all(e.category == 'music' for e in events) else 'Loud Till Late')
        elif events[-1].category == 'nightlife':
            titles.append('Night Moves')
    first, last = _step_noun(events[0]), _step_noun(events[-1])
    titles.append(f'From {first} to {last}' if first != last else f'{first} Double Bill')
    return titles


def _dominant_genre(events: Sequence[EventPublic]) -> str:
    counts = Counter(t for e in events for t in dict.fromkeys(e.tags) if t in ALL_GENRES and t != 'electronic')
    if not counts:
        return ''
    genre, count = min(counts.items(), key=lambda item: (-item[1], item[0]))
    return genre if count * 2 > len(events) else ''


def _genre_title(genre: str, occasion: str) -> str:
    return GENRE_TITLES.get(genre, f'{genre.replace("-", " ").title()} {{occasion}}').format(occasion=occasion)


def _step_noun(event: EventPublic) -> str:
    """What a step is, in a word or two for a title: 'Supper Club', 'Late Film', 'Techno'."""
    tags = set(event.tags)
    noun = next((noun for tag, noun in STEP_NOUNS.items() if tag in tags), '')
    return noun or CATEGORY_NOUNS[event.category]


def _occasion(events: Sequence[EventPublic]) -> str:
    days = {e.starts_at.date() for e in events}
    if len(days) > 1:
        return 'Weekend' if all(d.weekday() >= 4 for d in days) else 'Days'
    return 'Night' if events[0].starts_at.hour >= 17 else 'Day'


def _why(scored: Scored, taste: Taste, step: int) -> str:
    """One sentence on why this event is here, from the person's own signals.

    Time, date, venue name and price sit beside it on the card, so it does not repeat them.
    """
    event = scored.event
    parts = [_what_and_match(scored, taste, step)]
    place = _venue_phrase(scored, step)
    if place:
        parts.append(place)
    if scored.in_neighborhood:
        parts.append(f'in {event.neighborhood}, the area you named')
    money = _price_reason(scored, taste)
    sentence = ', '.join(parts) + (f'; {money}' if money else '')
    return f'{sentence[0].upper()}{sentence[1:]}.'


def _what_and_match(scored: Scored, taste: Taste, step: int) -> str:
    event = scored.event
    named = [g for g in scored.genre_hits if g in taste.named_genres]
    shown = [t for t in event.tags if t in scored.genre_hits][:2] or scored.genre_hits[:2]
    if named:
        genres = _join([_genre_name(g) for g in named[:2]])
        source = f'your "{taste.profile}" profile' if taste.profile else 'what you asked for'
        specific = [t for t in event.tags if t in ALL_GENRES and t not in named][:2]
        if named == ['electronic'] and specific:  # say which kind of electronic, not just the umbrella word
            return f'{_join([_genre_name(g) for g in specific])}: the electronic side of {source}'
        return _vary(event, [f'{genres} straight from {source}', f'{genres}, right in line with {source}'])
    if shown:
        like = _join([_genre_name(g) for g in taste.named_genres[:2]]) or 'music you like'
        return f'{_join([_genre_name(g) for g in shown])}, a close cousin of the {like} you listed'
    what = _event_kind(event)
    interest = event.category
    options = [
        f'{what} for the {interest} on your list',
        f'{what}, your {interest} pick',
        f'{what} to cover {interest}',
    ]
    return options[(step + _stable(event.event_id)) % len(options)]


def _event_kind(event: EventPublic) -> str:
    """'stand-up in English', 'a supper club', 'a cult classic on the big screen'..."""
    tags = set(event.tags)
    kind = next((phrase for tag, phrase in KIND_PHRASES.items() if tag in tags), '')
    if not kind:
        genres = [t for t in event.tags if t in ALL_GENRES][:2]
        kind = _join([_genre_name(g) for g in genres]) or CATEGORY_KINDS[event.category]
    if 'english' in tags and event.category in ('comedy', 'theatre', 'talks') and 'English' not in kind:
        kind += ' in English'
    return kind


def _venue_phrase(scored: Scored, step: int) -> str:
    if scored.tag_hits:
        kind = _join(scored.tag_hits[:2]).replace('-', ' ')
        options = [f'in {_a(kind)} venue, as you asked', f'{kind} again, as you wanted', f'another {kind} spot']
        return options[min(step, 1) * (1 + _stable(scored.event.event_id) % 2)]
    character = [t for t in scored.event.venue_tags if t in VENUE_CHARACTER][:2]
    if not character:
        return ''
    return f'in {_a(", ".join(VENUE_CHARACTER[t] for t in character))} {_venue_noun(scored.event)}'


def _venue_noun(event: EventPublic) -> str:
    tags = set(event.venue_tags)
    for tag, noun in VENUE_NOUNS.items():
        if tag in tags:
            return noun
    return 'room'


def _price_reason(scored: Scored, taste: Taste) -> str:
    event = scored.event
    if event.status == 'sold_out':
        return 'sold out, so resale tickets only'
    if event.price is None:
        return ''
    if event.price.max == 0:
        return 'free entry, as you hoped' if taste.free or taste.cheap else 'free entry'
    if taste.cheap and event.price.max <= CHEAP:
        return 'easy on the wallet, as you wanted'
    if taste.budget and event.price.max <= taste.budget / 4:
        return 'leaves most of your budget for the rest'
    return ''


def _description(theme: Theme, picks: Sequence[Scored], taste: Taste) -> str:
    """The evening's arc in two or three sentences: where it starts, how it moves, what ties it together."""
    events = [p.event for p in picks]
    first, last = events[0], events[-1]
    seed = _stable(''.join(e.event_id for e in events))
    opening = [
        f'{_daypart(first).capitalize()} begins with {first.title} at {first.venue}{_in_area(first)}.',
        f'Start with {first.title} at {first.venue}{_in_area(first)}.',
        f'First stop: {first.title} at {first.venue}{_in_area(first)}.',
    ][seed % 3]
    middle = [_move(events[i - 1], events[i]) + f' {events[i].venue}' for i in range(1, len(events) - 1)]
    ending = _ending(events[-2], last, seed)
    route = f'{", ".join(middle)}, and {ending}' if middle else ending
    sentences = [opening, f'{route[0].upper()}{route[1:]}.']
    flavour = _flavour(theme, picks, taste)
    if flavour:
        sentences.append(flavour)
    return ' '.join(sentences)


def _move(a: EventPublic, b: EventPublic) -> str:
    """How the plan gets from one step to the next: stay, walk, cross town, or come back another day."""
    another_day = b.starts_at - a.ends_at > timedelta(hours=10)
    if a.venue == b.venue:
        return f'back on {b.starts_at:%A} to' if another_day else 'stay on at'
    if another_day:
        return f'on {b.starts_at:%A}, on to'
    if a.neighborhood and a.neighborhood == b.neighborhood:
        return 'a short walk to'
    return f'then over to {b.neighborhood} for' if b.neighborhood else 'then on to'


def _ending(before: EventPublic, last: EventPublic, seed: int) -> str:
    closing = _closing(last)
    options = [
        f'{_move(before, last)} {last.venue}, where {last.title} {closing}',
        f'{last.title} at {last.venue} {closing}',
        f'it ends with {last.title} at {last.venue}',
    ]
    return options[seed % len(options)]


def _closing(event: EventPublic) -> str:
    """How the last step ends the outing: a club night runs on, an evening show rounds it off."""
    if event.ends_at.date() > event.starts_at.date() and event.ends_at.hour >= 3:
        return 'runs on past sunrise' if event.ends_at.hour >= 7 else 'carries it into the small hours'
    return 'rounds off the night' if event.starts_at.hour >= 18 else 'rounds off the day'


def _flavour(theme: Theme, picks: Sequence[Scored], taste: Taste) -> str:
    """The one thing that ties the bundle to what was asked: a sound, a kind of venue, a price."""
    tagged = [p for p in picks if p.tag_hits]
    if tagged and taste.wanted_tags:
        where = _join(taste.wanted_tags[:2]).replace('-', ' ')
        share = 'Every stop is' if len(tagged) == len(picks) else f'{len(tagged)} of {len(picks)} stops are'
        return f'{share} at {where} venues, as you asked.'
    genres = Counter(g for p in picks for g in p.genre_hits if g != 'electronic')
    if genres:
        return f'Mostly {_join([_genre_name(g) for g, _ in genres.most_common(2)])}.'
    cost = estimate_cost(p.event for p in picks)
    if cost is not None and cost.max == 0:
        return 'All of it free.'
    if taste.budget is not None and cost is not None:
        return f'It stays within your {_money(taste.budget, taste.budget, cost.currency)} budget.'
    areas = {p.event.neighborhood for p in picks}
    if len(areas) == 1 and not theme.key.startswith('area:'):
        return f'All of it in {next(iter(areas))}, no trains needed.'
    return ''


def _daypart(event: EventPublic) -> str:
    hour = event.starts_at.hour
    return 'the morning' if hour < 12 else 'the afternoon' if hour < 17 else 'the evening' if hour < 22 else 'the night'


def _in_area(event: EventPublic) -> str:
    return f' in {event.neighborhood}' if event.neighborhood else ''


def _genre_name(genre: str) -> str:
    return GENRE_WORDS.get(genre, genre.replace('-', ' '))


def _vary(event: EventPublic, options: Sequence[str]) -> str:
    return options[_stable(event.event_id) % len(options)]


def _stable(text: str) -> int:
    """A hash that is the same in every process (str hashes are salted), so wording never wobbles."""
    return zlib.crc32(text.encode())


def _bundle_tags(theme: Theme, picks: Sequence[Scored]) -> list[str]:
    kind, _, value = theme.key.partition(':')
    tags = [value] if kind in ('tag', 'genre') else [value.lower()] if kind in ('category', 'area') else []
    genres = Counter(g for p in picks for g in (p.genre_hits or [t for t in p.event.tags if t in ALL_GENRES]))
    tags.extend(g for g, _ in genres.most_common(3))
    if any(p.event.ends_at.hour < 9 and p.event.ends_at.date() > p.event.starts_at.date() for p in picks):
        tags.append('late')
    if all(p.event.price is not None and p.event.price.max == 0 for p in picks):
        tags.append('free')
    return list(dict.fromkeys(t for t in tags if t))[:5]


def _shortfall(
    made: int, matching: int, taste: Taste, window: TimeWindow, city_name: str, rejected: Counter[str]
) -> str:
    budget = f' within a budget of {taste.budget:g}' if taste.budget is not None else ''
    late = _late_advice(window)
    if made == 0:
        found = f'{matching} events match {_interest_words(taste)} in {city_name} for {window.label}'
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


def _late_advice(window: TimeWindow) -> str:
    """Why a short window that opens late in the evening holds little: most of the night has already begun."""
    start = window.start.astimezone(ZoneInfo(window.timezone))
    short = window.end - window.start <= timedelta(hours=12)
    if short and (start.hour >= LATE_HOUR or start.hour < NIGHT_ENDS_HOUR):
        return f"It is {start:%H:%M}: most of tonight's events have already started. Try Tomorrow."
    return ''


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
        notes.append(f'{sum(1 for s in scored if s.price_note)} cheap or free')
    detail = f': {", ".join(notes)}' if notes else ''
    return f'Scored {len(scored)} events against your tastes{detail}'


def _interest_words(taste: Taste) -> str:
    return _join(list(taste.interests), 'or')


def _price_text(event: EventPublic) -> str:
    if event.price is None:
        return 'price at the door'
    if event.price.max == 0:
        return 'free entry'
    return _money(event.price.min, event.price.max, event.price.currency)


def _money(low: float, high: float, currency: str) -> str:
    symbol = {'EUR': '€', 'GBP': '£', 'USD': '$'}.get(currency, f'{currency} ')
    return f'{symbol}{low:g}' if low == high else f'{symbol}{low:g}-{high:g}'


def _a(phrase: str) -> str:
    return f'{"an" if phrase[:1] in "aeiou" else "a"} {phrase}'


def _night_of(moment: datetime) -> datetime:
    """The evening a moment belongs to: 01:00 on Saturday is still Friday night."""
    return moment - timedelta(hours=6)


def _day(moment: datetime) -> str:
    return f'{moment:%a} {moment.day} {moment:%b}'


def _join(words: Sequence[str], last: str = 'and') -> str:
    words = list(words)
    if len(words) <= 1:
        return ''.join(words)
    return f'{", ".join(words[:-1])} {last} {words[-1]}'
