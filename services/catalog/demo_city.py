"""The demo city at the scale of a real one: neighbourhood venues and their weekly programme, generated
deterministically from the compact tables below and added to the hand-written data of `demo_data/`.

Each neighbourhood of `neighborhoodCentres` gets six venues of rotating kinds, placed 250-550 m from its
centre (inside it), each with the weekly series its kind runs; editions rotate through small name pools, so
titles read like listings and differ from night to night. Everything stays fictional demo data.
"""

import math
from typing import Any

VENUES_PER_AREA = 6
# kind -> (name pattern, venue tags, series). A series: (key, category, genre tags, days, start, hours,
# price (None: free), title, description).
Series = tuple[str, str, tuple[str, ...], tuple[str, ...], str, float, tuple[int, int] | None, str, str]
ALL_WEEK = ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')
KINDS: dict[str, tuple[str, tuple[str, ...], tuple[Series, ...]]] = {
    'bar': ('Eckbar {area}', ('cosy', 'bar'), (
        ('jazz', 'music', ('jazz', 'jam-session'), ('mon', 'wed', 'sun'), '20:30', 2.5, (0, 8), 'Jazz Session: {act}', 'An open jam in the back room: {act} start, then the stage belongs to whoever brought an instrument.'),  # noqa: E501
        ('djs', 'nightlife', ('house', 'disco'), ('thu', 'fri', 'sat'), '22:00', 5, (0, 6), 'Bar DJs: {act}', 'Records behind the bar and a small dance floor: {act} play house and disco until late.'),  # noqa: E501
        ('quiz', 'comedy', ('quiz',), ('tue',), '20:00', 2, (0, 5), 'Pub Quiz with {act}', 'Six rounds, teams of up to five, and {act} as a merciless quizmaster. In English.'),  # noqa: E501
    )),
    'club': ('Keller {area}', ('underground', 'late-license'), (
        ('night', 'nightlife', ('techno', 'electronic'), ('fri', 'sat'), '23:30', 7, (12, 20), '{act} all night', 'A basement night of hypnotic techno with {act} on a sound system built for the room.'),  # noqa: E501
        ('bass', 'nightlife', ('drum-and-bass', 'bass'), ('thu',), '23:00', 5, (8, 12), 'Bass Thursday: {act}', 'Drum and bass, jungle and UK garage with {act}. Student discount at the door.'),  # noqa: E501
        ('live', 'music', ('indie', 'post-punk'), ('wed', 'fri'), '20:00', 2.5, (12, 18), 'Live: {act}', 'A loud, sweaty gig: {act} play songs from their new record, support from a local band.'),  # noqa: E501
    )),
    'kino': ('Kiezkino {area}', ('cosy', 'cinema'), (
        ('early', 'film', ('arthouse',), ALL_WEEK, '18:00', 2, (9, 11), 'Cinema: {film}', 'The arthouse pick of the week, {film}, in the original with subtitles.'),  # noqa: E501
        ('late', 'film', ('classic',), ALL_WEEK, '20:45', 2.25, (9, 12), 'Late show: {film}', 'A restored classic on the big screen: {film}, introduced by the programmer.'),  # noqa: E501
    )),
    'gallery': ('Galerie {area}', ('gallery',), (
        ('show', 'art', ('contemporary',), ('tue', 'wed', 'thu', 'fri', 'sat'), '12:00', 6, None, 'Exhibition: {show}', 'A group show of young Berlin artists, {show}: painting, video and installation. Free entry.'),  # noqa: E501
        ('late', 'art', ('opening',), ('fri',), '19:00', 3, None, 'Gallery night: {show}', 'Late opening of {show} with the artists, a DJ and drinks at the bar.'),  # noqa: E501
        ('talk', 'talks', ('art',), ('thu',), '19:00', 1.5, (0, 5), 'Artist talk: {act}', '{act} on their work, the city and how an exhibition comes together. Q&A afterwards.'),  # noqa: E501
    )),
    'stage': ('Studiobühne {area}', ('theatre',), (
        ('play', 'theatre', ('drama',), ('wed', 'thu', 'fri', 'sat'), '19:30', 2.5, (16, 34), '{play}', 'The ensemble\'s new production of {play}, in German with English surtitles.'),  # noqa: E501
        ('matinee', 'theatre', ('family',), ('sun',), '16:00', 2, (12, 22), '{play} (Sunday matinee)', 'Afternoon performance of {play}; an easy first visit to the house.'),  # noqa: E501
        ('standup', 'comedy', ('stand-up',), ('fri', 'sat'), '21:30', 1.5, (10, 16), 'Stand-up: {act}', 'A late comedy hour in the studio: {act} headline, three newcomers open.'),  # noqa: E501
    )),
    'cafe': ('Café {area}', ('cosy', 'cafe'), (
        ('brunch', 'food', ('brunch',), ('sat', 'sun'), '10:00', 3, (16, 24), 'Long brunch: {dish}', 'The weekend brunch table, this week around {dish}. Bookings advised.'),  # noqa: E501
        ('supper', 'food', ('supper-club',), ('wed', 'thu', 'fri'), '19:00', 2.5, (35, 55), 'Supper club: {dish}', 'Five courses at one long table, cooked around {dish}; natural wine pairing optional.'),  # noqa: E501
        ('reading', 'talks', ('books',), ('mon', 'tue'), '19:30', 1.5, (5, 8), 'Reading: {act}', '{act} read from a new book and talk about it over coffee and cake.'),  # noqa: E501
    )),
    'park': ('Kiezpark {area}', ('outdoor', 'park'), (
        ('walk', 'outdoors', ('walk',), ('sat', 'sun'), '11:00', 2, None, 'Guided walk: {route}', 'Two hours on foot with a local guide: {route}. Meet at the park gate.'),  # noqa: E501
        ('run', 'sports', ('running',), ('tue', 'thu', 'sat'), '09:00', 1, None, 'Kiez run: {route}', 'A friendly 5 km group run, all paces welcome, along {route}.'),  # noqa: E501
        ('market', 'markets', ('flea-market',), ('sat', 'sun'), '10:00', 6, None, 'Flea market: {dish}', 'Stalls of records, furniture and clothes, plus street food: this week {dish}.'),  # noqa: E501
        ('yoga', 'wellness', ('yoga',), ('mon', 'wed', 'fri', 'sun'), '08:00', 1, (0, 8), 'Yoga in the park: {act}', 'An easy outdoor flow with {act}; bring a mat, donations welcome.'),  # noqa: E501
    )),
    'studio': ('Studio {area}', ('wellness', 'cosy'), (
        ('yoga', 'wellness', ('yoga',), ('mon', 'tue', 'wed', 'thu', 'fri'), '18:00', 1.25, (12, 18), 'Evening yoga with {act}', 'A calm vinyasa class after work with {act}; mats provided.'),  # noqa: E501
        ('sound', 'wellness', ('meditation', 'ambient'), ('sat', 'sun'), '17:00', 1.5, (18, 25), 'Sound bath: {act}', 'Gongs, bowls and ambient drones by {act}; lie back and listen.'),  # noqa: E501
    )),
    'hall': ('Sporthalle {area}', ('sports', 'indoor'), (
        ('match', 'sports', ('basketball',), ('wed', 'sat'), '19:00', 2, (12, 28), 'Regionalliga: {team}', 'League basketball in a packed little hall: {team}. Standing tickets at the door.'),  # noqa: E501
        ('climb', 'sports', ('bouldering',), ('mon', 'thu', 'sun'), '17:00', 3, (12, 15), 'Bouldering social: {route}', 'New problems set every week, this time {route}; shoes to rent.'),  # noqa: E501
        ('market', 'markets', ('food-market',), ('thu', 'fri'), '17:00', 5, None, 'Street food market: {dish}', 'Twenty stalls under one roof; this week\'s guest kitchen brings {dish}.'),  # noqa: E501
    )),
    'concert': ('Konzertsaal {area}', ('concert-hall', 'seated'), (
        ('classic', 'music', ('classical', 'chamber'), ('thu', 'fri', 'sat', 'sun'), '19:30', 2, (15, 45), 'Chamber concert: {act}', '{act} play Haydn, Schubert and a new commission in a hall with fine acoustics.'),  # noqa: E501
        ('soul', 'music', ('soul', 'funk'), ('fri', 'sat'), '21:30', 2.5, (14, 22), 'Soul night: {act}', 'A ten-piece band, horns included: {act} play soul and funk until the floor gives in.'),  # noqa: E501
        ('hiphop', 'music', ('hip-hop', 'rap'), ('tue', 'sat'), '20:30', 2.5, (10, 20), 'Hip-hop live: {act}', 'Berlin rap on a proper stage: {act}, with an open cypher to close.'),  # noqa: E501
    )),
}  # fmt: skip
POOLS = {
    'act': ('Lina Hofmann', 'The Kanal Trio', 'Mo Adeyemi', 'Ines Carvalho', 'Jonas Vehrs', 'Sora Kim', 'Duo Spree',
            'Tereza Novak', 'Yusuf Aydin', 'Ella Brandt'),
    'film': ('Nights of Cabiria', 'Paris, Texas', 'Cléo from 5 to 7', 'Stalker', 'Wings of Desire', 'Happy Together',
             'Toni Erdmann', 'Portrait of a Lady on Fire'),
    'show': ('Soft Concrete', 'Blue Hours', 'After the Flood', 'Paper Cities', 'Unfinished Rooms', 'Salt & Light'),
    'play': ('The Seagull', 'Woyzeck', 'A Doll\'s House', 'The Threepenny Opera', 'Hedda Gabler', 'Faust I'),
    'dish': ('Georgian khachapuri', 'Sicilian street food', 'Vietnamese pho', 'Lebanese mezze', 'Oaxacan tacos',
             'Swabian maultaschen'),
    'route': ('the old canal path', 'the Wall trail', 'the courtyards', 'the river bank', 'the cemetery park'),
    'team': ('Kiez Baskets vs. Potsdam', 'Spree Towers vs. Leipzig', 'Kiez Baskets vs. Rostock'),
}  # fmt: skip
STREETS = ('Lindenstraße', 'Kastanienallee', 'Hofweg', 'Uferstraße', 'Marktplatz', 'Gartenstraße')


