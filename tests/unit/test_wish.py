"""The wish reader (services/planning/wish.py): each kind of wish as people write it, synonyms and a few German
words, negation, and what it could not read reported back as "not understood"."""

from datetime import time

import pytest

from services.planning.hard import without_wishes
from services.planning.wish import Wish, read_wish

AREAS = ('Spandau', 'Kreuzberg', 'Prenzlauer Berg', 'Mitte', 'Neukölln')


def read(text: str | None, *, interests=('music',), profile: str | None = None, budget=None, names=()) -> Wish:
    return read_wish(
        interests=list(interests), music_profile=profile, other_preferences=text, budget=budget, areas=AREAS,
        names=list(names),
    )  # fmt: skip


def kinds(wish: Wish) -> set[tuple[str, str, bool]]:
    return {(i.kind, i.value, i.hard) for i in wish.items if i.text != 'form'}


def test_the_form_is_read_as_interests_taste_and_money() -> None:
    wish = read(None, interests=('music', 'food'), profile='Electronic, House', budget=60)
    form = {(i.kind, i.value, i.hard) for i in wish.items if i.text == 'form'}
    assert form == {
        ('interest', 'music', True),
        ('interest', 'food', True),
        ('taste', 'electronic', False),
        ('taste', 'house', False),
        ('money', 'up to 60 per plan', True),
    }
    assert wish.genres == ('electronic', 'house') and wish.budget == 60 and wish.not_understood == ()


@pytest.mark.parametrize(
    ('text', 'only', 'near'),
    [
        ('only Spandau', ('Spandau',), ()),
        ('Spandau only please', ('Spandau',), ()),
        ('nur Kreuzberg', ('Kreuzberg',), ()),
        ('stay in Prenzlauer Berg', ('Prenzlauer Berg',), ()),
        ('something near Kreuzberg', (), ('Kreuzberg',)),
        ('around Neukölln', (), ('Neukölln',)),
    ],
)
def test_a_place_is_hard_with_only_and_soft_otherwise(text: str, only: tuple, near: tuple) -> None:
    wish = read(text)
    assert wish.only_areas == only and wish.near_areas == near
    assert all(item.hard == bool(only) for item in wish.items if item.kind == 'place')


@pytest.mark.parametrize(
    ('text', 'earliest', 'latest'),
    [
        ('daytime only', time(8), time(19)),
        ('tagsüber bitte', time(8), time(19)),
        ('nothing after 22:00', None, time(22)),
        ('home by 10pm', None, time(22)),
        ('not past 23 uhr', None, time(23)),
        ('bis 21 Uhr', None, time(21)),
        ('evenings only', time(17), None),
    ],
)
def test_times_of_day_are_hard_limits(text: str, earliest: time | None, latest: time | None) -> None:
    wish = read(text)
    assert (wish.earliest, wish.latest) == (earliest, latest)
    assert [i.hard for i in wish.items if i.kind == 'time_of_day'] == [True]


def test_early_and_late_are_soft() -> None:
    assert read('early please').early and not read('early please').latest
    assert read('something late').late
    assert {i.hard for i in read('early please').items if i.kind == 'time_of_day'} == {False}


def test_company_kids_is_hard_and_brings_a_curfew_date_and_group_are_soft() -> None:
    kids = read('with kids')
    assert kids.kids and kids.latest == time(20) and ('company', 'with kids', True) in kinds(kids)
    assert read('mit den Kindern').kids
    date = read('something romantic for a date')
    assert date.date and 'cosy' in date.wanted_tags and ('company', 'a date', False) in kinds(date)
    assert read('a night out with friends').group


def test_money_language_and_access() -> None:
    assert read('nothing too pricey').cheap
    assert read('free things if possible').free and not read('free things if possible').free_only
    assert read('only free stuff').free_only
    assert read('in English please').english
    step_free = read('step-free access, I use a wheelchair')
    assert step_free.step_free and not step_free.free  # "step-free" is not "free"
    assert ('access', 'step-free', True) in kinds(step_free)
    assert read('barrierefrei').step_free


