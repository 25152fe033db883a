"""Several holds on one card at once: the same outcome as one ``hold_funds`` after another.

The common case takes one card lock, one UPDATE and one INSERT; anything else (a refusal, a
replay) goes hold by hold, so it refuses, records and replays exactly as separate calls.
"""

import pytest
from django.db import connection

from okryu.core.models import BackgroundJob
from okryu.notifications.models import OutboxMessage
from okryu.payments import ledger
from okryu.payments.errors import InsufficientFunds, OverCardLimit
from okryu.payments.models import Transfer, TransferKind, TransferRefusal
from okryu.payments.tests.builders import (
    balances,
    funded_card,
    make_holder,
    make_merchant_account,
)

pytestmark = pytest.mark.django_db

# Card lock, UPDATE, INSERT (on SQLite the INSERT is three statements a hold) and the
# service's transaction, which is a savepoint inside a test (two statements) on neither.
TOGETHER_STATEMENTS = {"postgresql": 3, "sqlite": 2 + 3 * 3}


def _parts(
    prefix: str, credit_ids: list[int], amounts: list[int]
) -> list[ledger.HoldPart]:
    return [
        ledger.HoldPart(
            amount_won=amount, credit_account_id=credit_id, transfer_id=f"{prefix}/{i}"
        )
        for i, (credit_id, amount) in enumerate(zip(credit_ids, amounts, strict=True))
    ]


def _written(
    reference: str, card_number: str
) -> tuple[list[tuple[str, int, int]], list[str], int]:
    transfers = list(
        Transfer.objects.filter(reference=reference)
        .order_by("transfer_id")
        .values_list("kind", "credit_account_id", "amount_won")
    )
    sms = [
        body.replace(card_number[-4:], "####")
        for body in OutboxMessage.objects.filter(body__contains=card_number[-4:])
        .filter(body__contains="승인(대기)")
        .order_by("pk")
        .values_list("body", flat=True)
    ]
    jobs = BackgroundJob.objects.filter(
        kind="payments.expire_hold", payload__hold__startswith=reference
    ).count()
    return transfers, sms, jobs


def test_holds_together_write_what_holds_one_after_another_write(
    django_assert_num_queries,
):
    merchant = make_merchant_account("merchant:1")
    fees = ledger.open_delivery_fees_account()
    together_card = funded_card(make_holder("a"), 20_000)
    apart_card = funded_card(make_holder("b"), 20_000, phone="010-9999-8888")
    credit_ids = [merchant.pk, fees.pk, merchant.pk]
    amounts = [8_000, 1_000, 7_000]

    with django_assert_num_queries(TOGETHER_STATEMENTS[connection.vendor]):
        held = ledger.hold_funds_together(
            card_number=together_card.number,
            parts=_parts("T", credit_ids, amounts),
            reference="T",
        )
    for part in _parts("A", credit_ids, amounts):
        ledger.hold_funds(
            card_number=apart_card.number,
            pin=None,
            amount_won=part.amount_won,
            credit_account_id=part.credit_account_id,
            transfer_id=part.transfer_id,
            reference="A",
        )

    assert [transfer.kind for transfer in held] == [TransferKind.HOLD] * 3
    assert [transfer.amount_won for transfer in held] == amounts
    assert balances(together_card.ledger_account, apart_card.ledger_account) == [
        (20_000, 16_000),
        (20_000, 16_000),
    ]
    together = _written("T", together_card.number)
    apart = _written("A", apart_card.number)
    assert together == apart
    assert together[1][-1].endswith("7,000원. 사용 가능 4,000원.")


def test_a_replay_of_holds_together_returns_the_first_transfers_and_writes_nothing():
    merchant = make_merchant_account("merchant:1")
    card = funded_card(make_holder(), 20_000)
    parts = _parts("R", [merchant.pk, merchant.pk], [3_000, 2_000])
    first = ledger.hold_funds_together(card_number=card.number, parts=parts)
    transfers_before = Transfer.objects.count()

    again = ledger.hold_funds_together(card_number=card.number, parts=parts)

    assert [transfer.pk for transfer in again] == [transfer.pk for transfer in first]
    assert Transfer.objects.count() == transfers_before
    assert balances(card.ledger_account) == [(20_000, 5_000)]


def test_holds_together_beyond_the_funds_refuse_like_the_first_hold_that_fails():
    merchant = make_merchant_account("merchant:1")
    card = funded_card(make_holder(), 10_000)

    with pytest.raises(InsufficientFunds):
        ledger.hold_funds_together(
            card_number=card.number,
            parts=_parts("F", [merchant.pk] * 3, [6_000, 5_000, 1_000]),
        )

    # As one call after another: the first hold was taken (the caller's rollback undoes
    # it), the second refused and recorded, the third never tried.
    assert balances(card.ledger_account) == [(10_000, 6_000)]
    assert list(TransferRefusal.objects.values_list("transfer_id", "code")) == [
        ("F/1", "insufficient_funds")
    ]
    assert not Transfer.objects.filter(transfer_id="F/2").exists()


def test_holds_together_beyond_the_daily_limit_are_refused_as_over_the_limit(settings):
    settings.OKRYU_CARD_DAILY_LIMIT_WON = 5_000
    merchant = make_merchant_account("merchant:1")
    card = funded_card(make_holder(), 10_000)

    with pytest.raises(OverCardLimit):
        ledger.hold_funds_together(
            card_number=card.number,
            parts=_parts("L", [merchant.pk] * 2, [3_000, 3_000]),
        )

    assert balances(card.ledger_account) == [(10_000, 3_000)]
