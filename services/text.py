"""Small wording helpers shared by the planners' texts."""

from collections.abc import Sequence


def join_words(words: Sequence[str], last: str = 'and') -> str:
    """'a', 'a and b', 'a, b and c' (or 'or' as `last`)."""
    words = list(words)
    if len(words) <= 1:
        return ''.join(words)
    return f'{", ".join(words[:-1])} {last} {words[-1]}'
