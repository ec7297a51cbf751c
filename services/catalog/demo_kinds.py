"""What each kind of generated demo venue is like and runs: its tags, opening hours, step-free access and
weekly series (read by `services.catalog.demo_city`, which names the venues and fills in the line-ups).

A series' title and description name one thing drawn from a pool (`pool`): 'person' and 'band' are acts,
booked for that venue alone, so no act is ever in two places at once; 'film' rotates city-wide so a film
is shown once a day; 'show', 'play', 'dish' are the venue's own; 'route' uses the venue's streets and
'team' its home team. `season` (months) keeps outdoor series to their time of year; `english` is the share
of venues whose edition is in English; `family` marks daytime family events. Prices are per person.
'afternoon' is a second film rotation, of its own films, so an afternoon show never repeats an evening one.

Wave 1 makes the city as dense as a real one through the week: comedy and nightlife on weeknights, afternoon
screenings, talks at the weekend, a midweek club night and Sunday matinees.
"""

from dataclasses import dataclass

ALL_WEEK = ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')
SUMMER = (5, 6, 7, 8, 9)
MILD = (3, 4, 5, 6, 7, 8, 9, 10)


@dataclass(frozen=True)
class SeriesTemplate:
    key: str
    category: str
    tags: tuple[str, ...]
    days: tuple[str, ...]
    start: str
    hours: float
    price: tuple[int, int] | None  # per person; None: free
    title: str  # with '{name}': the pool's item
    description: str
    pool: str = 'person'
    season: tuple[int, ...] = ()  # months it runs in; () all year
    english: float = 0.0
    english_note: str = 'In English.'  # added to the description of an English edition
    family: bool = False
    # Series added after the first city draw their acts after all the first ones (demo_city), so adding one
    # renames no act, play or exhibition the city already had.
    wave: int = 0


@dataclass(frozen=True)
class Kind:
    tags: tuple[str, ...]
    series: tuple[SeriesTemplate, ...]
    hours: tuple[str, ...] = ()  # OpenStreetMap opening_hours, one picked per venue; () not a drop-in place
    step_free: tuple[bool | None, ...] = (None,)  # one picked per venue


