"""Fair shares: a per-shopper limit over a period (e.g. 2 a week), set by staff or operator."""

import datetime as dt

import pytest
import time_machine

from okryu.accounts.models import Role
from okryu.catalog.models import Product
from okryu.catalog.period_limits import set_period_limit
from okryu.core.errors import DomainError, InvalidInput, NotFound
from okryu.orders.errors import OverPeriodLimit
from okryu.orders.models import Order
from okryu.orders.services import cancel_order, place_order
from okryu.orders.tests.builders import (
    checkout,
    make_merchant,
    make_product,
    make_shopper,
    make_user_with_role,
    stock_of,
)

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)  # 10:00 in Pyongyang


def two_a_week() -> Product:
    merchant, staff = make_merchant()
    product = make_product(merchant, stock=50)
    return set_period_limit(changed_by=staff, product_id=product.pk, units=2, days=7)


def order(
    shopper_id: int, card: object, product: Product, quantity: int, key: str
) -> int:
    return place_order(
        shopper_id=shopper_id,
        checkout=checkout(card, [(product, quantity)]),  # type: ignore[arg-type]
        idempotency_key=key,
    ).order_id


def test_a_shopper_may_buy_up_to_the_limit_within_the_period_and_no_more():
    product = two_a_week()
    shopper, card = make_shopper()
    with time_machine.travel(MONDAY, tick=False):
        order(shopper.pk, card, product, 1, "mon")
    with time_machine.travel(MONDAY + dt.timedelta(days=3), tick=False):
        order(shopper.pk, card, product, 1, "thu")
        with pytest.raises(OverPeriodLimit) as refused:
            order(shopper.pk, card, product, 1, "thu-again")

    assert refused.value.code == "period_limit"
    assert refused.value.status == 422
    assert refused.value.extra == {
        "product": product.pk,
        "limit": 2,
        "days": 7,
        "bought": 2,
    }
    assert "7일 동안 2개까지" in refused.value.detail
    assert Order.objects.count() == 2
    assert stock_of(product) == (50, 2, 0)


def test_units_bought_before_the_period_no_longer_count():
    product = two_a_week()
    shopper, card = make_shopper()
    with time_machine.travel(MONDAY, tick=False):
        order(shopper.pk, card, product, 2, "first-week")
    with time_machine.travel(MONDAY + dt.timedelta(days=7), tick=False):
        order(shopper.pk, card, product, 2, "next-week")

    assert Order.objects.count() == 2


def test_one_order_over_the_limit_is_refused_whole():
    product = two_a_week()
    shopper, card = make_shopper()

    with pytest.raises(OverPeriodLimit):
        order(shopper.pk, card, product, 3, "greedy")

    assert stock_of(product) == (50, 0, 0)


def test_each_shopper_has_their_own_share():
    product = two_a_week()
    first, first_card = make_shopper()
    second, second_card = make_shopper()

    order(first.pk, first_card, product, 2, "a")
    order(second.pk, second_card, product, 2, "b")

    assert stock_of(product) == (50, 4, 0)


@time_machine.travel(MONDAY, tick=False)
def test_a_cancelled_order_gives_its_units_back_to_the_share():
    product = two_a_week()
    shopper, card = make_shopper()
    first = order(shopper.pk, card, product, 2, "a")

    cancel_order(shopper_id=shopper.pk, order_id=first)
    order(shopper.pk, card, product, 2, "b")

    assert stock_of(product) == (50, 2, 0)


def test_the_daily_and_the_period_limit_both_hold():
    merchant, staff = make_merchant()
    product = make_product(merchant, stock=50, purchase_limit_per_day=1)
    set_period_limit(changed_by=staff, product_id=product.pk, units=2, days=7)
    shopper, card = make_shopper()
    with time_machine.travel(MONDAY, tick=False):
        order(shopper.pk, card, product, 1, "mon")
        with pytest.raises(DomainError) as daily:
            order(shopper.pk, card, product, 1, "mon-again")
    with time_machine.travel(MONDAY + dt.timedelta(days=1), tick=False):
        order(shopper.pk, card, product, 1, "tue")
    with (
        time_machine.travel(MONDAY + dt.timedelta(days=2), tick=False),
        pytest.raises(OverPeriodLimit),
    ):
        order(shopper.pk, card, product, 1, "wed")

    assert daily.value.code == "over_limit"


def test_staff_cannot_set_a_limit_on_another_merchants_product():
    _merchant, staff = make_merchant()
    other, _other_staff = make_merchant()
    product = make_product(other, stock=1)

    with pytest.raises(NotFound):
        set_period_limit(changed_by=staff, product_id=product.pk, units=2, days=7)


def test_an_operator_may_set_and_clear_a_limit_on_any_product():
    merchant, _staff = make_merchant()
    product = make_product(merchant, stock=1)
    operator = make_user_with_role(Role.OPERATOR)

    limited = set_period_limit(
        changed_by=operator, product_id=product.pk, units=1, days=30
    )
    cleared = set_period_limit(
        changed_by=operator, product_id=product.pk, units=None, days=None
    )

    assert (limited.purchase_limit_per_period, limited.purchase_limit_period_days) == (
        1,
        30,
    )
    assert (cleared.purchase_limit_per_period, cleared.purchase_limit_period_days) == (
        None,
        None,
    )


@pytest.mark.parametrize(
    ("units", "days", "field"),
    [
        (2, None, "days"),
        (None, 7, "units"),
        (0, 7, "units"),
        (2, 0, "days"),
        (2, 367, "days"),
    ],
)
def test_a_half_given_or_out_of_range_limit_is_invalid(units, days, field):
    merchant, staff = make_merchant()
    product = make_product(merchant, stock=1)

    with pytest.raises(InvalidInput) as refused:
        set_period_limit(
            changed_by=staff, product_id=product.pk, units=units, days=days
        )

    assert refused.value.field == field
