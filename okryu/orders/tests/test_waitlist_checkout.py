"""Checkout and scarce goods: offers go to those who waited; refusals are remembered."""

import datetime as dt

import pytest
import time_machine

from okryu.catalog.audit import audit_stock
from okryu.catalog.models import UnmetDemand, UnmetDemandKind, WaitlistEntry
from okryu.catalog.services import receive_stock
from okryu.catalog.waitlist import join_waitlist
from okryu.core.errors import DomainError
from okryu.orders.audit import audit_orders
from okryu.orders.models import OrderLine
from okryu.orders.services import place_order
from okryu.orders.tests.builders import (
    checkout,
    make_merchant,
    make_product,
    make_shopper,
    near_district,
    stock_of,
)

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)


def refused_code(**kwargs: object) -> str:
    with pytest.raises(DomainError) as refused:
        place_order(**kwargs)  # type: ignore[arg-type]
    return refused.value.code


@time_machine.travel(START, tick=False)
def test_an_offered_shopper_orders_the_units_held_for_them_and_nobody_else_can():
    merchant, _staff = make_merchant()
    product = make_product(merchant, stock=0)
    waiter, waiter_card = make_shopper()
    other, other_card = make_shopper()
    entry, _created = join_waitlist(
        shopper_id=waiter.pk, product_id=product.pk, quantity=2
    )
    receive_stock(product_id=product.pk, quantity=2, changed_by=None)

    code = refused_code(
        shopper_id=other.pk,
        checkout=checkout(other_card, [(product, 1)]),
        idempotency_key="other",
    )
    placed = place_order(
        shopper_id=waiter.pk,
        checkout=checkout(waiter_card, [(product, 2)]),
        idempotency_key="waiter",
    )

    assert code == "out_of_stock"
    assert OrderLine.objects.get(fulfilment__order_id=placed.order_id).quantity == 2
    entry.refresh_from_db()
    assert entry.status == "ordered"
    assert stock_of(product) == (2, 2, 0)
    product.refresh_from_db()
    assert product.stock_offered == 0
    assert audit_stock().is_clean
    assert audit_orders().is_clean


@time_machine.travel(START, tick=False)
def test_an_order_for_fewer_units_than_offered_passes_the_rest_to_the_next_entry():
    merchant, _staff = make_merchant()
    product = make_product(merchant, stock=0)
    first, first_card = make_shopper()
    second, _second_card = make_shopper()
    join_waitlist(shopper_id=first.pk, product_id=product.pk, quantity=3)
    join_waitlist(shopper_id=second.pk, product_id=product.pk, quantity=2)
    receive_stock(product_id=product.pk, quantity=3, changed_by=None)

    place_order(
        shopper_id=first.pk,
        checkout=checkout(first_card, [(product, 1)]),
        idempotency_key="first",
    )

    entries = WaitlistEntry.objects.order_by("id")
    assert list(entries.values_list("status", "offered_quantity")) == [
        ("ordered", 3),
        ("offered", 2),
    ]
    product.refresh_from_db()
    assert (product.stock_reserved, product.stock_offered) == (1, 2)
    assert product.stock_available == 0
    assert audit_stock().is_clean


@time_machine.travel(START, tick=False)
def test_an_offered_shopper_may_order_more_than_offered_from_what_is_available():
    merchant, _staff = make_merchant()
    product = make_product(merchant, stock=0)
    waiter, card = make_shopper()
    join_waitlist(shopper_id=waiter.pk, product_id=product.pk, quantity=1)
    receive_stock(product_id=product.pk, quantity=4, changed_by=None)

    place_order(
        shopper_id=waiter.pk,
        checkout=checkout(card, [(product, 3)]),
        idempotency_key="more",
    )

    assert stock_of(product) == (4, 3, 0)
    assert audit_stock().is_clean


@time_machine.travel(START, tick=False)
def test_an_offer_that_ran_out_is_not_used_by_a_later_order():
    merchant, _staff = make_merchant()
    product = make_product(merchant, stock=0)
    waiter, card = make_shopper()
    join_waitlist(shopper_id=waiter.pk, product_id=product.pk, quantity=1)
    receive_stock(product_id=product.pk, quantity=1, changed_by=None)

    with time_machine.travel(START + dt.timedelta(hours=3), tick=False):
        code = refused_code(
            shopper_id=waiter.pk,
            checkout=checkout(card, [(product, 1)]),
            idempotency_key="late",
        )

    assert code == "out_of_stock"
    assert WaitlistEntry.objects.get().status == "offered"  # until its job runs


@time_machine.travel(START, tick=False)
def test_each_out_of_stock_refusal_is_recorded_with_its_units_and_district_after_the_rollback():
    merchant, _staff = make_merchant()
    scarce = make_product(merchant, stock=1)
    plenty = make_product(merchant, stock=50)
    shopper, card = make_shopper()

    for key, quantity in (("a", 3), ("b", 2)):
        code = refused_code(
            shopper_id=shopper.pk,
            checkout=checkout(card, [(plenty, 1), (scarce, quantity)]),
            idempotency_key=key,
        )
        assert code == "out_of_stock"

    rows = UnmetDemand.objects.order_by("id")
    assert list(rows.values_list("product_id", "kind", "quantity", "district_id")) == [
        (scarce.pk, UnmetDemandKind.REFUSED, 3, near_district().pk),
        (scarce.pk, UnmetDemandKind.REFUSED, 2, near_district().pk),
    ]
    assert set(rows.values_list("at", flat=True)) == {START}
    assert stock_of(plenty) == (50, 0, 0)


def test_refusals_other_than_out_of_stock_are_not_unmet_demand():
    merchant, _staff = make_merchant()
    product = make_product(merchant, stock=5)
    shopper, card = make_shopper()

    code = refused_code(
        shopper_id=shopper.pk,
        checkout=checkout(card, [(product, 1)], pin="0000"),
        idempotency_key="wrong-pin",
    )

    assert code == "wrong_pin"
    assert UnmetDemand.objects.count() == 0
