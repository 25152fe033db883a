"""Real threads racing for scarce goods that some shoppers waited for, on either database.

Ten shoppers wait, six units arrive: the first entries are offered exactly their quantities.
Then 64 buyers (the offered shoppers among them) race while a second delivery arrives: the
offered shoppers get their units, the others only what nobody waited for, nothing is
oversold, and every refusal is remembered as unmet demand. An offer whose time ran out,
expired by eight workers at once, passes on exactly once.
"""

import datetime as dt

import pytest
import time_machine
from django.db import connection

from okryu.catalog.audit import audit_stock
from okryu.catalog.models import (
    Product,
    UnmetDemand,
    UnmetDemandKind,
    WaitlistEntry,
    WaitlistStatus,
)
from okryu.catalog.services import receive_stock
from okryu.catalog.waitlist import expire_offer, join_waitlist
from okryu.core.tests.threads import race
from okryu.orders.audit import audit_orders
from okryu.orders.models import OrderLine
from okryu.orders.services import place_order
from okryu.orders.tests.builders import (
    checkout,
    make_merchant,
    make_product,
    make_shopper,
)
from okryu.payments.audit import audit_ledger

pytestmark = [pytest.mark.stress, pytest.mark.django_db(transaction=True)]

START = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)
WANTED = [1, 2, 2, 1, 3, 1, 2, 1, 1, 2]  # Ten entries, sixteen units.
FIRST_DELIVERY = 6  # Exactly the first four entries' 1 + 2 + 2 + 1.
SECOND_DELIVERY = 20  # The other six entries' ten units, and ten for anyone.
BUYERS = 64


def _entries() -> list[tuple[str, int]]:
    return list(
        WaitlistEntry.objects.order_by("id").values_list("status", "offered_quantity")
    )


def _assert_audits_clean() -> None:
    assert audit_stock().is_clean
    assert audit_orders().is_clean
    ledger = audit_ledger()
    assert (ledger.violations, ledger.sum_of_balances) == (0, 0)


@time_machine.travel(START, tick=False)
def test_offered_shoppers_get_their_units_and_the_crowd_only_what_nobody_waited_for():
    merchant, _staff = make_merchant()
    product = make_product(merchant, stock=0, price_won=2_000)
    waiters = [make_shopper(balance_won=50_000) for _ in WANTED]
    for (shopper, _card), quantity in zip(waiters, WANTED, strict=True):
        join_waitlist(shopper_id=shopper.pk, product_id=product.pk, quantity=quantity)

    receive_stock(product_id=product.pk, quantity=FIRST_DELIVERY, changed_by=None)

    offered = 4
    assert _entries() == [
        (WaitlistStatus.OFFERED, quantity) for quantity in WANTED[:offered]
    ] + [(WaitlistStatus.WAITING, 0)] * (len(WANTED) - offered)

    crowd = [make_shopper(balance_won=50_000) for _ in range(BUYERS - offered)]
    buyers = waiters[:offered] + crowd
    quantities = WANTED[:offered] + [1] * len(crowd)
    requests = [
        checkout(card, [(product, quantity)])
        for (_shopper, card), quantity in zip(buyers, quantities, strict=True)
    ]
    connection.close()

    def work(index: int) -> object:
        if index == BUYERS:
            return receive_stock(
                product_id=product.pk, quantity=SECOND_DELIVERY, changed_by=None
            ).pk
        return place_order(
            shopper_id=buyers[index][0].pk,
            checkout=requests[index],
            idempotency_key=f"buyer-{index}",
        ).order_id

    outcomes = race(work, BUYERS + 1)

    assert all(isinstance(outcome, int) for outcome in outcomes[:offered]), outcomes
    crowd_outcomes = outcomes[offered:BUYERS]
    crowd_orders = [outcome for outcome in crowd_outcomes if isinstance(outcome, int)]
    refused = crowd_outcomes.count("out_of_stock")
    assert len(crowd_orders) + refused == len(crowd), crowd_outcomes
    free_units = FIRST_DELIVERY + SECOND_DELIVERY - sum(WANTED)
    assert len(crowd_orders) <= free_units
    bought = {
        shopper.pk: OrderLine.objects.filter(
            fulfilment__order__shopper=shopper
        ).values_list("quantity", flat=True)
        for shopper, _card in waiters[:offered]
    }
    assert [list(units) for units in bought.values()] == [[q] for q in WANTED[:offered]]
    # The second delivery went first to the six who still waited, each exactly its quantity.
    assert _entries() == [(WaitlistStatus.ORDERED, q) for q in WANTED[:offered]] + [
        (WaitlistStatus.OFFERED, q) for q in WANTED[offered:]
    ]
    product = Product.objects.get(pk=product.pk)
    assert product.stock_offered == sum(WANTED[offered:])
    assert product.stock_reserved == sum(WANTED[:offered]) + len(crowd_orders)
    assert product.stock_on_hand == FIRST_DELIVERY + SECOND_DELIVERY
    assert product.stock_available == free_units - len(crowd_orders)
    refusals = UnmetDemand.objects.filter(kind=UnmetDemandKind.REFUSED)
    assert refusals.count() == refused
    assert sum(refusals.values_list("quantity", flat=True)) == refused
    assert UnmetDemand.objects.filter(kind=UnmetDemandKind.WAITLISTED).count() == len(
        WANTED
    )
    assert audit_stock().offered_over_received == 0
    _assert_audits_clean()


def test_an_offer_expired_by_eight_workers_at_once_passes_on_exactly_once():
    merchant, _staff = make_merchant()
    with time_machine.travel(START, tick=False):
        product = make_product(merchant, stock=0)
        waiters = [make_shopper(balance_won=0) for _ in range(3)]
        for shopper, _card in waiters:
            join_waitlist(shopper_id=shopper.pk, product_id=product.pk, quantity=2)
        receive_stock(product_id=product.pk, quantity=2, changed_by=None)
    first = WaitlistEntry.objects.order_by("id").first()
    assert first is not None
    connection.close()

    later = START + dt.timedelta(hours=2)
    outcomes = race(lambda _index: expire_offer(entry_id=first.pk, now=later), 8)

    assert outcomes.count(True) == 1, outcomes
    assert outcomes.count(False) == 7
    assert _entries() == [
        (WaitlistStatus.EXPIRED, 2),
        (WaitlistStatus.OFFERED, 2),
        (WaitlistStatus.WAITING, 0),
    ]
    product = Product.objects.get(pk=product.pk)
    assert (product.stock_on_hand, product.stock_offered) == (2, 2)
    assert audit_stock().is_clean
