"""What the person's words mean: music-profile words as genre families, free-text words as venue/event tags."""

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
    # Quiet is a kind of room: seated, small, unamplified. (Loud genres are the negation's business: "not loud".)
    'quiet': ('quiet', 'intimate', 'seated', 'acoustic'),
    'quieter': ('quiet', 'intimate', 'seated', 'acoustic'),
    'calm': ('quiet', 'intimate', 'seated'),
    'calmer': ('quiet', 'intimate', 'seated'),
    'peaceful': ('quiet', 'intimate'),
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

# What a wish for quiet ('quiet', asked through TAG_SIGNALS) weighs against: big standing rooms, stadiums, late
# licences and the loud genres, so "something quieter" of a match night moves it to a run, not only to a room
# that happens to be tagged cosy.
LOUD_TAGS = frozenset(
    {'stadium', 'sports-hall', 'dancefloor', 'warehouse', 'late-license', 'standing'}
    | {'techno', 'industrial', 'punk', 'hip-hop', 'drum-and-bass', 'ebm', 'bass', 'acid', 'hard-techno', 'post-punk'}
)
