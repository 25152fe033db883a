import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction

from okryu.core import clock
from okryu.core.errors import InvalidInput
from okryu.notifications.models import OutboxMessage
from okryu.payments import ledger
from okryu.payments.audit import audit_ledger
from okryu.payments.cards import block_card
from okryu.payments.errors import (
    CardBlocked,
    CardNotFound,
    HoldExpired,
    HoldNotPending,
    InsufficientFunds,
    OverCardLimit,
    OverHeldAmount,
    OverRefundable,
    TransferIdReused,
    WrongPin,
)
from okryu.payments.models import LedgerAccount, Transfer, TransferKind, TransferRefusal
from okryu.payments.rules import luhn_check_digit
from okryu.payments.tests.builders import (
    TEST_PIN,
    balances,
    funded_card,
    make_teller,
    new_id,
    snapshot,
)

pytestmark = pytest.mark.django_db


def test_a_top_up_moves_cash_from_the_bank_to_the_card_and_texts_the_holder(holder):
    card = funded_card(holder, 0)

    transfer = ledger.top_up(
        card_number=card.number, amount_won=30_000, transfer_id="t1"
    )

    bank = ledger.open_bank_cash_account()
    assert balances(card.ledger_account, bank) == [(30_000, 0), (-30_000, 0)]
    assert (transfer.kind, transfer.amount_won) == (TransferKind.SINGLE, 30_000)
    sms = OutboxMessage.objects.get()
    assert sms.phone == "010-1234-5678"
    assert sms.body == (
        f"[옥류] 카드 ****{card.number[-4:]} 입금 30,000원. 사용 가능 30,000원."
    )


def test_a_hold_counts_against_the_available_amount_at_once(holder, merchant_account):
    card = funded_card(holder, 10_000)

    ledger.hold_funds(
        card_number=card.number,
        pin=TEST_PIN,
        amount_won=7_000,
        credit_account_id=merchant_account.pk,
        transfer_id="h1",
    )

    account = LedgerAccount.objects.get(pk=card.ledger_account_id)
    assert (account.balance_won, account.held_won, account.available_won) == (
        10_000,
        7_000,
        3_000,
    )
    with pytest.raises(InsufficientFunds):
        ledger.transfer_funds(
            card_number=card.number,
            pin=None,
            amount_won=3_001,
            credit_account_id=merchant_account.pk,
            transfer_id="p1",
        )


def test_a_partial_capture_moves_the_captured_part_and_releases_the_rest(
    holder, merchant_account
):
    card = funded_card(holder, 10_000)
    ledger.hold_funds(
        card_number=card.number,
        pin=None,
        amount_won=8_000,
        credit_account_id=merchant_account.pk,
        transfer_id="h1",
    )

    capture = ledger.capture_hold(
        hold_transfer_id="h1", amount_won=5_000, transfer_id="c1"
    )

    assert balances(card.ledger_account, merchant_account) == [(5_000, 0), (5_000, 0)]
    assert capture.pending is not None
    assert (capture.kind, capture.amount_won, capture.pending.transfer_id) == (
        TransferKind.CAPTURE,
        5_000,
        "h1",
    )
    assert audit_ledger().violations == 0


def test_a_hold_is_resolved_only_once(holder, merchant_account):
    card = funded_card(holder, 10_000)
    ledger.hold_funds(
        card_number=card.number,
        pin=None,
        amount_won=8_000,
        credit_account_id=merchant_account.pk,
        transfer_id="h1",
    )
    ledger.void_hold(hold_transfer_id="h1", transfer_id="v1")
    before = snapshot()

    with pytest.raises(HoldNotPending) as refused:
        ledger.capture_hold(hold_transfer_id="h1", amount_won=8_000, transfer_id="c1")

    assert refused.value.code == "hold_not_pending"
    after = snapshot()
    assert after.pop("refusals") == before.pop("refusals") + 1
    assert after == before
    assert balances(card.ledger_account) == [(10_000, 0)]


