"""A shop with a known history, made through the real services, for the insight tests."""

import datetime as dt

import pytest
import time_machine

from okryu.accounts.models import User
from okryu.catalog.models import Product
from okryu.catalog.waitlist import join_waitlist
from okryu.core.errors import DomainError
from okryu.merchants.models import Merchant
from okryu.orders.services import place_order
from okryu.orders.tests.builders import (
    checkout,
    make_merchant,
    make_product,
    make_shopper,
)

TODAY = dt.date(2026, 12, 7)
NOON_UTC = dt.time(3, 0)  # Noon in Pyongyang.


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, NOON_UTC, tzinfo=dt.UTC)


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def make_shop() -> tuple[Merchant, User, Product, Product]:
    """Rice sold on three days, soap refused twice and waited for once."""
    merchant, staff = make_merchant()
    rice = make_product(merchant, stock=100, name="쌀")
    soap = make_product(merchant, stock=1, name="비누")
    shopper, card = make_shopper(balance_won=500_000)
    for key, (ago, units) in enumerate([(5, 2), (5, 1), (3, 4), (1, 3)]):
        with time_machine.travel(at(days_ago(ago)), tick=False):
            place_order(
                shopper_id=shopper.pk,
                checkout=checkout(card, [(rice, units)]),
                idempotency_key=f"rice-{key}",
            )
    with time_machine.travel(at(days_ago(2)), tick=False):
        for key, units in enumerate([3, 2]):
            with pytest.raises(DomainError):
                place_order(
                    shopper_id=shopper.pk,
                    checkout=checkout(card, [(soap, units)]),
                    idempotency_key=f"soap-{key}",
                )
        place_order(
            shopper_id=shopper.pk,
            checkout=checkout(card, [(soap, 1)]),
            idempotency_key="soap-last",
        )
        join_waitlist(shopper_id=shopper.pk, product_id=soap.pk, quantity=4)
    return merchant, staff, rice, soap
