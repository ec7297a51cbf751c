# ruff: noqa: E501, SIM905 (patterns read best whole, one per line; the filler words as prose)
"""The vocabulary of the wish reader (docs/ARCHITECTURE.md, wishes): how people write each kind of wish, in
English with a few German words (the demo city is Berlin). Text is matched lower-cased, with German umlauts
folded (ü -> ue) and hyphens as spaces, so 'Step-free' and 'step free' read alike.

Each pattern is a regular expression over that text; a clause of the free text that no pattern (and no
genre, venue word or place name) reads is reported back as "not understood".
"""

from services.planning.vocabulary import LOUD_GENRES

# Daytime only: events inside 08:00-19:00.
DAYTIME = r'\b(?:daytime|day time|during the day|in the day|by day|before dark|tagsueber|day only|days only|no nights?|not at night|no evenings?)\b'
# Evenings only: nothing before 17:00.
EVENING_ONLY = r'\b(?:evenings? only|only (?:in the )?evenings?|after work|nach feierabend|abends)\b'
# A curfew: "nothing after 22:00", "home by 10pm", "until 23 uhr", "bis 22 uhr".
CURFEW = (
    r'\b(?:nothing|not|no(?:thing)?|none)\s+(?:after|past|later than)\s+(?P<h1>\d{1,2})(?:[:.](?P<m1>\d\d))?\s*(?P<s1>am|pm|h|uhr)?'
    r'|\b(?:home|back|in bed|done|finished|over)\s+(?:by|before)\s+(?P<h2>\d{1,2})(?:[:.](?P<m2>\d\d))?\s*(?P<s2>am|pm|h|uhr)?'
    r'|\b(?:until|till|til|bis)\s+(?P<h3>\d{1,2})(?:[:.](?P<m3>\d\d))?\s*(?P<s3>am|pm|h|uhr)'
)
EARLY = r'\b(?:early|not too late|not late|frueh|in the morning|mornings?)\b'
LATE = r'\b(?:late night|late|all night|till sunrise|after hours|afterhours|spaet)\b'
KIDS = r'\b(?:kids?|child|children|family|families|toddlers?|little ones|my son|my daughter|kinder|kindern|familie)\b'
DATE = r'\b(?:a date|date night|first date|romantic|romance|partner|girlfriend|boyfriend|my wife|my husband|anniversary|couple|valentine|romantisch)\b'
GROUP = r'\b(?:group|friends|mates|team|colleagues|stag|hen party|bachelor|birthday|crew|gang|freunde|freunden)\b'
CHEAP = r'\b(?:cheap|budget|affordable|inexpensive|low cost|student|broke|too pricey|too expensive|not expensive|guenstig|billig)\b'
FREE_ONLY = r'\b(?:only free|free only|free things only|nothing that costs|no money|kostenlos|umsonst|gratis)\b'
FREE = r'(?<!step )(?<!barrier )(?<!gluten )(?<!sugar )(?<!smoke )\bfree\b(?! (?:time|day|days|evening|evenings|afternoon|night|nights|to|weekend))'
ENGLISH = r'\b(?:in english|english speaking|english friendly|english|no german|auf englisch|englisch)\b'
STEP_FREE = (
    r'\b(?:step free|wheelchair|barrier free|barrierefrei|no stairs|no steps|accessible|rollstuhl|mobility|walker)\b'
)
# Words that say "only this place": before or after the place's name.
ONLY_BEFORE = r'\b(?:only|just|nur|strictly|stay in|staying in|within)\s+(?:in\s+)?'
ONLY_AFTER = r'\s+only\b'
NEAR_BEFORE = r'\b(?:near|around|close to|in|nahe|bei|im|rund um|somewhere in)\s+'
# "no techno", "not too loud", "avoid clubs", "keine Clubs": the words after one of these are unwanted.
# Right before a title or venue named outright: the person does not want it ("anything but Improhaus", "not at
# Tresen Elf", "no Karaoke Night"). 'anything but' is read as 'not' before the text is cut into clauses at 'but'.
NAME_NEGATION = r'\b(?:no|not|never|without|except|avoid|skip|hate|nicht|keine?n?|kein|ohne)\s+(?:(?:at|to|in|the|a|an|any|more)\s+)*$'
ANYTHING_BUT = r'\b(?:anything|everything|alles) (?:but|except|ausser)\b'
NEGATION = r'\b(?:no|not|avoid|without|except|hate|skip|keine?n?|kein|ohne|nothing|never)\s+(?P<what>[a-z][a-z ]*?)(?=$|[,.;!?]| and | or | but | please)'

# Unwanted words and what they rule out: categories, and event or venue tags.
AVOID_CATEGORIES: dict[str, tuple[str, ...]] = {
    'club': ('nightlife',),
    'clubs': ('nightlife',),
    'clubbing': ('nightlife',),
    'raves': ('nightlife',),
    'rave': ('nightlife',),
    'nightlife': ('nightlife',),
    'party': ('nightlife',),
    'parties': ('nightlife',),
    'theatre': ('theatre',),
    'theater': ('theatre',),
    'sport': ('sports',),
    'sports': ('sports',),
    'films': ('film',),
    'movies': ('film',),
    'cinema': ('film',),
    'comedy': ('comedy',),
    'talks': ('talks',),
    'lectures': ('talks',),
    'markets': ('markets',),
    'museums': ('art',),
    'galleries': ('art',),
}
AVOID_TAGS: dict[str, tuple[str, ...]] = {
    'loud': LOUD_GENRES,
    'too loud': LOUD_GENRES,
    'crowds': ('late-license', 'warehouse'),
    'late nights': ('late-license',),
    'alcohol': ('bar', 'late-license'),
    'drinking': ('bar', 'late-license'),
    'bars': ('bar',),
    'stairs': (),
    'karaoke': ('karaoke',),
    'jazz': ('jazz', 'jam-session'),
    'classical': ('classical', 'chamber', 'organ', 'choral', 'orchestral', 'baroque'),
    'classical music': ('classical', 'chamber', 'organ', 'choral', 'orchestral', 'baroque'),
    'techno': ('techno', 'minimal', 'industrial', 'ebm', 'acid', 'tech-house'),
    'outdoor': ('outdoor', 'open-air'),
    'outside': ('outdoor', 'open-air'),
}
# Soft company wishes, and the venue or event tags that answer them.
DATE_TAGS = ('cosy', 'intimate', 'candlelit', 'riverside', 'rooftop', 'natural-wine', 'supper-club', 'jazz', 'seated')
GROUP_TAGS = ('communal-table', 'quiz', 'street-food', 'karaoke', 'bar', 'food-market', 'late-license')
KIDS_TAGS = ('family', 'kids', 'puppetry')
# Never offered with kids: grown-up venues, whatever the category.
ADULT_TAGS = ('late-license', 'bar', 'club', 'underground', 'basement', 'queer-night', 'supper-club', 'natural-wine')
# Clauses made only of these words say nothing to plan with: they are neither read nor reported.
FILLER = frozenset(
    (
        'a an and the i im i m we us me my our please thanks thank you would like love want looking for something '
        'some anything ideas idea maybe perhaps really very bit lot of to be with that this it is are good nice fun '
        'great time plan plans trip weekend day evening night for so if possible also just hi hello'
    ).split()
)