def test_the_database_refuses_a_second_resolution_of_a_hold(holder, merchant_account):
    card = funded_card(holder, 1_000)
    hold = ledger.hold_funds(
        card_number=card.number,
        pin=None,
        amount_won=1_000,
        credit_account_id=merchant_account.pk,
        transfer_id="h1",
    )
    ledger.void_hold(hold_transfer_id="h1", transfer_id="v1")

    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.create(
            transfer_id="sneaky",
            fingerprint="x",
            kind=TransferKind.CAPTURE,
            debit_account=hold.debit_account,
            credit_account=hold.credit_account,
            amount_won=1_000,
            pending=hold,
            created_at=clock.now(),
        )


def test_the_database_refuses_an_overdrawn_shopper_account(holder):
    card = funded_card(holder, 1_000)

    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.filter(pk=card.ledger_account_id).update(balance_won=-1)


def test_a_capture_above_the_held_amount_is_refused(holder, merchant_account):
    card = funded_card(holder, 10_000)
    ledger.hold_funds(
        card_number=card.number,
        pin=None,
        amount_won=4_000,
        credit_account_id=merchant_account.pk,
        transfer_id="h1",
    )

    with pytest.raises(OverHeldAmount):
        ledger.capture_hold(hold_transfer_id="h1", amount_won=4_001, transfer_id="c1")

    assert balances(card.ledger_account, merchant_account) == [(10_000, 4_000), (0, 0)]


def test_an_unclaimed_hold_expires_after_its_timeout_and_releases_the_money(
    holder, merchant_account
):
    card = funded_card(holder, 10_000)
    ledger.hold_funds(
        card_number=card.number,
        pin=None,
        amount_won=6_000,
        credit_account_id=merchant_account.pk,
        transfer_id="h1",
        timeout_seconds=60,
    )

    assert ledger.expire_holds(now=clock.now()) == 0
    later = clock.now() + dt.timedelta(seconds=61)
    with time_machine.travel(later, tick=False):
        with pytest.raises(HoldExpired):
            ledger.capture_hold(
                hold_transfer_id="h1", amount_won=6_000, transfer_id="c1"
            )
        assert ledger.expire_holds(now=later) == 1
        assert ledger.expire_holds(now=later) == 0
        with pytest.raises(HoldExpired):
            ledger.capture_hold(
                hold_transfer_id="h1", amount_won=6_000, transfer_id="c2"
            )

    assert balances(card.ledger_account) == [(10_000, 0)]
    assert Transfer.objects.filter(kind=TransferKind.EXPIRE).count() == 1


def test_the_expiry_job_queued_with_a_hold_expires_it(holder, merchant_account):
    from okryu.core.jobs import load_job_handlers, run_due_jobs

    card = funded_card(holder, 10_000)
    ledger.hold_funds(
        card_number=card.number,
        pin=None,
        amount_won=6_000,
        credit_account_id=merchant_account.pk,
        transfer_id="h1",
        timeout_seconds=60,
    )

    assert run_due_jobs(handlers=load_job_handlers()).claimed == 0
    with time_machine.travel(clock.now() + dt.timedelta(seconds=61), tick=False):
        report = run_due_jobs(handlers=load_job_handlers())

    assert (report.claimed, report.done) == (1, 1)
    assert balances(card.ledger_account) == [(10_000, 0)]


def test_refunds_are_new_transfers_and_never_exceed_the_capture(
    holder, merchant_account
):
    card = funded_card(holder, 10_000)
    ledger.hold_funds(
        card_number=card.number,
        pin=None,
        amount_won=8_000,
        credit_account_id=merchant_account.pk,
        transfer_id="h1",
    )
    ledger.capture_hold(hold_transfer_id="h1", amount_won=8_000, transfer_id="c1")

    ledger.refund(original_transfer_id="c1", amount_won=3_000, transfer_id="r1")
    ledger.refund(original_transfer_id="c1", amount_won=5_000, transfer_id="r2")
    with pytest.raises(OverRefundable):
        ledger.refund(original_transfer_id="c1", amount_won=1, transfer_id="r3")

    assert balances(card.ledger_account, merchant_account) == [(10_000, 0), (0, 0)]
    assert Transfer.objects.filter(kind=TransferKind.REFUND).count() == 2
    assert audit_ledger().violations == 0


