"""The kitchen's tickets: what a restaurant's staff must cook, oldest first, with due times."""

import datetime as dt

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from okryu.merchants.models import Merchant, MerchantKind
from okryu.orders.models import Fulfilment
from okryu.orders.queries import list_kitchen_tickets_for_staff
from okryu.orders.rules import preparation_minutes_of
from okryu.orders.services import (
    accept_fulfilment,
    cancel_order,
    mark_ready,
    place_order,
    start_preparing,
)
from okryu.orders.tests.builders import (
    checkout,
    make_merchant,
    make_product,
    make_shopper,
    open_all_week,
)

# 2026-12-01 is a Tuesday; 03:00 UTC is 12:00 in Pyongyang.
NOON = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def test_a_fulfilment_takes_as_long_as_its_slowest_dish():
    assert preparation_minutes_of([5, None, 30], merchant_minutes=20) == 30


def test_a_dish_without_its_own_time_takes_the_merchants():
    assert preparation_minutes_of([None, 5], merchant_minutes=20) == 20


def test_a_fulfilment_without_dishes_takes_the_merchants_time():
    assert preparation_minutes_of([], merchant_minutes=15) == 15


@given(
    dishes=st.lists(st.none() | st.integers(0, 24 * 60), max_size=8),
    merchant_minutes=st.integers(0, 24 * 60),
)
def test_preparation_is_the_longest_of_the_dishes_with_the_merchants_time_filled_in(
    dishes, merchant_minutes
):
    """It is one of the filled-in times (or the merchant's), and none is longer."""
    filled = [merchant_minutes if each is None else each for each in dishes]

    minutes = preparation_minutes_of(dishes, merchant_minutes=merchant_minutes)

    assert minutes in [*filled, merchant_minutes]
    assert all(each <= minutes for each in filled)


def restaurant(preparation_minutes: int = 20):
    merchant, staff = make_merchant(kind=MerchantKind.RESTAURANT)
    Merchant.objects.filter(pk=merchant.pk).update(
        preparation_minutes=preparation_minutes
    )
    open_all_week(merchant, dt.time(0, 0), dt.time(0, 0))
    return merchant, staff


def place(product, quantity: int = 1) -> Fulfilment:
    shopper, card = make_shopper()
    placed = place_order(
        shopper_id=shopper.pk,
        checkout=checkout(card, [(product, quantity)]),
        idempotency_key=f"kitchen-{shopper.pk}",
    )
    return Fulfilment.objects.get(order_id=placed.order_id)


@pytest.fixture
def kitchen(db):
    merchant, staff = restaurant(preparation_minutes=20)
    return {"merchant": merchant, "staff": staff, "dish": make_product(merchant)}


def accepted_at(moment: dt.datetime, staff, fulfilment: Fulfilment) -> None:
    with time_machine.travel(moment, tick=False):
        accept_fulfilment(staff_user_id=staff.pk, fulfilment_id=fulfilment.pk)


@pytest.mark.django_db
def test_the_kitchen_lists_accepted_and_preparing_fulfilments_oldest_accepted_first(
    kitchen,
):
    staff, dish = kitchen["staff"], kitchen["dish"]
    with time_machine.travel(NOON, tick=False):
        placed, later, preparing, ready, cancelled = [place(dish) for _ in range(5)]
    accepted_at(NOON + 3 * MINUTE, staff, later)
    accepted_at(NOON + 1 * MINUTE, staff, preparing)
    accepted_at(NOON + 2 * MINUTE, staff, ready)
    accepted_at(NOON + 4 * MINUTE, staff, cancelled)
    start_preparing(staff_user_id=staff.pk, fulfilment_id=preparing.pk)
    start_preparing(staff_user_id=staff.pk, fulfilment_id=ready.pk)
    mark_ready(staff_user_id=staff.pk, fulfilment_id=ready.pk)
    cancel_order(shopper_id=cancelled.order.shopper_id, order_id=cancelled.order_id)

    tickets = list_kitchen_tickets_for_staff(staff_user_id=staff.pk, limit=10)

    assert [
        (t.fulfilment.pk, t.fulfilment.status, t.accepted_at, t.due_at) for t in tickets
    ] == [
        (preparing.pk, "preparing", NOON + MINUTE, NOON + 21 * MINUTE),
        (later.pk, "accepted", NOON + 3 * MINUTE, NOON + 23 * MINUTE),
    ]
    assert placed.pk not in {t.fulfilment.pk for t in tickets}


