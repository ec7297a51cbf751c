"""The small pieces of English the planners share."""

from services.text import currency_symbol, format_money, isolate, join_words


def test_join_words_reads_like_a_sentence() -> None:
    assert join_words([]) == ''
    assert join_words(['techno']) == 'techno'
    assert join_words(['techno', 'house']) == 'techno and house'
    assert join_words(['music', 'art', 'food'], 'or') == 'music, art or food'


def test_money_uses_the_symbol_or_the_code() -> None:
    assert currency_symbol('EUR') == '€' and currency_symbol('gbp') == '£'
    assert currency_symbol('CHF') == 'CHF ' and currency_symbol('') == ''
    assert format_money(25, 25, 'EUR') == '€25'
    assert format_money(8.5, 15, 'USD') == '$8.5-15'
    assert format_money(0, 10, 'CHF') == 'CHF 0-10'


def test_isolate_wraps_quoted_text_so_it_cannot_reorder_what_follows() -> None:
    assert isolate('plain') == '\u2068plain\u2069'
    # Isolate marks inside are dropped: a stray PDI would close the isolate early, an LRI/RLI/FSI would
    # swallow the closing mark. Overrides inside stay inside: the closing PDI ends them.
    assert isolate('a\u2069\u202eb\u2066c\u2067d\u2068') == '\u2068a\u202ebcd\u2069'
    assert isolate('') == '\u2068\u2069'
