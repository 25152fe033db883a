"""Builders of restaurant dishes for the orders tests: capacity, options, an open kitchen.

A dish's capacity is set through ``okryu.catalog.portions.set_daily_capacity``, as the
merchant's form does, so a test never starts from a state the services could not make.
"""

import datetime as dt

from django.db import transaction

from okryu.catalog import portions
from okryu.catalog.models import Option, Product
from okryu.catalog.tests.factories import Noodles, add_noodle_options
from okryu.merchants.models import Merchant, MerchantKind
from okryu.merchants.services import open_settlement_account
from okryu.orders.services.checkout import CheckoutLine, CheckoutOrder
from okryu.orders.tests.builders import (
    TEST_PIN,
    make_merchant,
    make_product,
    near_district,
    open_all_week,
)
from okryu.payments import ledger
from okryu.payments.models import Card


def make_restaurant() -> Merchant:
    """Return a restaurant open all day, every day, with its settlement account."""
    restaurant, _staff = make_merchant(kind=MerchantKind.RESTAURANT)
    open_all_week(restaurant, dt.time(0, 0), dt.time(23, 59))
    open_settlement_account(merchant_id=restaurant.pk)
    ledger.open_delivery_fees_account()
    return restaurant


def make_dish(
    restaurant: Merchant, *, capacity: int | None, price_won: int = 12_000
) -> Product:
    """Return a dish of ``restaurant`` making ``capacity`` portions a day."""
    dish = make_product(restaurant, stock=0, price_won=price_won, is_made_to_order=True)
    if capacity is not None:
        with transaction.atomic():
            assert portions.set_daily_capacity(
                product_id=dish.pk, daily_capacity=capacity, day=portions.today()
            )
    dish.refresh_from_db()
    return dish


def make_noodles(restaurant: Merchant, *, capacity: int | None = 20) -> Noodles:
    """Return 평양랭면 (12,000원) with 곱빼기 +2,000원, 사리 추가 +1,500원, 계란 추가 +500원."""
    return add_noodle_options(make_dish(restaurant, capacity=capacity))


def dish_checkout(
    card: Card, lines: list[tuple[Product, int, tuple[Option, ...], int | None]]
) -> CheckoutOrder:
    """Return a checkout of (dish, quantity, options, unit price seen) lines."""
    return CheckoutOrder(
        lines=tuple(
            CheckoutLine(
                product_id=product.pk,
                quantity=quantity,
                price_won_seen=seen,
                option_ids=tuple(option.pk for option in options),
            )
            for product, quantity, options, seen in lines
        ),
        district_id=near_district().pk,
        address_detail="3-201호",
        slot_starts_at=None,
        card_number=card.number,
        pin=TEST_PIN,
    )


def portions_of(product: Product) -> tuple[dt.date | None, int]:
    """Return the dish's (portions day, portions taken) as stored now."""
    return (
        Product.objects.filter(pk=product.pk)
        .values_list("portions_day", "portions_taken")
        .get()
    )
