"""Real threads, each with its own database connection, against one card (both databases)."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from okryu.core.errors import DomainError
from okryu.payments import ledger
from okryu.payments.audit import audit_ledger
from okryu.payments.models import Transfer, TransferKind
from okryu.payments.tests.builders import (
    balances,
    funded_card,
    make_holder,
    make_merchant_account,
)

pytestmark = [pytest.mark.stress, pytest.mark.django_db(transaction=True)]

THREADS = 32
PRICE_WON = 1_000
PAYMENTS_FUNDED = 10


def _in_thread(work: Callable[[int], object]) -> Callable[[int], object]:
    def run(index: int) -> object:
        try:
            return work(index)
        except DomainError as error:
            return error.code
        finally:
            connection.close()

    return run


def _run_concurrently(
    work: Callable[[int], object], count: int = THREADS
) -> list[object]:
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(_in_thread(work), range(count)))


def test_thirty_two_buyers_of_one_card_funded_for_ten_get_exactly_ten_payments():
    card = funded_card(make_holder(), PRICE_WON * PAYMENTS_FUNDED)
    merchant = make_merchant_account()

    def hold_and_capture(index):
        ledger.hold_funds(
            card_number=card.number,
            pin=None,
            amount_won=PRICE_WON,
            credit_account_id=merchant.pk,
            transfer_id=f"h{index}",
        )
        ledger.capture_hold(
            hold_transfer_id=f"h{index}", amount_won=PRICE_WON, transfer_id=f"c{index}"
        )
        return "paid"

    outcomes = _run_concurrently(hold_and_capture)

    assert outcomes.count("paid") == PAYMENTS_FUNDED
    assert outcomes.count("insufficient_funds") == THREADS - PAYMENTS_FUNDED
    assert balances(card.ledger_account, merchant) == [(0, 0), (PRICE_WON * 10, 0)]
    audit = audit_ledger()
    assert (audit.violations, audit.sum_of_balances) == (0, 0)


def test_a_top_up_sent_twenty_times_at_once_moves_money_once():
    card = funded_card(make_holder(), 0)

    outcomes = _run_concurrently(
        lambda _index: (
            ledger.top_up(
                card_number=card.number, amount_won=5_000, transfer_id="counter-42"
            ).pk
        ),
        count=20,
    )

    assert len(set(outcomes)) == 1
    assert balances(card.ledger_account) == [(5_000, 0)]
    assert Transfer.objects.filter(transfer_id="counter-42").count() == 1


def test_a_capture_sent_twenty_times_at_once_moves_money_once():
    card = funded_card(make_holder(), 10_000)
    merchant = make_merchant_account()
    ledger.hold_funds(
        card_number=card.number,
        pin=None,
        amount_won=4_000,
        credit_account_id=merchant.pk,
        transfer_id="h1",
    )

    outcomes = _run_concurrently(
        lambda _index: (
            ledger.capture_hold(
                hold_transfer_id="h1", amount_won=3_000, transfer_id="c1"
            ).pk
        ),
        count=20,
    )

    assert len(set(outcomes)) == 1
    assert balances(card.ledger_account, merchant) == [(7_000, 0), (3_000, 0)]
    assert Transfer.objects.filter(kind=TransferKind.CAPTURE).count() == 1


def test_twenty_different_captures_of_one_hold_resolve_it_once():
    card = funded_card(make_holder(), 10_000)
    merchant = make_merchant_account()
    ledger.hold_funds(
        card_number=card.number,
        pin=None,
        amount_won=4_000,
        credit_account_id=merchant.pk,
        transfer_id="h1",
    )

    outcomes = _run_concurrently(
        lambda index: (
            ledger.capture_hold(
                hold_transfer_id="h1", amount_won=4_000, transfer_id=f"c{index}"
            ).transfer_id
        ),
        count=20,
    )

    assert outcomes.count("hold_not_pending") == 19
    assert balances(card.ledger_account, merchant) == [(6_000, 0), (4_000, 0)]
    assert audit_ledger().violations == 0


def test_a_payment_retried_twenty_times_in_a_row_moves_money_once():
    card = funded_card(make_holder(), 10_000)
    merchant = make_merchant_account()

    transfers = {
        ledger.transfer_funds(
            card_number=card.number,
            pin=None,
            amount_won=2_500,
            credit_account_id=merchant.pk,
            transfer_id="pay-7",
            reference="order-7",
        ).pk
        for _ in range(20)
    }

    assert len(transfers) == 1
    assert balances(card.ledger_account, merchant) == [(7_500, 0), (2_500, 0)]


def test_a_ledger_service_run_outermost_is_retried_when_sqlite_stays_locked():
    from django.db import OperationalError

    from okryu.core.transactions import service_transaction

    calls = []

    # Not durable, as every ledger service: outermost, it is still its own transaction.
    @service_transaction(durable=False)
    def locked_twice() -> str:
        calls.append(1)
        if len(calls) < 3:
            message = "database is locked"
            raise OperationalError(message)
        return "done"

    if connection.vendor == "sqlite":
        assert locked_twice() == "done"
        assert len(calls) == 3
    else:
        with pytest.raises(OperationalError):
            locked_twice()
        assert len(calls) == 1


def test_one_capture_id_raced_with_two_amounts_moves_money_once():
    card = funded_card(make_holder(), 10_000)
    merchant = make_merchant_account()
    ledger.hold_funds(
        card_number=card.number,
        pin=None,
        amount_won=4_000,
        credit_account_id=merchant.pk,
        transfer_id="h1",
    )

    outcomes = _run_concurrently(
        lambda index: (
            ledger.capture_hold(
                hold_transfer_id="h1",
                amount_won=3_000 if index % 2 else 2_000,
                transfer_id="c1",
            ).amount_won
        ),
        count=20,
    )

    captured = Transfer.objects.get(transfer_id="c1").amount_won
    assert outcomes.count(captured) == 10
    assert outcomes.count("transfer_id_reused") == 10
    assert balances(card.ledger_account, merchant) == [
        (10_000 - captured, 0),
        (captured, 0),
    ]
    assert audit_ledger().violations == 0
