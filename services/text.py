"""Small pieces of English shared by the planners' texts: lists of words and amounts of money."""

from collections.abc import Iterable

CURRENCY_SYMBOLS = {'EUR': '€', 'GBP': '£', 'USD': '$'}


def join_words(words: Iterable[str], last: str = 'and') -> str:
    """['a', 'b', 'c'] -> 'a, b and c' (or 'a, b or c' with last='or'); one word alone, none empty."""
    words = list(words)
    if len(words) <= 1:
        return ''.join(words)
    return f'{", ".join(words[:-1])} {last} {words[-1]}'


def currency_symbol(currency: str) -> str:
    """'EUR' -> '€'; a code without a symbol stays a code, followed by a space ('CHF ')."""
    if not currency:
        return ''
    return CURRENCY_SYMBOLS.get(currency.upper(), f'{currency.upper()} ')


def format_money(low: float, high: float, currency: str) -> str:
    """An amount or a range, as few digits as it takes: '€12', '€8-15'."""
    symbol = currency_symbol(currency)
    return f'{symbol}{low:g}' if low == high else f'{symbol}{low:g}-{high:g}'


# The Unicode bidi isolate marks: LRI, RLI, FSI and PDI.
ISOLATE_CONTROLS = dict.fromkeys(map(ord, '\u2066\u2067\u2068\u2069'))
FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = '\u2068', '\u2069'


def isolate(text: str) -> str:
    """Someone else's text (a visitor's wish, an event's title) quoted inside the app's own words, wrapped in a
    first-strong isolate so that its direction, or a right-to-left override inside it, cannot reorder the words
    around it. Isolate marks inside it are dropped, so that it cannot close the isolate itself; an override it
    opens ends at the closing mark (Unicode bidi algorithm, UAX #9)."""
    return f'{FIRST_STRONG_ISOLATE}{text.translate(ISOLATE_CONTROLS)}{POP_DIRECTIONAL_ISOLATE}'