def test_negations_rule_things_out() -> None:
    wish = read('no clubs, no classical please, not too loud')
    assert wish.avoid_categories == {'nightlife'}
    assert {'classical', 'chamber', 'techno'} <= wish.avoid_tags
    assert {i.value for i in wish.items if i.kind == 'avoid'} == {'no clubs', 'no classical', 'no loud'}
    assert 'techno' not in read('no techno', profile=None).genres  # a negated genre is not a taste
    assert read('keine Clubs').avoid_categories == {'nightlife'}


def test_genres_and_venue_character_in_the_text_are_soft_taste() -> None:
    wish = read('Looking for underground venues and some hip hop')
    assert 'underground' in wish.wanted_tags and 'hip-hop' in wish.genres
    assert {('taste', 'underground', False), ('taste', 'hip-hop', False)} <= kinds(wish)


def test_a_name_from_the_catalog_is_understood() -> None:
    wish = read('Please include Kessel: Raw Concrete', names=['Kessel: Raw Concrete', 'Kesselhaus Ost'])
    assert ('named', 'Kessel: Raw Concrete', False) in kinds(wish) and wish.not_understood == ()


@pytest.mark.parametrize(
    'text',
    [
        'anything but Improhaus please',
        'not at Improhaus',
        'no Improhaus, thanks',
        'Alles ausser Improhaus',
        'ohne Improhaus',
    ],
)
def test_a_name_turned_down_is_a_hard_wish_not_a_stop_to_build_around(text: str) -> None:
    # Read in an answer: "anything but Improhaus please" was understood as naming Improhaus, and all three
    # comedy plans were built around it.
    wish = read(text, interests=('comedy',), names=['Improhaus', 'Improhaus Late Show: the roast battle'])
    assert kinds(wish) == {('avoid', 'no Improhaus', True)}
    assert wish.avoid_names == ('Improhaus',) and wish.not_understood == ()


def test_a_name_beside_a_negation_of_something_else_is_still_named() -> None:
    wish = read('no clubs and Improhaus please', interests=('comedy', 'nightlife'), names=['Improhaus'])
    assert ('named', 'Improhaus', False) in kinds(wish) and wish.avoid_names == ()
    assert wish.avoid_categories == {'nightlife'}


def test_the_words_of_a_named_title_are_not_read_as_wishes_of_their_own() -> None:
    # Read in an answer: 'Please include Fotohaus After Work: "Concrete Summer"' was taken as "evenings only"
    # too, and every daytime walk of the outdoors the person chose was dropped.
    title = 'Fotohaus After Work: "Concrete Summer"'
    wish = read(f'Please include {title}, nothing after 22:00', interests=('outdoors', 'art'), names=[title])
    assert kinds(wish) == {('named', title, False), ('time_of_day', 'nothing after 22:00', True)}
    assert wish.earliest is None and wish.not_understood == ()


def test_what_cannot_be_read_is_reported_and_polite_filler_is_not() -> None:
    wish = read('Hi! rooftop bars, I want to see unicorns, thanks')
    assert wish.not_understood == ('i want to see unicorns',)
    assert 'rooftop' in wish.wanted_tags


def test_two_wishes_in_one_sentence_are_both_read() -> None:
    wish = read('only Spandau, nothing after 22:00')
    assert kinds(wish) == {('place', 'only Spandau', True), ('time_of_day', 'nothing after 22:00', True)}
    said = {item['value']: item['text'] for item in wish.public()['understood']}
    assert said['nothing after 22:00'] == 'nothing after 22:00' and said['only Spandau'] == 'only spandau'


def test_a_wish_left_out_takes_only_its_own_limits_with_it() -> None:
    # "with kids, nothing after 22:00" holds two limits in one: the children's bedtime (20:00) and the person's
    # own. Planning without the children keeps the person's 22:00; without the hours keeps the bedtime.
    wish = read_wish(
        interests=('music',), music_profile=None, other_preferences='with kids, nothing after 22:00', budget=None
    )
    assert (wish.latest, wish.own_latest) == (time(20, 0), time(22, 0))
    no_kids = without_wishes(wish, ['company'])
    assert (no_kids.kids, no_kids.latest) == (False, time(22, 0))
    no_hours = without_wishes(wish, ['time_of_day'])
    assert (no_hours.kids, no_hours.latest) == (True, time(20, 0))
    neither = without_wishes(wish, ['company', 'time_of_day'])
    assert (neither.kids, neither.latest, [i.value for i in neither.hard_items]) == (False, None, [])
