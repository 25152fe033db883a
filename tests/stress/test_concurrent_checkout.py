"""Real threads through ``place_order``, each with its own connection, on either database.

The flash sale: 64 buyers race for the last 20 units of one product. Exactly once: one
checkout sent 20 times at the same moment. Both end with the three audits clean.
"""

import pytest
from django.db import connection

from okryu.catalog.audit import audit_stock
from okryu.core.models import IdempotencyRecord
from okryu.core.tests.threads import race
from okryu.orders.audit import audit_orders
from okryu.orders.models import Order
from okryu.orders.services import PlacedOrder, place_order
from okryu.orders.tests.builders import (
    account_of,
    checkout,
    make_merchant,
    make_product,
    make_shopper,
    stock_of,
)
from okryu.payments.audit import audit_ledger
from okryu.payments.models import Transfer, TransferKind

pytestmark = [pytest.mark.stress, pytest.mark.django_db(transaction=True)]

BUYERS = 64
UNITS = 20
PRICE_WON = 7_000
FEE_WON = 1_000
REPEATS = 20


def _assert_audits_clean() -> None:
    assert audit_stock().is_clean
    assert audit_orders().is_clean
    ledger = audit_ledger()
    assert (ledger.violations, ledger.sum_of_balances) == (0, 0)


def test_sixty_four_buyers_of_twenty_units_get_exactly_twenty_orders():
    merchant, _staff = make_merchant()
    product = make_product(merchant, stock=UNITS, price_won=PRICE_WON)
    buyers = [make_shopper(balance_won=50_000) for _ in range(BUYERS)]
    requests = [checkout(card, [(product, 1)]) for _shopper, card in buyers]
    connection.close()

    outcomes = race(
        lambda index: (
            place_order(
                shopper_id=buyers[index][0].pk,
                checkout=requests[index],
                idempotency_key=f"buyer-{index}",
            ).is_replay
        ),
        BUYERS,
    )

    assert outcomes.count(False) == UNITS
    assert outcomes.count("out_of_stock") == BUYERS - UNITS
    assert Order.objects.count() == UNITS
    assert stock_of(product) == (UNITS, UNITS, 0)
    holds = Transfer.objects.filter(kind=TransferKind.HOLD)
    assert sum(holds.values_list("amount_won", flat=True)) == UNITS * (
        PRICE_WON + FEE_WON
    )
    held_by_buyers = sum(account_of(card.ledger_account_id)[1] for _s, card in buyers)
    assert held_by_buyers == UNITS * (PRICE_WON + FEE_WON)
    _assert_audits_clean()


def test_one_checkout_sent_twenty_times_at_once_makes_one_order_and_one_hold():
    merchant, _staff = make_merchant()
    product = make_product(merchant, stock=5, price_won=PRICE_WON)
    shopper, card = make_shopper(balance_won=50_000)
    request = checkout(card, [(product, 2)])
    connection.close()

    outcomes = race(
        lambda _index: place_order(
            shopper_id=shopper.pk, checkout=request, idempotency_key="double-click"
        ),
        REPEATS,
    )

    placed = [outcome for outcome in outcomes if isinstance(outcome, PlacedOrder)]
    assert len(placed) == REPEATS, outcomes
    assert len({outcome.order_id for outcome in placed}) == 1
    assert [outcome.is_replay for outcome in placed].count(False) == 1
    assert all(outcome.rows == placed[0].rows for outcome in placed)
    assert Order.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1
    assert Transfer.objects.filter(kind=TransferKind.HOLD).count() == 2
    assert stock_of(product) == (5, 2, 0)
    assert account_of(card.ledger_account_id) == (50_000, 2 * PRICE_WON + FEE_WON)
    _assert_audits_clean()
