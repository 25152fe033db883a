"""What the checkout's fast path must keep: few statements, the same reply, same refusals.

The statement counts are exact, so a regression (a re-read, a per-row INSERT, a savepoint)
shows. Inside a test the service's durable transaction is a savepoint (two statements). The
merchants' settlement accounts and the delivery fees account exist already, as they do for
every checkout but a merchant's very first.
"""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.db.models import Field, Model
from django.test.utils import CaptureQueriesContext

from okryu.catalog.audit import audit_stock
from okryu.catalog.models import Product
from okryu.core.errors import DomainError
from okryu.merchants.models import MerchantKind
from okryu.merchants.services import open_settlement_account
from okryu.orders.audit import audit_orders
from okryu.orders.queries import OrderRows, get_order_rows_for_shopper
from okryu.orders.services import place_order
from okryu.orders.tests.builders import (
    checkout,
    make_merchant,
    make_product,
    make_shopper,
    snapshot,
    stock_of,
)
from okryu.orders.tests.dish_builders import (
    dish_checkout,
    make_noodles,
    make_restaurant,
    portions_of,
)
from okryu.payments import ledger
from okryu.payments.audit import audit_ledger

pytestmark = pytest.mark.django_db(transaction=True)

# 3 lines of 2 merchants, 4 holds (was 58 and 65 before the fast path, 21 and 33 before the
# checkout package), counted as the app server sends them, BEGIN and COMMIT included: these
# tests commit for real, so the durable transaction is not a savepoint. PostgreSQL: the
# idempotency key's advisory lock and its look-up; the card with its PIN, locked; products,
# destination and fees account in one SELECT; the stock in one UPDATE; the order with its
# fulfilments, lines and events in one INSERT; the card's lock, balance and the 4 holds
# with their SMS and jobs in three; the expiry jobs, the order's SMS and the idempotency
# record in one INSERT. SQLite reserves one product and writes one hold's transfer and job at
# a time (the holds queue no SMS: the order's one tells them), the rows in four INSERTs and
# the last three in three.
CHECKOUT_STATEMENTS = {"postgresql": 12, "sqlite": 25}


def _two_merchants_three_products() -> tuple[Product, Product, Product]:
    store, _staff = make_merchant()
    factory, _staff2 = make_merchant(kind=MerchantKind.FACTORY)
    for merchant in (store, factory):
        open_settlement_account(merchant_id=merchant.pk)
    ledger.open_delivery_fees_account()
    return (
        make_product(store, stock=5, price_won=3_000),
        make_product(store, stock=5, price_won=2_000),
        make_product(factory, stock=2, price_won=7_000),
    )


def test_a_checkout_of_three_lines_from_two_merchants_takes_a_fixed_number_of_statements():
    shopper, card = make_shopper(balance_won=50_000)
    noodles, rice, socks = _two_merchants_three_products()
    request = checkout(card, [(socks, 1), (noodles, 2), (rice, 1)])

    with CaptureQueriesContext(connection) as statements:
        place_order(shopper_id=shopper.pk, checkout=request, idempotency_key="k")

    listing = "\n".join(query["sql"][:160] for query in statements.captured_queries)
    assert len(statements.captured_queries) == CHECKOUT_STATEMENTS[connection.vendor], (
        listing
    )
    assert (stock_of(noodles), stock_of(rice), stock_of(socks)) == (
        (5, 2, 0),
        (5, 1, 0),
        (2, 1, 0),
    )
    assert audit_orders().is_clean
    assert audit_stock().is_clean
    assert audit_ledger().violations == 0


def test_the_rows_handed_back_without_re_reading_are_the_rows_as_stored_column_by_column():
    shopper, card = make_shopper(balance_won=50_000)
    noodles, rice, socks = _two_merchants_three_products()

    placed = place_order(
        shopper_id=shopper.pk,
        checkout=checkout(card, [(socks, 1), (noodles, 2), (rice, 1)]),
        idempotency_key="k",
    )

    stored = get_order_rows_for_shopper(shopper_id=shopper.pk, order_id=placed.order_id)
    assert _columns_of(placed.rows) == _columns_of(stored)
    assert [
        [line.product_id for line in part.lines] for part in placed.rows.fulfilments
    ] == [[noodles.pk, rice.pk], [socks.pk]]
    replay = place_order(
        shopper_id=shopper.pk,
        checkout=checkout(card, [(socks, 1), (noodles, 2), (rice, 1)]),
        idempotency_key="k",
    )
    assert (replay.is_replay, replay.rows) == (True, placed.rows)


def _columns_of(rows: OrderRows) -> list[dict[str, object]]:
    # Every column of every row, primary and foreign keys included.
    instances: list[Model] = [rows.order]
    for part in rows.fulfilments:
        instances += [part.fulfilment, *part.lines]
    return [
        {field.attname: getattr(instance, field.attname) for field in fields(instance)}
        for instance in instances
    ]


def fields(instance: Model) -> "list[Field[object, object]]":
    return list(type(instance)._meta.concrete_fields)


def test_the_first_short_line_in_product_order_is_refused_and_nothing_is_reserved():
    shopper, card = make_shopper(balance_won=50_000)
    noodles, rice, socks = _two_merchants_three_products()
    before = snapshot()

    with pytest.raises(DomainError) as refusal:
        place_order(
            shopper_id=shopper.pk,
            checkout=checkout(card, [(socks, 3), (noodles, 1), (rice, 6)]),
            idempotency_key="k",
        )

    assert (refusal.value.code, refusal.value.extra) == (
        "out_of_stock",
        {"product": rice.pk, "available": 5},
    )
    assert snapshot() == before


# The goods of the case above, with 평양랭면 in two lines (곱빼기 and 보통 with an egg) from
# a restaurant: one SELECT more for the dishes' options (goods read none), one for the
# restaurant's opening hours, read before the PIN (restaurants and hours) and again with
# the stock (the hours), and one conditional UPDATE for the dish's portions (both lines at
# once); SQLite also writes the third merchant's two holds one at a time.
DISH_CHECKOUT_STATEMENTS = {"postgresql": 17, "sqlite": 34}


@time_machine.travel(dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC), tick=False)
def test_a_checkout_with_dishes_takes_a_fixed_number_of_statements_too():
    shopper, card = make_shopper(balance_won=100_000)
    noodles, rice, socks = _two_merchants_three_products()
    cold = make_noodles(make_restaurant(), capacity=10)
    request = dish_checkout(
        card,
        [
            (socks, 1, (), None),
            (noodles, 2, (), None),
            (rice, 1, (), None),
            (cold.dish, 2, (cold.large,), 14_000),
            (cold.dish, 1, (cold.regular, cold.egg), 12_500),
        ],
    )

    with CaptureQueriesContext(connection) as statements:
        place_order(shopper_id=shopper.pk, checkout=request, idempotency_key="k")

    listing = "\n".join(query["sql"][:160] for query in statements.captured_queries)
    assert (
        len(statements.captured_queries) == DISH_CHECKOUT_STATEMENTS[connection.vendor]
    ), listing
    assert portions_of(cold.dish)[1] == 3
    assert audit_orders().is_clean
    assert audit_stock().is_clean
    assert audit_ledger().violations == 0
