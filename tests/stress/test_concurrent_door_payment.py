"""Real threads through ``pay_at_the_door``, each with its own connection, on either database.

One chip record uploaded by 8 terminals at once (a flaky link resending it) pays once,
whether the retries carry the same idempotency key or each its own; two different cards
racing for one fulfilment pay it once; six door checkouts of one shopper at once open the
two door orders the limit allows. Each ends with the audits clean.
"""

import pytest
from django.db import connection

from okryu.catalog.audit import audit_stock
from okryu.core.tests.threads import race
from okryu.orders.audit import audit_orders
from okryu.orders.models import DoorPayment, Order
from okryu.orders.services import PlacedOrder, place_order
from okryu.orders.services.door import DoorPaymentOutcome, pay_at_the_door
from okryu.orders.tests.builders import (
    account_of,
    make_merchant,
    make_product,
    make_shopper,
    stock_of,
)
from okryu.orders.tests.door_support import (
    DUE_WON,
    challenge_of,
    door_checkout_request,
    door_record,
    make_door_world,
    signed_record,
)
from okryu.payments.audit import audit_ledger
from okryu.payments.chip import SoftwareCard, issuer_card_key
from okryu.payments.models import Transfer, TransferKind

pytestmark = [pytest.mark.stress, pytest.mark.django_db(transaction=True)]

TERMINALS = 8


def _assert_audits_clean() -> None:
    assert audit_stock().is_clean
    assert audit_orders().violations == 0
    ledger = audit_ledger()
    assert (ledger.violations, ledger.sum_of_balances) == (0, 0)


@pytest.mark.parametrize("same_key", [True, False], ids=["same-key", "own-keys"])
def test_one_record_uploaded_from_eight_terminals_at_once_pays_once(same_key):
    world = make_door_world()
    record = door_record(
        world.terminal.take_payment(
            world.chip,
            amount_won=DUE_WON,
            online=False,
            challenge=challenge_of(world.fulfilment.pk),
        ),
        offline=True,
    )
    connection.close()

    outcomes = race(
        lambda index: pay_at_the_door(
            actor_user_id=world.courier.pk,
            fulfilment_id=world.fulfilment.pk,
            record=record,
            idempotency_key="upload" if same_key else f"upload-{index}",
        ),
        TERMINALS,
    )

    paid = [each for each in outcomes if isinstance(each, DoorPaymentOutcome)]
    if same_key:
        assert len(paid) == TERMINALS, outcomes
        assert [each.is_replay for each in paid].count(False) == 1
        assert all(each.body == paid[0].body for each in paid)
    else:
        assert len(paid) == 1, outcomes
        assert outcomes.count("chip_replay") == TERMINALS - 1
    assert DoorPayment.objects.count() == 1
    assert (
        Transfer.objects.filter(kind=TransferKind.SINGLE, amount_won=DUE_WON).count()
        == 1
    )
    assert account_of(world.card.ledger_account_id) == (20_000 - DUE_WON, 0)
    _assert_audits_clean()


def test_two_cards_racing_for_one_fulfilment_pay_it_once():
    world = make_door_world()
    _other_shopper, other_card = make_shopper(balance_won=20_000)
    chips = [
        world.chip,
        SoftwareCard(number=other_card.number, key=issuer_card_key(other_card.number)),
    ]
    records = [
        door_record(signed_record(chip, fulfilment_id=world.fulfilment.pk))
        for chip in chips
    ]
    connection.close()

    outcomes = race(
        lambda index: pay_at_the_door(
            actor_user_id=world.courier.pk,
            fulfilment_id=world.fulfilment.pk,
            record=records[index],
            idempotency_key=f"card-{index}",
        ),
        len(records),
    )

    assert sum(isinstance(each, DoorPaymentOutcome) for each in outcomes) == 1
    assert outcomes.count("already_paid") == 1
    paid_from = {
        account_of(world.card.ledger_account_id)[0],
        account_of(other_card.ledger_account_id)[0],
    }
    assert paid_from == {20_000, 20_000 - DUE_WON}
    _assert_audits_clean()


def test_six_door_checkouts_of_one_shopper_at_once_open_two_orders():
    shopper, card = make_shopper(balance_won=0)
    merchant, _staff = make_merchant()
    product = make_product(merchant, stock=50, price_won=2_000)
    stock_before = stock_of(product)
    connection.close()

    outcomes = race(
        lambda index: place_order(
            shopper_id=shopper.pk,
            checkout=door_checkout_request(card, [(product, 1)]),
            idempotency_key=f"door-{index}",
        ),
        6,
    )

    placed = [each for each in outcomes if isinstance(each, PlacedOrder)]
    assert len(placed) == 2, outcomes
    assert outcomes.count("too_many_door_orders") == 4, outcomes
    assert Order.objects.filter(shopper=shopper).count() == 2
    assert stock_of(product) == (stock_before[0], stock_before[1] + 2, 0)
    _assert_audits_clean()