def test_the_same_transfer_id_with_the_same_fields_returns_the_first_transfer(holder):
    card = funded_card(holder, 0)

    first = ledger.top_up(card_number=card.number, amount_won=5_000, transfer_id="t1")
    second = ledger.top_up(card_number=card.number, amount_won=5_000, transfer_id="t1")

    assert second.pk == first.pk
    assert balances(card.ledger_account) == [(5_000, 0)]
    assert OutboxMessage.objects.count() == 1


def test_the_same_transfer_id_with_other_fields_is_refused_and_changes_nothing(holder):
    card = funded_card(holder, 0)
    ledger.top_up(card_number=card.number, amount_won=5_000, transfer_id="t1")
    before = snapshot()

    with pytest.raises(TransferIdReused) as refused:
        ledger.top_up(card_number=card.number, amount_won=6_000, transfer_id="t1")

    assert refused.value.code == "transfer_id_reused"
    assert snapshot() == before


def test_a_transfer_id_whose_first_attempt_failed_stays_failed(
    holder, merchant_account
):
    card = funded_card(holder, 1_000)
    payment = {
        "card_number": card.number,
        "pin": None,
        "amount_won": 2_000,
        "credit_account_id": merchant_account.pk,
        "transfer_id": "p1",
    }
    with pytest.raises(InsufficientFunds):
        ledger.transfer_funds(**payment)
    ledger.top_up(card_number=card.number, amount_won=5_000, transfer_id=new_id())

    with pytest.raises(InsufficientFunds):
        ledger.transfer_funds(**payment)

    assert balances(card.ledger_account) == [(6_000, 0)]
    assert TransferRefusal.objects.get().code == "insufficient_funds"
    assert not Transfer.objects.filter(transfer_id="p1").exists()


def test_a_failed_transfer_id_with_other_fields_is_refused_as_reused(
    holder, merchant_account
):
    card = funded_card(holder, 1_000)
    with pytest.raises(InsufficientFunds):
        ledger.transfer_funds(
            card_number=card.number,
            pin=None,
            amount_won=2_000,
            credit_account_id=merchant_account.pk,
            transfer_id="p1",
        )

    with pytest.raises(TransferIdReused):
        ledger.transfer_funds(
            card_number=card.number,
            pin=None,
            amount_won=500,
            credit_account_id=merchant_account.pk,
            transfer_id="p1",
        )

    assert balances(card.ledger_account) == [(1_000, 0)]


@pytest.mark.parametrize(
    "amount",
    [
        pytest.param(0, id="zero"),
        pytest.param(-5, id="negative"),
        pytest.param(1.5, id="fractional"),
        pytest.param(True, id="boolean"),
        pytest.param("100", id="text"),
        pytest.param(10_000_000_001, id="above-the-maximum"),
    ],
)
def test_a_bad_amount_is_refused_and_changes_nothing(holder, merchant_account, amount):
    card = funded_card(holder, 10_000)
    before = snapshot()

    with pytest.raises(InvalidInput) as refused:
        ledger.transfer_funds(
            card_number=card.number,
            pin=None,
            amount_won=amount,
            credit_account_id=merchant_account.pk,
            transfer_id="p1",
        )

    assert (refused.value.code, refused.value.field) == ("invalid", "amount_won")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("number", "error"),
    [
        pytest.param("9410000000000001", InvalidInput, id="bad-luhn"),
        pytest.param("941000000000000", InvalidInput, id="fifteen-digits"),
        pytest.param("94100000000000a1", InvalidInput, id="letters"),
        pytest.param(
            "9410000000000" + "00" + luhn_check_digit("941000000000000"),
            CardNotFound,
            id="unknown",
        ),
    ],
)
def test_a_malformed_or_unknown_card_number_is_refused(
    holder, merchant_account, number, error
):
    funded_card(holder, 10_000)
    before = snapshot()

    with pytest.raises(error):
        ledger.transfer_funds(
            card_number=number,
            pin=None,
            amount_won=1_000,
            credit_account_id=merchant_account.pk,
            transfer_id="p1",
        )

    after = snapshot()
    # An unknown card is a refusal of this transfer id, kept; a malformed number is bad input.
    expected_refusals = 1 if error is CardNotFound else 0
    assert after.pop("refusals") == before.pop("refusals") + expected_refusals
    assert after == before


