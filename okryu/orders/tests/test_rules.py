import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okryu.orders.rules import (
    TRANSITIONS,
    Actor,
    FulfilmentStatus,
    OrderStatus,
    PricedLine,
    can_move,
    kitchen_due_at,
    order_status,
    split_by_merchant,
)

S = FulfilmentStatus


@pytest.mark.parametrize(
    ("current", "target", "actor"),
    [
        (S.PLACED, S.ACCEPTED, Actor.MERCHANT),
        (S.PLACED, S.CANCELLED, Actor.SHOPPER),
        (S.ACCEPTED, S.CANCELLED, Actor.SHOPPER),
        (S.ACCEPTED, S.PREPARING, Actor.MERCHANT),
        (S.PREPARING, S.READY, Actor.MERCHANT),
        (S.READY, S.OUT_FOR_DELIVERY, Actor.COURIER),
        (S.OUT_FOR_DELIVERY, S.DELIVERED, Actor.COURIER),
        (S.OUT_FOR_DELIVERY, S.READY, Actor.COURIER),
    ],
)
def test_the_allowed_moves_are_allowed(current, target, actor):
    assert can_move(current, target, actor) is True


@pytest.mark.parametrize(
    ("current", "target", "actor"),
    [
        pytest.param(S.PREPARING, S.CANCELLED, Actor.SHOPPER, id="shopper too late"),
        pytest.param(S.PLACED, S.ACCEPTED, Actor.SHOPPER, id="shopper accepting"),
        pytest.param(S.PLACED, S.DELIVERED, Actor.COURIER, id="skipping steps"),
        pytest.param(S.DELIVERED, S.CANCELLED, Actor.OPERATOR, id="undoing a delivery"),
        pytest.param(
            S.CANCELLED, S.PLACED, Actor.SYSTEM, id="reviving a cancelled one"
        ),
    ],
)
def test_forbidden_moves_are_refused(current, target, actor):
    assert can_move(current, target, actor) is False


def test_nothing_leaves_a_final_status_but_a_return_after_delivery():
    leaving_final = {
        (current, target)
        for (current, target) in TRANSITIONS
        if current in {S.REJECTED, S.CANCELLED, S.RETURNED}
    }

    assert leaving_final == set()
    assert [target for (current, target) in TRANSITIONS if current == S.DELIVERED] == [
        S.RETURNED
    ]


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([S.PLACED, S.PLACED], OrderStatus.PLACED),
        ([S.PLACED, S.ACCEPTED], OrderStatus.IN_PROGRESS),
        ([S.REJECTED, S.CANCELLED], OrderStatus.CANCELLED),
        ([S.DELIVERED, S.CANCELLED], OrderStatus.COMPLETED),
        ([S.DELIVERED, S.READY], OrderStatus.IN_PROGRESS),
        ([S.RETURNED], OrderStatus.COMPLETED),
    ],
)
def test_the_order_status_follows_from_its_fulfilments(statuses, expected):
    assert order_status(statuses) == expected


lines_strategy = st.lists(
    st.builds(
        PricedLine,
        product_id=st.integers(min_value=1, max_value=50),
        merchant_id=st.integers(min_value=1, max_value=5),
        quantity=st.integers(min_value=1, max_value=999),
        unit_price_won=st.integers(min_value=1, max_value=1_000_000),
    ),
    min_size=1,
    max_size=20,
    unique_by=lambda line: line.product_id,
)


@given(lines=lines_strategy)
def test_splitting_keeps_every_line_once_and_the_totals_add_up(lines):
    """Each line lands in its merchant's share once; subtotals sum to the total."""
    priced = split_by_merchant(
        lines, weights_grams={line.product_id: 250 for line in lines}
    )

    split_lines = list(
        itertools.chain.from_iterable(share.lines for share in priced.shares)
    )
    assert sorted(split_lines, key=lambda line: line.product_id) == sorted(
        lines, key=lambda line: line.product_id
    )
    assert all(
        line.merchant_id == share.merchant_id
        for share in priced.shares
        for line in share.lines
    )
    assert priced.items_total_won == sum(
        line.quantity * line.unit_price_won for line in lines
    )
    assert priced.items_total_won == sum(
        share.items_total_won for share in priced.shares
    )
    assert len({share.merchant_id for share in priced.shares}) == len(priced.shares)


def test_a_kitchens_ticket_for_a_slot_is_due_at_the_slot_not_after_its_cooking_time():
    accepted = dt.datetime(2026, 12, 1, 8, 58, tzinfo=dt.UTC)
    slot = accepted.replace(hour=11, minute=0)

    assert (
        kitchen_due_at(
            accepted_at=accepted, preparation_minutes=20, slot_starts_at=slot
        )
        == slot
    )


def test_a_kitchens_ticket_without_a_slot_is_due_its_cooking_time_after_acceptance():
    accepted = dt.datetime(2026, 12, 1, 8, 58, tzinfo=dt.UTC)

    assert kitchen_due_at(
        accepted_at=accepted, preparation_minutes=20, slot_starts_at=None
    ) == accepted + dt.timedelta(minutes=20)


def test_a_slot_too_near_to_cook_for_is_due_when_cooking_can_end():
    accepted = dt.datetime(2026, 12, 1, 10, 50, tzinfo=dt.UTC)
    slot = accepted.replace(hour=11, minute=0)

    assert kitchen_due_at(
        accepted_at=accepted, preparation_minutes=20, slot_starts_at=slot
    ) == accepted + dt.timedelta(minutes=20)
