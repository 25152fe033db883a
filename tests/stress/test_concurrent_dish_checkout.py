"""Real threads racing for a dish's last portions of the day, each with its own connection.

24 shoppers order 평양랭면 (some 곱빼기, some 보통) of which the kitchen makes 10 portions a
day: exactly 10 portions are sold, the rest refused as out of stock, on either database;
then every order is cancelled from threads too, and all portions come back. The audits are
clean after each race.
"""

import datetime as dt

import pytest
import time_machine
from django.db import connection

from okryu.catalog.audit import audit_stock
from okryu.core.tests.threads import race
from okryu.orders.audit import audit_orders
from okryu.orders.models import Order, OrderLine
from okryu.orders.services import cancel_order, place_order
from okryu.orders.tests.builders import make_shopper
from okryu.orders.tests.dish_builders import (
    dish_checkout,
    make_noodles,
    make_restaurant,
    portions_of,
)
from okryu.payments.audit import audit_ledger

pytestmark = [pytest.mark.stress, pytest.mark.django_db(transaction=True)]

SHOPPERS = 24
CAPACITY = 10
# 2026-12-01 12:00 in Pyongyang, the clock running.
NOON = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)


def _assert_audits_clean() -> None:
    assert audit_stock().is_clean
    assert audit_orders().is_clean
    ledger = audit_ledger()
    assert (ledger.violations, ledger.sum_of_balances) == (0, 0)


@time_machine.travel(NOON, tick=True)
def test_concurrent_checkouts_never_take_more_portions_than_the_daily_capacity():
    noodles = make_noodles(make_restaurant(), capacity=CAPACITY)
    shoppers = [make_shopper(balance_won=100_000) for _ in range(SHOPPERS)]
    requests = [
        dish_checkout(
            card,
            [
                (
                    noodles.dish,
                    1 + index % 2,
                    (noodles.large if index % 3 else noodles.regular,),
                    None,
                )
            ],
        )
        for index, (_shopper, card) in enumerate(shoppers)
    ]
    connection.close()

    outcomes = race(
        lambda index: (
            place_order(
                shopper_id=shoppers[index][0].pk,
                checkout=requests[index],
                idempotency_key=f"shopper-{index}",
            ).order_id
        ),
        SHOPPERS,
    )

    order_ids = [outcome for outcome in outcomes if isinstance(outcome, int)]
    refusals = {outcome for outcome in outcomes if not isinstance(outcome, int)}
    sold = sum(OrderLine.objects.values_list("quantity", flat=True))
    day, taken = portions_of(noodles.dish)
    assert (taken, day) == (sold, dt.date(2026, 12, 1))
    # One or two portions each: the kitchen's 10 run out, with at most one left over
    # that nobody asking for two could take.
    assert CAPACITY - 1 <= taken <= CAPACITY
    assert refusals == {"out_of_stock"}
    assert Order.objects.count() == len(order_ids)
    _assert_audits_clean()

    shopper_of = {
        order_id: Order.objects.get(pk=order_id).shopper_id for order_id in order_ids
    }
    connection.close()
    race(
        lambda index: (
            cancel_order(
                shopper_id=shopper_of[order_ids[index]], order_id=order_ids[index]
            ).pk
        ),
        len(order_ids),
    )

    assert portions_of(noodles.dish) == (dt.date(2026, 12, 1), 0)
    _assert_audits_clean()
