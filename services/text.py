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