S = SeriesTemplate
KINDS: dict[str, Kind] = {
    'bar': Kind(
        tags=('cosy', 'bar'),
        hours=('Mo-Su 18:00-04:00', 'Mo-We,Su 19:00-02:00; Th-Sa 19:00-04:00', 'Mo-Su 17:00-04:00'),
        step_free=(None, False, True),
        series=(
            S('jazz', 'music', ('jazz', 'jam-session'), ('mon', 'wed', 'sun'), '20:30', 2.5, (0, 8), 'Jazz Session: {name}', 'An open jam in the back room: {name} start, then the stage belongs to whoever brought an instrument.'),  # noqa: E501
            S('djs', 'nightlife', ('house', 'disco'), ('thu', 'fri', 'sat'), '22:00', 5, (0, 6), 'Bar DJs: {name}', 'Records behind the bar and a small dance floor: {name} play house and disco until late.'),  # noqa: E501
            S('quiz', 'comedy', ('quiz',), ('tue',), '20:00', 2, (0, 5), 'Pub Quiz with {name}', 'Six rounds, teams of up to five, and {name} as a merciless quizmaster.', english=0.6),  # noqa: E501
            S('late', 'nightlife', ('soul', 'disco', 'vinyl'), ('sun', 'mon', 'tue', 'wed'), '23:00', 3.5, None, 'Late bar: {name} on the decks', 'Soul, disco and rare grooves from the crates of {name} once the back room is quiet; free entry.', wave=1),  # noqa: E501
        ),
    ),
    'club': Kind(
        tags=('underground', 'late-license'),
        step_free=(False, None),
        series=(
            S('night', 'nightlife', ('techno', 'electronic'), ('fri', 'sat'), '23:30', 7, (12, 20), '{name} all night', 'A basement night of hypnotic techno with {name} on a sound system built for the room.'),  # noqa: E501
            S('bass', 'nightlife', ('drum-and-bass', 'bass'), ('thu',), '23:00', 5, (8, 12), 'Bass Thursday: {name}', 'Drum and bass, jungle and UK garage with {name}. Student discount at the door.'),  # noqa: E501
            S('live', 'music', ('indie', 'post-punk'), ('wed', 'fri'), '20:00', 2.5, (12, 18), 'Live: {name}', 'A loud, sweaty gig: {name} play songs from their new record, support from a local band.', pool='band'),  # noqa: E501
            S('midweek', 'nightlife', ('minimal', 'tech-house'), ('wed',), '23:00', 5, (6, 10), 'Midweek: {name}', 'A cheap midweek night of minimal and tech house with {name}: in by one, out by five.', wave=1),  # noqa: E501
        ),
    ),
    'kino': Kind(
        tags=('cosy', 'cinema'),
        step_free=(True, True, None),
        series=(
            S('early', 'film', ('arthouse',), ALL_WEEK, '18:00', 2, (9, 11), 'Cinema: {name}', 'The arthouse pick of the day, {name}, in the original with subtitles.', pool='film'),  # noqa: E501
            S('late', 'film', ('classic',), ALL_WEEK, '20:45', 2.25, (9, 12), 'Late show: {name}', 'A restored classic on the big screen: {name}, introduced by the programmer.', pool='film', english=0.5, english_note='With English subtitles.'),  # noqa: E501
            S('afternoon', 'film', ('classic', 'matinee'), ALL_WEEK, '15:30', 2, (7, 9), 'Afternoon screening: {name}', 'The afternoon show at a gentler price: {name}, in the original with subtitles.', pool='afternoon', wave=1),  # noqa: E501
        ),
    ),
    'gallery': Kind(
        tags=('gallery',),
        hours=('Tu-Sa 11:00-19:00', 'Tu-Su 11:00-19:00', 'Tu-Fr 11:00-19:00; Sa 10:00-19:00'),
        step_free=(True, None, False),
        series=(
            S('show', 'art', ('contemporary', 'exhibition'), ('tue', 'wed', 'thu', 'fri', 'sat'), '12:00', 6, None, 'Exhibition: {name}', 'A group show of young Berlin artists, {name}: painting, video and installation. Free entry, come and go.', pool='show'),  # noqa: E501
            S('late', 'art', ('opening',), ('fri',), '19:00', 3, None, 'Gallery night: {name}', 'Late opening of {name} with the artists, a DJ and drinks at the bar.', pool='show'),  # noqa: E501
            S('evening', 'art', ('exhibition', 'late'), ('wed', 'sat'), '18:00', 2, None, 'Evening viewing: {name}', 'The gallery stays open late for {name}: a glass of wine, and one of the artists around to talk.', pool='show'),  # noqa: E501
            S('talk', 'talks', ('art',), ('thu',), '19:00', 1.5, (0, 5), 'Artist talk: {name}', '{name} on their work, the city and how an exhibition comes together. Q&A afterwards.', english=0.4),  # noqa: E501
            S('family', 'art', ('family', 'workshop'), ('sat',), '11:00', 2, (0, 4), 'Family morning: {name} for kids', 'Drawing, cutting and gluing in the show {name}; for children from five with their grown-ups.', pool='show', family=True),  # noqa: E501
            S('tour', 'talks', ('art', 'guided-tour'), ('wed', 'fri', 'sat'), '16:00', 1, (0, 5), 'Curator tour: {name}', 'An hour through {name} with the curator: how the works were chosen, and questions welcome.', pool='show', english=0.4, wave=1),  # noqa: E501
        ),
    ),
    'stage': Kind(
        tags=('theatre',),
        step_free=(True, None, False),
        series=(
            S('play', 'theatre', ('drama',), ('wed', 'thu', 'fri', 'sat'), '19:30', 2.5, (16, 34), '{name}', "The ensemble's new production of {name}, in German with English surtitles.", pool='play'),  # noqa: E501
            S('matinee', 'theatre', ('family',), ('sun',), '15:00', 2, (12, 22), '{name} (Sunday matinee)', 'Afternoon performance of {name}; an easy first visit to the house, children welcome.', pool='play', family=True),  # noqa: E501
            S('standup', 'comedy', ('stand-up',), ('fri', 'sat'), '21:30', 1.5, (10, 16), 'Stand-up: {name}', 'A late comedy hour in the studio: {name} headline, three newcomers open.', english=0.5),  # noqa: E501
            S('openmic', 'comedy', ('stand-up', 'open-mic'), ('sun', 'mon', 'tue', 'wed', 'thu'), '20:00', 1.5, (0, 8), 'Open mic: {name} hosts', 'Ten comics, five minutes each, in the studio; {name} keep it moving. Pay what you like.', english=0.6, wave=1),  # noqa: E501
        ),
    ),
    'cafe': Kind(
        tags=('cosy', 'cafe'),
        hours=('Mo-Fr 08:00-22:00; Sa,Su 09:00-22:00', 'Mo-Su 09:00-22:00', 'Mo-Sa 08:30-23:00; Su 09:00-22:00'),
        step_free=(True, None, None),
        series=(
            S('brunch', 'food', ('brunch',), ('sat', 'sun'), '10:00', 3, (16, 24), 'Long brunch: {name}', 'The weekend brunch table, this time around {name}. Bookings advised.', pool='dish'),  # noqa: E501
            S('supper', 'food', ('supper-club',), ('wed', 'thu', 'fri'), '19:00', 2.5, (35, 55), 'Supper club: {name}', 'Five courses at one long table, cooked around {name}; natural wine pairing optional.', pool='dish'),  # noqa: E501
            S('reading', 'talks', ('books',), ('mon', 'tue'), '19:30', 1.5, (5, 8), 'Reading: {name}', '{name} read from a new book and talk about it over coffee and cake.', english=0.3),  # noqa: E501
            S('kitchen', 'food', ('dinner', 'family-style'), ('sun', 'mon'), '18:00', 1.5, (16, 24), 'Kitchen table: {name}', 'One dish for the whole table, this week {name}; come early, it runs out.', pool='dish', wave=1),  # noqa: E501
            S('salon', 'talks', ('conversation',), ('fri', 'sat', 'sun'), '16:30', 1.5, (5, 10), 'Afternoon salon: {name} in conversation', '{name} on a life in the city, then questions from the room over coffee.', english=0.3, wave=1),  # noqa: E501
        ),
    ),
    'park': Kind(
        tags=('outdoor', 'park'),
        step_free=(True,),
        series=(
            S('walk', 'outdoors', ('walk', 'walking-tour'), ('sat', 'sun'), '11:00', 2, None, 'Guided walk: {name}', 'Two hours on foot with a local guide: {name}. Meet at the park gate.', pool='route', english=0.3),  # noqa: E501
            S('run', 'sports', ('running',), ('tue', 'thu', 'sat'), '09:30', 1, None, 'Kiez run: {name}', 'A friendly 5 km group run, all paces welcome, along {name}.', pool='route'),  # noqa: E501
            S('market', 'markets', ('flea-market',), ('sat', 'sun'), '10:00', 6, None, 'Flea market: {name}', 'Stalls of records, furniture and clothes, plus street food: this week {name}.', pool='dish', season=MILD),  # noqa: E501
            S('yoga', 'wellness', ('yoga', 'open-air'), ('mon', 'wed', 'fri', 'sun'), '08:00', 1, (0, 8), 'Yoga in the park: {name}', 'An easy outdoor flow with {name}; bring a mat, donations welcome.', season=SUMMER),  # noqa: E501
        ),
    ),
    'studio': Kind(
        tags=('wellness', 'cosy'),
        step_free=(None, True, False),
        series=(
            S('yoga', 'wellness', ('yoga',), ('mon', 'tue', 'wed', 'thu', 'fri'), '18:00', 1.25, (12, 18), 'Evening yoga with {name}', 'A calm vinyasa class after work with {name}; mats provided.', english=0.4),  # noqa: E501
            S('sound', 'wellness', ('meditation', 'ambient'), ('sat', 'sun'), '17:00', 1.5, (18, 25), 'Sound bath: {name}', 'Gongs, bowls and ambient drones by {name}; lie back and listen.'),  # noqa: E501
        ),
    ),
    'hall': Kind(
        tags=('sports', 'indoor'),
        step_free=(True,),
        series=(
            S('match', 'sports', ('basketball',), ('wed', 'sat'), '19:00', 2, (12, 28), 'Regionalliga: {name}', 'League basketball in a packed little hall: {name}. Standing tickets at the door.', pool='team'),  # noqa: E501
            S('climb', 'sports', ('bouldering',), ('mon', 'thu', 'sun'), '17:00', 3, (12, 15), 'Bouldering social: {name}', 'New problems set every week, this time on the {name} wall; shoes to rent.', pool='route'),  # noqa: E501
            S('market', 'markets', ('food-market',), ('thu', 'fri'), '17:00', 5, None, 'Street food market: {name}', "Twenty stalls under one roof; this week's guest kitchen brings {name}.", pool='dish'),  # noqa: E501
        ),
    ),
    'concert': Kind(
        tags=('concert-hall', 'seated'),
        step_free=(True, True, None),
        series=(
            S('classic', 'music', ('classical', 'chamber'), ('thu', 'fri', 'sat', 'sun'), '19:30', 2, (15, 45), 'Chamber concert: {name}', '{name} play Haydn, Schubert and a new commission in a hall with fine acoustics.'),  # noqa: E501
            S('soul', 'music', ('soul', 'funk'), ('fri', 'sat'), '21:30', 2.5, (14, 22), 'Soul night: {name}', 'A ten-piece band, horns included: {name} play soul and funk until the floor gives in.', pool='band'),  # noqa: E501
            S('hiphop', 'music', ('hip-hop', 'rap'), ('tue', 'sat'), '20:30', 2.5, (10, 20), 'Hip-hop live: {name}', 'Berlin rap on a proper stage: {name}, with an open cypher to close.'),  # noqa: E501
            S('matinee', 'music', ('classical', 'chamber'), ('sun',), '11:00', 1.5, (10, 20), 'Sunday matinee: {name}', 'A morning recital: {name} play Mozart and Brahms; coffee in the foyer afterwards.', wave=1),  # noqa: E501
        ),
    ),
}  # fmt: skip
