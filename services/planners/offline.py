"""The offline planner: deterministic, catalog-grounded bundles with no API key (DESIGN.md section 5).

Steps: read the window's candidate events (short sessions in a worker thread), score each against the
person's interests, music profile and free text, pick the themes that make the strongest plans, fill
each with 2-5 non-overlapping events (no event in two bundles, within the budget), write the texts from
the real matching signals, and drop anything the grounding validator rejects.
"""

import asyncio
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from models.catalog import City, EventPublic
from models.db import session_scope
from models.generation import Bundle, Preferences, TimeWindow
from services import catalog
from services.planners.base import PlanContext, PlannerError, PlanRequest
from services.planners.grounding import drop_invalid, estimate_cost, find_violations, key_event_from
from settings import settings

TARGET_BUNDLES = 3
MIN_EVENTS, MAX_EVENTS = 2, 4  # per bundle; the contract allows 2-5, four reads best on a card
TRAVEL_GAP = timedelta(minutes=30)  # between the end of one event and the start of the next
MAX_SPAN = timedelta(hours=60)  # one bundle is a weekend at most, even inside "Next 30 days"
QUALITY_FLOOR = 0.4  # past two events, a bundle only takes events at least this share of its best one's score
CHEAP = 20.0  # what "cheap" / "nothing too pricey" means for one ticket, in the city's currency

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

