"""The small pieces of English the planners share."""

from services.text import currency_symbol, format_money, join_words


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