@pytest.mark.django_db
def test_staff_of_another_restaurant_see_none_of_its_tickets(kitchen):
    fulfilment = place(kitchen["dish"])
    accept_fulfilment(staff_user_id=kitchen["staff"].pk, fulfilment_id=fulfilment.pk)
    _other, other_staff = restaurant()

    tickets = list_kitchen_tickets_for_staff(staff_user_id=other_staff.pk, limit=10)

    assert tickets == []


@pytest.mark.django_db
def test_a_stores_accepted_fulfilments_are_not_kitchen_tickets():
    store, staff = make_merchant(kind=MerchantKind.STORE)
    fulfilment = place(make_product(store))
    accept_fulfilment(staff_user_id=staff.pk, fulfilment_id=fulfilment.pk)

    assert list_kitchen_tickets_for_staff(staff_user_id=staff.pk, limit=10) == []


@pytest.mark.django_db
def test_the_tickets_are_read_in_two_queries_however_many_there_are(
    kitchen, django_assert_num_queries
):
    staff = kitchen["staff"]
    second = make_product(kitchen["merchant"])
    for _ in range(3):
        fulfilment = place(kitchen["dish"])
        accept_fulfilment(staff_user_id=staff.pk, fulfilment_id=fulfilment.pk)
    fulfilment = place(second, 2)
    accept_fulfilment(staff_user_id=staff.pk, fulfilment_id=fulfilment.pk)

    with django_assert_num_queries(2):
        tickets = list_kitchen_tickets_for_staff(staff_user_id=staff.pk, limit=10)
        names = [
            (line.product.pk, line.quantity)
            for t in tickets
            for line in t.fulfilment.lines.all()
        ]

    assert names[-1] == (second.pk, 2)
    assert len(tickets) == 4


@pytest.mark.django_db
def test_a_ticket_is_due_when_its_slowest_dish_is_ready(kitchen):
    staff = kitchen["staff"]
    slow = make_product(kitchen["merchant"], preparation_minutes=35)
    quick = make_product(kitchen["merchant"], preparation_minutes=5)
    with time_machine.travel(NOON, tick=False):
        both = place_lines([(kitchen["dish"], 1), (slow, 1)])
        only_quick = place_lines([(quick, 2)])
        for fulfilment in (both, only_quick):
            accept_fulfilment(staff_user_id=staff.pk, fulfilment_id=fulfilment.pk)

    tickets = list_kitchen_tickets_for_staff(staff_user_id=staff.pk, limit=10)

    assert {t.fulfilment.pk: t.due_at for t in tickets} == {
        both.pk: NOON + 35 * MINUTE,
        only_quick.pk: NOON + 5 * MINUTE,
    }


def place_lines(lines) -> Fulfilment:
    shopper, card = make_shopper()
    placed = place_order(
        shopper_id=shopper.pk,
        checkout=checkout(card, lines),
        idempotency_key=f"kitchen-lines-{shopper.pk}",
    )
    return Fulfilment.objects.get(order_id=placed.order_id)


@pytest.mark.django_db
def test_a_ticket_for_a_later_slot_is_due_at_the_slot_and_cooked_after_sooner_ones(
    kitchen,
):
    staff, dish = kitchen["staff"], kitchen["dish"]
    slot = NOON + 3 * 60 * MINUTE  # 15:00 in Pyongyang.
    with time_machine.travel(NOON, tick=False):
        shopper, card = make_shopper()
        for_the_slot = Fulfilment.objects.get(
            order_id=place_order(
                shopper_id=shopper.pk,
                checkout=checkout(card, [(dish, 1)], slot_starts_at=slot),
                idempotency_key="for-the-slot",
            ).order_id
        )
        as_soon_as_possible = place(dish)
    accepted_at(NOON + MINUTE, staff, for_the_slot)
    accepted_at(NOON + 2 * MINUTE, staff, as_soon_as_possible)

    tickets = list_kitchen_tickets_for_staff(staff_user_id=staff.pk, limit=10)

    assert [(t.fulfilment.pk, t.due_at) for t in tickets] == [
        (as_soon_as_possible.pk, NOON + 22 * MINUTE),
        (for_the_slot.pk, slot),
    ]
    assert tickets[1].starts_at == slot - 20 * MINUTE