GENRE_TITLES = {
    'techno': 'Techno After Dark',
    'house': 'House Music All Night Long',
    'deep-house': 'Deep House Hours',
    'disco': 'Disco Fever',
    'drum-and-bass': 'Breakbeat Pressure',
    'ambient': 'Slow Sounds',
    'electronic': 'Electronic Weekend',
    'jazz': 'Blue Notes',
    'classical': 'Strings & Keys',
    'hip-hop': 'Beats & Rhymes',
    'indie': 'Guitars & Small Stages',
    'folk': 'Songs & Stories',
    'punk': 'Loud & Fast',
    'minimal': 'Minimal Moves',
    'soul': 'Soul Power',
    'funk': 'Deep Funk',
}
TAG_TITLES = {
    'underground': 'Underground',
    'basement': 'Below Street Level',
    'warehouse': 'Warehouse Weekend',
    'rooftop': 'Up on the Roof',
    'outdoor': 'Open Air',
    'open-air': 'Open Air',
    'cosy': 'Small Rooms',
    'intimate': 'Small Rooms',
    'late-license': 'Till Sunrise',
    'queer': 'Queer Nights',
    'vinyl': 'Vinyl Only',
    'riverside': 'By the Water',
    'live': 'Live on Stage',
    'family': 'Family Days',
    'english': 'In English',
}
CATEGORY_TITLES = {
    'music': 'Live & Loud',
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
NUMBER_WORDS = {2: 'Two', 3: 'Three', 4: 'Four', 5: 'Five'}


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
    title: str
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
        scored = score_events(events, taste)
        await context.report(_scoring_summary(scored, taste))
        await asyncio.sleep(delay)
        plan = build_plan(scored, taste, request.window, city_name=city.name)
        if plan.themes:
            await context.report(f'Picked {len(plan.themes)} themes: {", ".join(plan.themes)}')
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
        return Plan(
            [], [], f'{found} {_interest_words(taste)} in {city_name} for {window.label}. Try other interests or dates.'
        )
    themes = _themes(scored, taste)
    used: set[str] = set()
    bundles: list[Bundle] = []
    titles: list[str] = []
    remaining = list(themes)
    size = _bundle_size(scored)
    while remaining and len(bundles) < TARGET_BUNDLES:
        best = _best_theme(remaining, scored, used, taste, size)
        if best is None:
            break
        theme, picks = best
        remaining.remove(theme)
        used.update(p.event.event_id for p in picks)
        bundle = _write_bundle(theme, picks, taste, window, taken_titles=titles)
        titles.append(bundle.title)
        bundles.append(bundle)
    shortfall = ''
    if len(bundles) < TARGET_BUNDLES:
        shortfall = _shortfall(len(bundles), len(scored), taste, window, city_name)
    return Plan(bundles, titles, shortfall)


def _themes(scored: Sequence[Scored], taste: Taste) -> list[Theme]:
    themes: list[Theme] = []
    for tag in taste.wanted_tags:
        themes.append(
            Theme(
                f'tag:{tag}',
                TAG_TITLES.get(tag, tag.replace('-', ' ').title()),
                lambda s, tag=tag: tag in s.tag_hits,
                bonus=1.15,
            )
        )
    genre_counts = Counter(g for s in scored for g in s.genre_hits)
    for genre, _count in sorted(genre_counts.items(), key=lambda item: (-item[1], item[0]))[:6]:
        bonus = 1.1 if genre in taste.named_genres else 1.0
        themes.append(
            Theme(
                f'genre:{genre}',
                GENRE_TITLES.get(genre, f'{genre.replace("-", " ").title()} Nights'),
                lambda s, genre=genre: genre in s.event.tags or genre in s.genre_hits,
                bonus=bonus,
            )
        )
    if taste.free or taste.cheap:
        themes.append(Theme('price:free', 'Free & Easy', lambda s: bool(s.event.price) and s.event.price.max == 0))
    for category in taste.interests:
        themes.append(
            Theme(
                f'category:{category}',
                CATEGORY_TITLES[category],
                lambda s, category=category: s.event.category == category,
            )
        )
    top_areas = Counter(s.event.neighborhood for s in scored[:30] if s.event.neighborhood)
    for area, _count in sorted(top_areas.items(), key=lambda item: (-item[1], item[0]))[:2]:
        themes.append(
            Theme(f'area:{area}', f'Around {area}', lambda s, area=area: s.event.neighborhood == area, bonus=0.9)
        )
    themes.append(Theme('best', 'Best of the Listings', lambda s: True, bonus=0.85))
    return themes


def _best_theme(
    themes: Sequence[Theme], scored: Sequence[Scored], used: set[str], taste: Taste, size: int
) -> tuple[Theme, list[Scored]] | None:
    best: tuple[float, Theme, list[Scored]] | None = None
    for theme in themes:
        pool = [s for s in scored if s.event.event_id not in used and theme.accepts(s)]
        picks = _itinerary(pool, taste, size)
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


def _itinerary(pool: Sequence[Scored], taste: Taste, size: int) -> list[Scored]:
    """Best-first greedy: events that fit between the ones already chosen, the budget and one weekend.

    Past the minimum, an event much weaker than the bundle's best is left out rather than used as filler.
    """
    chosen: list[Scored] = []
    cost = 0.0
    for candidate in pool:
        event = candidate.event
        if len(chosen) >= MIN_EVENTS and candidate.score < QUALITY_FLOOR * chosen[0].score:
            break  # the pool is best-first: nothing after this is stronger
        price = event.price.max if event.price else 0.0
        if taste.budget is not None and cost + price > taste.budget:
            continue
        if any(_clash(event, c.event) for c in chosen):
            continue
        if chosen and _span([*(c.event for c in chosen), event]) > MAX_SPAN:
            continue
        chosen.append(candidate)
        cost += price
        if len(chosen) == size:
            break
    return sorted(chosen, key=lambda s: (s.event.starts_at, s.event.event_id))


def _clash(a: EventPublic, b: EventPublic) -> bool:
    return a.starts_at < b.ends_at + TRAVEL_GAP and b.starts_at < a.ends_at + TRAVEL_GAP


def _span(events: Sequence[EventPublic]) -> timedelta:
    starts = [e.starts_at for e in events]
    return max(starts) - min(starts)


# --- writing -----------------------------------------------------------------------------------------


def _write_bundle(
    theme: Theme, picks: Sequence[Scored], taste: Taste, window: TimeWindow, *, taken_titles: Sequence[str]
) -> Bundle:
    events = [p.event for p in picks]
    key_events = [key_event_from(p.event, _why(p, taste)) for p in picks]
    title = _title(theme, picks, window)
    if title in taken_titles:
        title = f'{title}, {_day(events[0].starts_at)}'
    lead = max(picks, key=lambda p: p.score).event
    return Bundle(
        title=title,
        description=_description(theme, picks, taste),
        image_url=lead.image_url,
        tags=_bundle_tags(theme, picks),
        key_events=key_events,
        estimated_cost=estimate_cost(events),
    )


def _title(theme: Theme, picks: Sequence[Scored], window: TimeWindow) -> str:
    events = [p.event for p in picks]
    base = theme.title
    if theme.key == 'best':
        base = _catch_all_title(picks) or base
    if theme.key.startswith('tag:') and base in ('Underground', 'Open Air', 'Small Rooms', 'Queer Nights'):
        base = f'{base} {_occasion(events)}'
    long_window = window.end - window.start > timedelta(days=4)
    return f'{base}, {_day(events[0].starts_at)}' if long_window else base


def _catch_all_title(picks: Sequence[Scored]) -> str:
    """The mixed bundle named after what it mostly is ('More House Music'), when it mostly is something."""
    genres = Counter(g for p in picks for g in p.genre_hits if g != 'electronic')
    if genres:
        genre, count = min(genres.items(), key=lambda item: (-item[1], item[0]))
        if count * 2 > len(picks):
            return f'More {genre.replace("-", " ").title()}'
    categories = Counter(p.event.category for p in picks)
    category, count = min(categories.items(), key=lambda item: (-item[1], item[0]))
    return f'More {CATEGORY_TITLES[category]}' if count == len(picks) else ''


def _occasion(events: Sequence[EventPublic]) -> str:
    days = {e.starts_at.date() for e in events}
    if len(days) > 1:
        return 'Weekend' if all(d.weekday() >= 4 for d in days) else 'Days'
    return 'Night' if events[0].starts_at.hour >= 17 else 'Day'


def _why(scored: Scored, taste: Taste) -> str:
    """Three short sentences: what and where, why it matches, when and what it costs."""
    event = scored.event
    shown = [t for t in event.tags if t in scored.genre_hits][:2] or scored.genre_hits[:2]
    what = _join([g.replace('-', ' ') for g in shown]).capitalize() if shown else event.category.capitalize()
    where = f'{event.venue}, {event.neighborhood}' if event.neighborhood else event.venue
    reasons = []
    named = [g for g in scored.genre_hits if g in taste.named_genres]
    if named:
        genres = _join([g.replace('-', ' ') for g in named[:2]])
        reasons.append(f'{genres} from your "{taste.profile}" profile' if taste.profile else f'you mentioned {genres}')
    elif scored.genre_hits:
        reasons.append(f'close to the "{taste.profile}" sound you like' if taste.profile else 'close to your taste')
    if scored.tag_hits:
        reasons.append(f'{_a(_join(scored.tag_hits[:2]).replace("-", " "))} venue, as you asked')
    elif event.venue_tags:
        reasons.append(f'{_a(_join(event.venue_tags[:2]).replace("-", " "))} venue')
    if scored.in_neighborhood:
        reasons.append('in the area you named')
    cost = scored.price_note or _price_text(event)
    if event.status == 'sold_out':
        cost = 'sold out: resale only'
    why = '; '.join(reasons)
    when = f'{_day(event.starts_at)} {event.starts_at:%H:%M}-{event.ends_at:%H:%M}'
    return f'{what} at {where}.' + (f' {why[0].upper()}{why[1:]}.' if why else '') + f' {when}, {cost}.'


def _description(theme: Theme, picks: Sequence[Scored], taste: Taste) -> str:
    events = [p.event for p in picks]
    first, last = events[0], events[-1]
    areas = list(dict.fromkeys(e.neighborhood for e in events if e.neighborhood))
    count = NUMBER_WORDS.get(len(events), str(len(events)))
    opening = f'{count} stops {_theme_phrase(theme)}'
    if areas and not theme.key.startswith('area:'):
        opening += f' across {_join(areas)}'
    route = (
        f'It opens {_day(first.starts_at)} {first.starts_at:%H:%M} with {first.title} at {first.venue} '
        f'and ends with {last.title} at {last.venue}.'
    )
    genres = Counter(g for p in picks for g in p.genre_hits if g != 'electronic') or Counter(
        g for p in picks for g in p.genre_hits
    )
    flavour = f' Mostly {_join([g.replace("-", " ") for g, _ in genres.most_common(2)])}.' if genres else ''
    tagged = [p for p in picks if p.tag_hits]
    if tagged and taste.wanted_tags:
        flavour += f' {len(tagged)} of {len(picks)} at {_join(taste.wanted_tags[:2]).replace("-", " ")} venues.'
    cost = estimate_cost(events)
    money = ''
    if cost is not None:
        total = 'Free all the way' if cost.max == 0 else f'Tickets {_money(cost.min, cost.max, cost.currency)} in total'
        money = f' {total}.'
    return f'{opening}. {route}{flavour}{money}'


def _theme_phrase(theme: Theme) -> str:
    kind, _, value = theme.key.partition(':')
    match kind:
        case 'tag':
            return f'at {value.replace("-", " ")} venues'
        case 'genre':
            return f'of {value.replace("-", " ")}'
        case 'category':
            return f'for {value}'
        case 'price':
            return 'that cost nothing'
        case 'area':
            return f'around {value}'
    return 'from the listings'


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


def _shortfall(made: int, matching: int, taste: Taste, window: TimeWindow, city_name: str) -> str:
    budget = f' within a budget of {taste.budget:g}' if taste.budget is not None else ''
    if made == 0:
        return (
            f'{matching} events match {_interest_words(taste)} in {city_name} for {window.label}, but no two of them '
            f'fit together without overlapping{budget}. Try a longer timeframe or more interests.'
        )
    return f'only {made} distinct plan{"s" if made > 1 else ""} fit: {matching} matching events{budget}'


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


def _day(moment: datetime) -> str:
    return f'{moment:%a} {moment.day} {moment:%b}'


def _join(words: Sequence[str], last: str = 'and') -> str:
    words = list(words)
    if len(words) <= 1:
        return ''.join(words)
    return f'{", ".join(words[:-1])} {last} {words[-1]}'
