"""The grounding validator finds every kind of violation, and is quiet about a correct plan."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session

from models.catalog import City, EventPublic, Price, Venue
from models.generation import Bundle, TimeWindow
from services.catalog import queries
from services.planners.grounding import (
    check_bundles,
    drop_invalid,
    drop_invalid_events,
    estimate_cost,
    find_violations,
    key_event_from,
)
from tests.factories import add_city, add_event, add_venue

BERLIN = ZoneInfo('Europe/Berlin')
FRIDAY = datetime(2025, 12, 5, 17, 0, tzinfo=BERLIN)
WINDOW = TimeWindow(start=FRIDAY, end=datetime(2025, 12, 7, 23, 59, tzinfo=BERLIN), timezone='Europe/Berlin', label='')


@pytest.fixture
def city(session: Session) -> City:
    return add_city(session)


@pytest.fixture
def venue(session: Session, city: City) -> Venue:
    return add_venue(session, city, 'Tunnel 9', tags=['underground'])


def public(session: Session, event_id: str) -> EventPublic:
    return queries.get_event(session=session, event_id=event_id)


def bundle_of(*events: EventPublic, cost: Price | None = None, **extra) -> Bundle:
    key_events = [key_event_from(e, 'fits') for e in events]
    estimated = cost or estimate_cost(events)
    return Bundle(title='t', description='d', key_events=key_events, estimated_cost=estimated, **extra)


def codes(session: Session, bundles: list[Bundle], budget: float | None = None) -> list[str]:
    return [v.code for v in check_bundles(session=session, bundles=bundles, window=WINDOW, budget=budget)]


@pytest.fixture
def two(session: Session, venue: Venue) -> tuple[EventPublic, EventPublic]:
    first = add_event(session, venue, title='Early', starts_at=FRIDAY + timedelta(hours=1), hours=2, price=(10, 15))
    second = add_event(session, venue, title='Late', starts_at=FRIDAY + timedelta(hours=4), hours=5, price=(5, 5))
    return public(session, first.id), public(session, second.id)


def test_a_grounded_plan_has_no_violations(session, two) -> None:
    assert codes(session, [bundle_of(*two)], budget=20) == []


def test_key_event_from_copies_the_catalog(two) -> None:
    key_event = key_event_from(two[0], 'because')
    assert (key_event.title, key_event.starts_at, key_event.price, key_event.why) == (
        'Early',
        two[0].starts_at,
        Price(min=10, max=15, currency='EUR'),
        'because',
    )
    assert key_event.tags == ['underground']


def test_unknown_event(session, two) -> None:
    bundle = bundle_of(*two)
    bundle.key_events[0].event_id = 'made-up'
    assert 'unknown_event' in codes(session, [bundle])


@pytest.mark.parametrize(
    ('field', 'value'),
    [
        ('title', 'A nicer title'),
        ('starts_at', FRIDAY),
        ('ends_at', FRIDAY + timedelta(hours=9)),
        ('venue', 'Somewhere else'),
        ('neighborhood', 'Pankow'),
        ('price', Price(min=1, max=2, currency='EUR')),
        ('url', 'https://example.org/fake'),
    ],
)
def test_facts_not_from_the_catalog(session, two, field: str, value) -> None:
    bundle = bundle_of(*two)
    setattr(bundle.key_events[0], field, value)
    violations = check_bundles(session=session, bundles=[bundle], window=WINDOW, budget=None)
    assert [v.code for v in violations] == ['mismatch']
    assert field in violations[0].message


def test_same_instant_in_another_zone_is_not_a_mismatch(session, two) -> None:
    bundle = bundle_of(*two)
    bundle.key_events[0].starts_at = two[0].starts_at.astimezone(ZoneInfo('UTC'))
    assert codes(session, [bundle]) == []


def test_outside_the_window(session, venue, two) -> None:
    early = add_event(session, venue, title='Thursday', starts_at=FRIDAY - timedelta(hours=20))
    assert codes(session, [bundle_of(public(session, early.id), two[0])]) == ['outside_window']


def test_a_club_night_ending_after_the_window_is_fine(session, venue, two) -> None:
    late = add_event(session, venue, title='Sunday rave', starts_at=WINDOW.end - timedelta(hours=1), hours=8)
    assert codes(session, [bundle_of(two[0], public(session, late.id))]) == []


def test_overlap(session, venue, two) -> None:
    clash = add_event(session, venue, title='Clash', starts_at=FRIDAY + timedelta(hours=2), hours=1, price=None)
    assert codes(session, [bundle_of(two[0], public(session, clash.id))]) == ['overlap']


def placed(session: Session, city: City, name: str, lat: float, lon: float) -> Venue:
    venue = add_venue(session, city, name)
    venue.lat, venue.lon = lat, lon
    session.add(venue)
    session.commit()
    return venue


def test_unreachable_hop_between_distant_venues(session, city) -> None:
    # Treptower Park to Wedding: ~8 km, about 43 min by transit; the second event starts 20 min after the first ends.
    treptow = placed(session, city, 'Arena', 52.4960, 13.4540)
    wedding = placed(session, city, 'Panke', 52.5500, 13.3700)
    first = add_event(session, treptow, title='Matinee', starts_at=FRIDAY + timedelta(hours=1), hours=2)
    rushed = add_event(session, wedding, title='Rushed', starts_at=FRIDAY + timedelta(hours=3, minutes=20))
    violations = check_bundles(
        session=session, bundles=[bundle_of(public(session, first.id), public(session, rushed.id))], window=WINDOW,
        budget=None,
    )  # fmt: skip
    assert [(v.code, v.event_id) for v in violations] == [('unreachable', rushed.id)]
    assert 'by public transport' in violations[0].message and '"Rushed"' in violations[0].message


def test_reachable_hop_and_unknown_positions_pass(session, city) -> None:
    kreuzberg = placed(session, city, 'Bar', 52.4990, 13.4180)
    nearby = placed(session, city, 'Club', 52.5020, 13.4230)  # ~480 m: a 9 min walk
    unknown = add_venue(session, city, 'Nowhere')
    first = add_event(session, kreuzberg, title='Drinks', starts_at=FRIDAY + timedelta(hours=1), hours=2)
    walk = add_event(session, nearby, title='Walk over', starts_at=FRIDAY + timedelta(hours=3, minutes=10))
    assert codes(session, [bundle_of(public(session, first.id), public(session, walk.id))]) == []
    # The same walk with five minutes to spare is too short.
    tight = add_event(session, nearby, title='Tight', starts_at=FRIDAY + timedelta(days=1, minutes=5), hours=1)
    before = add_event(session, kreuzberg, title='Before', starts_at=FRIDAY + timedelta(hours=23), hours=1)
    assert codes(session, [bundle_of(public(session, before.id), public(session, tight.id))]) == ['unreachable']
    # No position, no estimate: back-to-back events are not rejected on a guess.
    elsewhere = add_event(session, unknown, title='Unplaced', starts_at=FRIDAY + timedelta(hours=3), hours=1)
    assert codes(session, [bundle_of(public(session, first.id), public(session, elsewhere.id))]) == []


def test_over_budget_counts_the_most_it_may_cost(session, two) -> None:
    assert codes(session, [bundle_of(*two)], budget=20) == []
    assert codes(session, [bundle_of(*two)], budget=19.5) == ['over_budget']


def test_cancelled_and_postponed_events(session, venue, two) -> None:
    for status in ('cancelled', 'postponed'):
        gone = add_event(session, venue, title=status, starts_at=FRIDAY + timedelta(hours=10), status=status)
        assert codes(session, [bundle_of(two[0], public(session, gone.id))]) == ['not_bookable']


def test_event_used_twice_across_and_within_bundles(session, venue, two) -> None:
    third = public(session, add_event(session, venue, title='Third', starts_at=FRIDAY + timedelta(days=1)).id)
    assert codes(session, [bundle_of(*two), bundle_of(two[1], third)]) == ['duplicate']
    twice = bundle_of(two[0], two[0])
    assert 'duplicate' in codes(session, [twice])


def test_estimated_cost_must_be_the_sum(session, two) -> None:
    bundle = bundle_of(*two, cost=Price(min=1, max=2, currency='EUR'))
    assert codes(session, [bundle]) == ['cost']


def test_empty_bundle(session) -> None:
    assert codes(session, [Bundle(title='t', description='d', key_events=[], estimated_cost=None)]) == ['empty']


def test_find_violations_takes_any_lookup(two) -> None:
    events = {e.event_id: e for e in two}
    assert find_violations([bundle_of(*two)], window=WINDOW, budget=None, lookup=events.get) == []
    assert find_violations([bundle_of(*two)], window=WINDOW, budget=None, lookup=lambda _id: None)


def test_drop_invalid_keeps_the_good_bundles(session, venue, two) -> None:
    good = bundle_of(*two)
    gone = add_event(session, venue, title='Gone', starts_at=FRIDAY + timedelta(days=1), status='cancelled')
    bad = bundle_of(public(session, gone.id))
    violations = check_bundles(session=session, bundles=[good, bad], window=WINDOW, budget=None)
    assert drop_invalid([good, bad], violations) == [good]
    assert str(violations[0]).startswith('bundle 2: ')


def test_an_event_overlapping_an_earlier_one_is_reported_even_past_a_reported_one(session, venue, two) -> None:
    long_night = add_event(session, venue, title='Long night', starts_at=FRIDAY + timedelta(hours=6), hours=10)
    inside = [
        add_event(session, venue, title=title, starts_at=FRIDAY + timedelta(hours=hours), hours=1)
        for title, hours in (('First clash', 7), ('Second clash', 9))
    ]
    bundle = bundle_of(two[0], public(session, long_night.id), *(public(session, e.id) for e in inside))
    violations = check_bundles(session=session, bundles=[bundle], window=WINDOW, budget=None)
    assert [(v.code, v.event_id) for v in violations] == [('overlap', inside[0].id), ('overlap', inside[1].id)]
    assert '"First clash"' in violations[0].message and f'({long_night.id})' in violations[0].message


def test_too_few_counts_only_events_that_may_stay(session, venue, two) -> None:
    gone = add_event(session, venue, title='Gone', starts_at=FRIDAY + timedelta(days=1), status='cancelled')
    bundle = bundle_of(*two, public(session, gone.id))
    lookup = queries.get_events(session=session, event_ids=[*(e.event_id for e in two), gone.id]).get

    def codes_for(min_events: int) -> list[str]:
        return [
            v.code for v in find_violations([bundle], window=WINDOW, budget=None, lookup=lookup, min_events=min_events)
        ]

    assert codes_for(2) == ['not_bookable']
    assert codes_for(3) == ['not_bookable', 'too_few']
    too_few = find_violations([bundle], window=WINDOW, budget=None, lookup=lookup, min_events=3)[1]
    assert (too_few.message, too_few.event_id) == ('needs at least 3 valid events', None)


def test_the_budget_counts_only_events_that_may_stay(session, venue, two) -> None:
    pricey = add_event(session, venue, title='Pricey', starts_at=FRIDAY + timedelta(hours=2), price=(90, 90))
    assert codes(session, [bundle_of(*two, public(session, pricey.id))], budget=30) == ['overlap']


def test_drop_invalid_events_keeps_what_can_be_saved(session, venue, two) -> None:
    third = public(session, add_event(session, venue, title='Third', starts_at=FRIDAY + timedelta(days=1)).id)
    clash = public(session, add_event(session, venue, title='Clash', starts_at=FRIDAY + timedelta(hours=2)).id)
    gone = add_event(session, venue, title='Gone', starts_at=FRIDAY + timedelta(days=1, hours=5), status='cancelled')
    bundles = [bundle_of(*two, clash, public(session, gone.id)), bundle_of(two[1], third, third)]
    bundles[1].key_events[2].event_id = 'made-up'
    violations = check_bundles(session=session, bundles=bundles, window=WINDOW, budget=None)
    assert {v.code for v in violations} == {'overlap', 'not_bookable', 'duplicate', 'unknown_event'}

    kept = drop_invalid_events(bundles, violations, min_events=2)

    assert [[e.title for e in b.key_events] for b in kept] == [['Early', 'Late']]  # bundle 2 kept only 'Third'
    assert kept[0].estimated_cost == estimate_cost(two)
    assert check_bundles(session=session, bundles=kept, window=WINDOW, budget=None) == []


def test_drop_invalid_events_keeps_the_first_use_of_an_event(session, venue, two) -> None:
    third = public(session, add_event(session, venue, title='Third', starts_at=FRIDAY + timedelta(days=1)).id)
    bundles = [bundle_of(two[0], two[0], two[1]), bundle_of(two[1], third)]
    violations = check_bundles(session=session, bundles=bundles, window=WINDOW, budget=None)

    kept = drop_invalid_events(bundles, violations)

    assert [[e.title for e in b.key_events] for b in kept] == [['Early', 'Late'], ['Third']]
    assert [v.code for v in check_bundles(session=session, bundles=kept, window=WINDOW, budget=None)] == []


def test_drop_invalid_events_leaves_bundle_wide_problems_to_drop_invalid(session, two) -> None:
    bundles = [bundle_of(*two)]
    violations = check_bundles(session=session, bundles=bundles, window=WINDOW, budget=10)
    assert [v.code for v in violations] == ['over_budget']
    kept = drop_invalid_events(bundles, violations, min_events=2)
    assert kept == bundles
    assert drop_invalid(kept, check_bundles(session=session, bundles=kept, window=WINDOW, budget=10)) == []
