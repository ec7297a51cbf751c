"""The words a catalog search matches: one normalization for the stored text and for what is searched."""

import re
from collections.abc import Iterable

from models.catalog import Venue

_NOT_A_WORD = re.compile(r'[^\w]+|_')


def search_text_for(*, title: str, description: str, tags: Iterable[str], venue: Venue) -> str:
    """The text `queries.search_events` matches words against, padded with spaces so words match at their start."""
    return f' {normalize_words(" ".join([title, description, *tags, venue.name, *venue.tags]))} '


def normalize_words(text: str) -> str:
    """Lower case, punctuation and hyphens as spaces: 'Hip-Hop, R&B' -> 'hip hop r b'."""
    return ' '.join(_NOT_A_WORD.sub(' ', text.lower()).split())