def city_venues_and_series(centres: dict[str, list[float]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The generated venues and weekly series, the same on every call."""
    kinds = list(KINDS)
    venues: list[dict[str, Any]] = []
    series: list[dict[str, Any]] = []
    for area_index, (area, (lat, lon)) in enumerate(sorted(centres.items())):
        for slot in range(VENUES_PER_AREA):
            kind = kinds[(area_index * 3 + slot) % len(kinds)]
            pattern, tags, programme = KINDS[kind]
            key = f'gen-{_slug(area)}-{kind}'
            angle = math.radians(area_index * 23 + slot * 60)
            metres = 250 + 60 * slot
            venues.append({
                'key': key,
                'name': pattern.format(area=area),
                'neighborhood': area,
                'address': f'{STREETS[slot]} {10 + area_index * 3 + slot}',
                'tags': list(tags),
                'lat': round(lat + metres * math.sin(angle) / 111_320, 5),
                'lon': round(lon + metres * math.cos(angle) / (111_320 * math.cos(math.radians(lat))), 5),
            })  # fmt: skip
            series.extend(_series(key, area_index + slot, item) for item in programme)
    return venues, series


def _series(venue_key: str, shift: int, item: Series) -> dict[str, Any]:
    key, category, genres, days, start, hours, price, title, description = item
    pool = next((name for name in POOLS if '{' + name + '}' in title), 'act')
    names = POOLS[pool][shift % len(POOLS[pool]) :] + POOLS[pool][: shift % len(POOLS[pool])]
    return {
        'key': f'{venue_key}-{key}',
        'venue': venue_key,
        'category': category,
        'tags': list(genres),
        'days': list(days),
        'start': start,
        'hours': hours,
        'price': 0 if price is None else list(price),
        'editions': [
            {'title': title.format(**{pool: name}), 'description': description.format(**{pool: name})} for name in names
        ],
    }


def _slug(text: str) -> str:
    return ''.join(c if c.isalnum() else '-' for c in text.lower().replace('ö', 'oe').replace('ü', 'ue'))