def test_a_payment_above_the_card_limit_is_refused(holder, merchant_account, settings):
    settings.OKRYU_CARD_TRANSFER_LIMIT_WON = 5_000
    settings.OKRYU_CARD_DAILY_LIMIT_WON = 8_000
    card = funded_card(holder, 20_000)
    pay = {
        "card_number": card.number,
        "pin": None,
        "credit_account_id": merchant_account.pk,
    }
    ledger.transfer_funds(**pay, amount_won=5_000, transfer_id="p1")

    with pytest.raises(OverCardLimit):
        ledger.transfer_funds(**pay, amount_won=5_001, transfer_id="p2")
    with pytest.raises(OverCardLimit):
        ledger.hold_funds(**pay, amount_won=3_001, transfer_id="p3")
    ledger.hold_funds(**pay, amount_won=3_000, transfer_id="p4")

    assert balances(card.ledger_account) == [(15_000, 3_000)]


def test_a_blocked_card_is_refused_and_a_wrong_pin_is_counted(holder, merchant_account):
    card = funded_card(holder, 10_000)
    pay = {
        "card_number": card.number,
        "amount_won": 1_000,
        "credit_account_id": merchant_account.pk,
    }
    with pytest.raises(WrongPin) as wrong:
        ledger.hold_funds(**pay, pin="0000", transfer_id="h1")
    block_card(card_number=card.number, reason="lost", actor=make_teller())
    before = snapshot()

    with pytest.raises(CardBlocked):
        ledger.hold_funds(**pay, pin=TEST_PIN, transfer_id="h2")

    assert wrong.value.attempts_left == 2
    card.refresh_from_db()
    assert card.pin_failed_attempts == 1
    after = snapshot()
    assert after.pop("refusals") == before.pop("refusals") + 1
    assert after == before


def test_the_sum_of_all_balances_stays_zero(holder, merchant_account):
    card = funded_card(holder, 50_000)
    ledger.transfer_funds(
        card_number=card.number,
        pin=TEST_PIN,
        amount_won=12_345,
        credit_account_id=merchant_account.pk,
        transfer_id="p1",
    )

    audit = audit_ledger()

    assert (audit.sum_of_balances, audit.violations, audit.transfers) == (0, 0, 2)


@pytest.mark.django_db(transaction=True)
def test_a_refusal_is_committed_even_though_the_service_raises(
    holder, merchant_account
):
    card = funded_card(holder, 100)

    with pytest.raises(WrongPin):
        ledger.transfer_funds(
            card_number=card.number,
            pin="0000",
            amount_won=50,
            credit_account_id=merchant_account.pk,
            transfer_id="p1",
        )

    card.refresh_from_db()
    assert card.pin_failed_attempts == 1
    assert TransferRefusal.objects.get(transfer_id="p1").code == "wrong_pin"
    assert balances(card.ledger_account) == [(100, 0)]


def test_a_capture_may_pay_another_account_than_the_hold_named(
    holder, merchant_account
):
    card = funded_card(holder, 10_000)
    courier_fees = ledger.open_delivery_fees_account()
    ledger.hold_funds(
        card_number=card.number,
        pin=None,
        amount_won=3_000,
        credit_account_id=merchant_account.pk,
        transfer_id="h1",
    )

    ledger.capture_hold(
        hold_transfer_id="h1",
        amount_won=3_000,
        transfer_id="c1",
        credit_account_id=courier_fees.pk,
    )

    assert balances(card.ledger_account, merchant_account, courier_fees) == [
        (7_000, 0),
        (0, 0),
        (3_000, 0),
    ]


def test_money_leaves_a_card_account_only_with_the_cards_authorisation(
    holder, merchant_account
):
    card = funded_card(holder, 10_000)
    before = snapshot()

    with pytest.raises(InvalidInput) as refused:
        ledger.transfer_between_accounts(
            debit_account_id=card.ledger_account_id,
            credit_account_id=merchant_account.pk,
            amount_won=1_000,
            transfer_id="b1",
        )

    assert refused.value.field == "debit"
    after = snapshot()
    assert after.pop("refusals") == before.pop("refusals") + 1
    assert after == before
