"""Checkout of restaurant dishes: a daily capacity instead of stock, and priced options."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction

from okryu.catalog import portions
from okryu.catalog.audit import audit_stock
from okryu.catalog.models import Product
from okryu.catalog.portions import available_units
from okryu.core.errors import DomainError
from okryu.orders.audit import audit_orders
from okryu.orders.models import OrderLine
from okryu.orders.services import cancel_order, place_order, reject_fulfilment
from okryu.orders.services.checkout import CheckoutOrder
from okryu.orders.tests.builders import (
    make_merchant,
    make_product,
    make_shopper,
    snapshot,
    stock_of,
)
from okryu.orders.tests.dish_builders import (
    dish_checkout,
    make_dish,
    make_noodles,
    make_restaurant,
    portions_of,
)
from okryu.payments.audit import audit_ledger

pytestmark = pytest.mark.django_db

# 2026-12-01 is a Tuesday; 03:00 UTC is 12:00 in Pyongyang.
NOON = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)
DAY = dt.date(2026, 12, 1)


def _refused(shopper_id: int, request: CheckoutOrder, code: str) -> DomainError:
    with pytest.raises(DomainError) as refusal:
        place_order(shopper_id=shopper_id, checkout=request, idempotency_key="refused")
    assert refusal.value.code == code
    return refusal.value


def _assert_audits_clean() -> None:
    assert audit_stock().is_clean
    assert audit_orders().is_clean
    assert audit_ledger().violations == 0


@time_machine.travel(NOON, tick=False)
def test_a_dish_takes_portions_of_todays_capacity_and_no_stock():
    shopper, card = make_shopper()
    dish = make_dish(make_restaurant(), capacity=5)

    placed = place_order(
        shopper_id=shopper.pk,
        checkout=dish_checkout(card, [(dish, 2, (), 12_000)]),
        idempotency_key="k",
    )

    assert portions_of(dish) == (DAY, 2)
    assert stock_of(dish) == (0, 0, 0)
    dish.refresh_from_db()
    assert available_units(dish) == 3
    line = OrderLine.objects.get(fulfilment__order_id=placed.order_id)
    assert (line.portions_day, line.quantity, line.total_won) == (DAY, 2, 24_000)
    _assert_audits_clean()


@time_machine.travel(NOON, tick=False)
def test_more_portions_than_are_left_today_are_refused_and_nothing_changes():
    shopper, card = make_shopper()
    dish = make_dish(make_restaurant(), capacity=3)
    place_order(
        shopper_id=shopper.pk,
        checkout=dish_checkout(card, [(dish, 2, (), None)]),
        idempotency_key="first",
    )
    before = snapshot()

    refusal = _refused(
        shopper.pk, dish_checkout(card, [(dish, 2, (), None)]), "out_of_stock"
    )

    assert refusal.extra == {"product": dish.pk, "available": 1}
    assert snapshot() == before
    assert portions_of(dish) == (DAY, 2)


def test_the_capacity_starts_again_at_the_reset_hour_of_the_next_morning():
    shopper, card = make_shopper()
    dish = make_dish(make_restaurant(), capacity=2)
    evening = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)  # 21:00 in Pyongyang.
    with time_machine.travel(evening, tick=False):
        place_order(
            shopper_id=shopper.pk,
            checkout=dish_checkout(card, [(dish, 2, (), None)]),
            idempotency_key="evening",
        )
    before_reset = evening + dt.timedelta(hours=7)  # 04:00, before the 05:00 reset.
    after_reset = evening + dt.timedelta(hours=9)  # 06:00.

    with time_machine.travel(before_reset, tick=False):
        _refused(shopper.pk, dish_checkout(card, [(dish, 1, (), None)]), "out_of_stock")
    with time_machine.travel(after_reset, tick=False):
        dish.refresh_from_db()
        assert available_units(dish) == 2
        place_order(
            shopper_id=shopper.pk,
            checkout=dish_checkout(card, [(dish, 2, (), None)]),
            idempotency_key="morning",
        )

    assert portions_of(dish) == (dt.date(2026, 12, 2), 2)
    _assert_audits_clean()


@time_machine.travel(NOON, tick=False)
def test_a_sold_out_dish_is_refused_and_nothing_changes():
    shopper, card = make_shopper()
    dish = make_dish(make_restaurant(), capacity=10)
    Product.objects.filter(pk=dish.pk).update(is_sold_out=True)
    dish.refresh_from_db()
    before = snapshot()

    refusal = _refused(
        shopper.pk, dish_checkout(card, [(dish, 1, (), None)]), "invalid"
    )

    assert refusal.extra == {"field": "lines", "product": dish.pk}
    assert available_units(dish) == 0
    assert snapshot() == before
    assert portions_of(dish) == (None, 0)


@time_machine.travel(NOON, tick=False)
def test_options_are_priced_and_kept_on_the_order_line_as_they_were():
    shopper, card = make_shopper()
    noodles = make_noodles(make_restaurant())
    chosen = (noodles.egg, noodles.large, noodles.noodles)

    placed = place_order(
        shopper_id=shopper.pk,
        checkout=dish_checkout(card, [(noodles.dish, 2, chosen, 16_000)]),
        idempotency_key="k",
    )
    noodles.large.name = "큰 그릇"
    noodles.large.save()

    line = OrderLine.objects.get(fulfilment__order_id=placed.order_id)
    assert (line.unit_price_won, line.total_won) == (16_000, 32_000)
    assert (line.options_text, line.options_text_en) == (
        "곱빼기, 사리 추가, 계란 추가",
        "Large, Extra noodles, Extra egg",
    )
    [handed_back] = placed.rows.fulfilments[0].lines
    assert (
        handed_back.unit_price_won,
        handed_back.options_text,
        handed_back.options_text_en,
    ) == (16_000, "곱빼기, 사리 추가, 계란 추가", "Large, Extra noodles, Extra egg")
    assert placed.rows.order.items_total_won == 32_000
    _assert_audits_clean()


@time_machine.travel(NOON, tick=False)
def test_the_same_dish_with_other_options_is_two_lines_taking_portions_together():
    shopper, card = make_shopper()
    noodles = make_noodles(make_restaurant(), capacity=3)

    placed = place_order(
        shopper_id=shopper.pk,
        checkout=dish_checkout(
            card,
            [
                (noodles.dish, 1, (noodles.regular,), 12_000),
                (noodles.dish, 2, (noodles.large,), 14_000),
            ],
        ),
        idempotency_key="k",
    )

    lines = OrderLine.objects.filter(fulfilment__order_id=placed.order_id)
    assert sorted(lines.values_list("options_text", "quantity", "total_won")) == [
        ("곱빼기", 2, 28_000),
        ("보통", 1, 12_000),
    ]
    assert portions_of(noodles.dish) == (DAY, 3)
    _assert_audits_clean()


@pytest.mark.parametrize(
    "case",
    ["other-dishs-option", "required-choice-missing", "two-of-a-one-group", "twice"],
)
@time_machine.travel(NOON, tick=False)
def test_a_wrong_choice_of_options_is_refused_naming_options_and_nothing_changes(case):
    shopper, card = make_shopper()
    restaurant = make_restaurant()
    noodles = make_noodles(restaurant)
    other = make_noodles(restaurant)
    options = {
        "other-dishs-option": (noodles.regular, other.egg),
        "required-choice-missing": (noodles.egg,),
        "two-of-a-one-group": (noodles.regular, noodles.large),
        "twice": (noodles.regular, noodles.egg, noodles.egg),
    }[case]
    before = snapshot()

    refusal = _refused(
        shopper.pk, dish_checkout(card, [(noodles.dish, 1, options, None)]), "invalid"
    )

    assert refusal.extra == {"field": "options"}
    assert snapshot() == before
    assert portions_of(noodles.dish) == (None, 0)


@time_machine.travel(NOON, tick=False)
def test_options_on_goods_are_refused_and_nothing_changes():
    shopper, card = make_shopper()
    noodles = make_noodles(make_restaurant())
    store, _staff = make_merchant()
    soap = make_product(store, stock=5)
    before = snapshot()

    refusal = _refused(
        shopper.pk, dish_checkout(card, [(soap, 1, (noodles.large,), None)]), "invalid"
    )

    assert refusal.extra == {"field": "options"}
    assert snapshot() == before


@time_machine.travel(NOON, tick=False)
def test_a_price_seen_without_the_options_is_a_price_change():
    shopper, card = make_shopper()
    noodles = make_noodles(make_restaurant())
    before = snapshot()

    refusal = _refused(
        shopper.pk,
        dish_checkout(card, [(noodles.dish, 1, (noodles.large,), 12_000)]),
        "price_changed",
    )

    assert (refusal.extra["price_seen"], refusal.extra["price_now"]) == (
        12_000,
        14_000,
    )
    assert snapshot() == before


@time_machine.travel(NOON, tick=False)
def test_a_basket_of_goods_and_dishes_reserves_the_goods_and_takes_the_portions():
    shopper, card = make_shopper()
    dish = make_dish(make_restaurant(), capacity=4)
    store, _staff = make_merchant()
    soap = make_product(store, stock=5)

    place_order(
        shopper_id=shopper.pk,
        checkout=dish_checkout(card, [(soap, 2, (), None), (dish, 3, (), None)]),
        idempotency_key="k",
    )

    assert (stock_of(soap), stock_of(dish), portions_of(dish)) == (
        (5, 2, 0),
        (0, 0, 0),
        (DAY, 3),
    )
    _assert_audits_clean()


@time_machine.travel(NOON, tick=False)
def test_cancelling_gives_the_portions_back():
    shopper, card = make_shopper()
    noodles = make_noodles(make_restaurant(), capacity=4)
    placed = place_order(
        shopper_id=shopper.pk,
        checkout=dish_checkout(card, [(noodles.dish, 3, (noodles.large,), None)]),
        idempotency_key="k",
    )

    cancel_order(shopper_id=shopper.pk, order_id=placed.order_id)

    assert portions_of(noodles.dish) == (DAY, 0)
    noodles.dish.refresh_from_db()
    assert available_units(noodles.dish) == 4
    _assert_audits_clean()


@time_machine.travel(NOON, tick=False)
def test_a_rejection_gives_the_portions_back():
    shopper, card = make_shopper()
    restaurant = make_restaurant()
    dish = make_dish(restaurant, capacity=4)
    placed = place_order(
        shopper_id=shopper.pk,
        checkout=dish_checkout(card, [(dish, 4, (), None)]),
        idempotency_key="k",
    )
    staff = restaurant.staff.get().user

    reject_fulfilment(
        staff_user_id=staff.pk,
        fulfilment_id=placed.rows.fulfilments[0].fulfilment.pk,
        reason="재료가 떨어졌습니다",
    )

    assert portions_of(dish) == (DAY, 0)
    _assert_audits_clean()


def test_cancelling_yesterdays_order_leaves_todays_portions_alone():
    shopper, card = make_shopper()
    dish = make_dish(make_restaurant(), capacity=4)
    with time_machine.travel(NOON, tick=False):
        yesterday = place_order(
            shopper_id=shopper.pk,
            checkout=dish_checkout(card, [(dish, 3, (), None)]),
            idempotency_key="yesterday",
        )
    with time_machine.travel(NOON + dt.timedelta(days=1), tick=False):
        place_order(
            shopper_id=shopper.pk,
            checkout=dish_checkout(card, [(dish, 1, (), None)]),
            idempotency_key="today",
        )

        cancel_order(shopper_id=shopper.pk, order_id=yesterday.order_id)

    assert portions_of(dish) == (DAY + dt.timedelta(days=1), 1)
    _assert_audits_clean()


@time_machine.travel(NOON, tick=False)
def test_the_audit_counts_a_dish_whose_portions_do_not_match_its_lines():
    shopper, card = make_shopper()
    dish = make_dish(make_restaurant(), capacity=4)
    place_order(
        shopper_id=shopper.pk,
        checkout=dish_checkout(card, [(dish, 2, (), None)]),
        idempotency_key="k",
    )
    # Bypass the services, as a bug or a hand edit would.
    Product.objects.filter(pk=dish.pk).update(portions_taken=3)

    audit = audit_orders()

    assert (
        audit.portions_not_matching_lines,
        audit.reserved_not_matching_open_lines,
    ) == (
        1,
        0,
    )
    assert audit_stock().is_clean


@time_machine.travel(NOON, tick=False)
def test_a_capacity_below_todays_portions_is_refused_and_an_old_day_is_cleared():
    shopper, card = make_shopper()
    dish = make_dish(make_restaurant(), capacity=4)
    place_order(
        shopper_id=shopper.pk,
        checkout=dish_checkout(card, [(dish, 3, (), None)]),
        idempotency_key="k",
    )

    with transaction.atomic():
        lowered = portions.set_daily_capacity(
            product_id=dish.pk, daily_capacity=2, day=DAY
        )
        next_day = portions.set_daily_capacity(
            product_id=dish.pk, daily_capacity=2, day=DAY + dt.timedelta(days=1)
        )

    assert (lowered, next_day) == (False, True)
    assert portions_of(dish) == (None, 0)
