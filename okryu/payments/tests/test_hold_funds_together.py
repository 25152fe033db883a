"""Several holds on one card at once, all or none: what ``hold_funds`` after another writes.

One path: one card lock, one UPDATE and one INSERT when it holds; a refusal holds nothing and
is recorded for every part's transfer id; the same parts again replay the first outcome.
Every test runs on both databases with the same inputs.
"""

import pytest
from django.db import connection

from okryu.core.errors import InvalidInput
from okryu.core.models import BackgroundJob
from okryu.notifications.models import OutboxMessage
from okryu.payments import ledger
from okryu.payments.cards import block_card
from okryu.payments.errors import (
    CardBlocked,
    InsufficientFunds,
    OverCardLimit,
    TransferIdReused,
)
from okryu.payments.models import Transfer, TransferKind, TransferRefusal
from okryu.payments.tests.builders import (
    balances,
    funded_card,
    make_holder,
    make_merchant_account,
    make_teller,
    snapshot,
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


def _refusals(prefix: str) -> list[tuple[str, str]]:
    return list(
        TransferRefusal.objects.filter(transfer_id__startswith=prefix)
        .order_by("transfer_id")
        .values_list("transfer_id", "code")
    )


def test_holds_together_beyond_the_funds_hold_nothing_and_refuse_every_part():
    merchant = make_merchant_account("merchant:1")
    card = funded_card(make_holder(), 10_000)
    before = snapshot()

    with pytest.raises(InsufficientFunds):
        ledger.hold_funds_together(
            card_number=card.number,
            parts=_parts("F", [merchant.pk] * 3, [6_000, 3_000, 2_000]),
        )

    # All or none: the first two parts alone would fit, yet nothing is held.
    after = snapshot()
    assert after.pop("refusals") == before.pop("refusals") + 3
    assert after == before
    assert balances(card.ledger_account) == [(10_000, 0)]
    assert _refusals("F/") == [
        ("F/0", "insufficient_funds"),
        ("F/1", "insufficient_funds"),
        ("F/2", "insufficient_funds"),
    ]


def test_holds_together_beyond_the_daily_limit_are_refused_as_over_the_limit(settings):
    settings.OKRYU_CARD_DAILY_LIMIT_WON = 5_000
    merchant = make_merchant_account("merchant:1")
    card = funded_card(make_holder(), 10_000)

    with pytest.raises(OverCardLimit) as refusal:
        ledger.hold_funds_together(
            card_number=card.number,
            parts=_parts("L", [merchant.pk] * 2, [3_000, 3_000]),
        )

    assert refusal.value.extra == {"spent_today_won": 0}
    assert balances(card.ledger_account) == [(10_000, 0)]
    assert [code for _id, code in _refusals("L/")] == ["over_card_limit"] * 2


def test_a_refused_set_of_holds_repeated_is_refused_again_without_new_records():
    merchant = make_merchant_account("merchant:1")
    card = funded_card(make_holder(), 1_000)
    parts = _parts("R", [merchant.pk] * 2, [800, 800])
    with pytest.raises(InsufficientFunds):
        ledger.hold_funds_together(card_number=card.number, parts=parts)
    ledger.top_up(card_number=card.number, amount_won=5_000, transfer_id="cash")

    # The first outcome stands, though the money is there now.
    with pytest.raises(InsufficientFunds):
        ledger.hold_funds_together(card_number=card.number, parts=parts)

    assert len(_refusals("R/")) == 2
    assert balances(card.ledger_account) == [(6_000, 0)]


def test_holds_together_on_a_blocked_card_are_refused_but_a_repeat_replays_the_holds():
    merchant = make_merchant_account("merchant:1")
    card = funded_card(make_holder(), 10_000)
    parts = _parts("B", [merchant.pk] * 2, [1_000, 2_000])
    first = ledger.hold_funds_together(card_number=card.number, parts=parts)
    block_card(card_number=card.number, reason="lost", actor=make_teller())

    again = ledger.hold_funds_together(card_number=card.number, parts=parts)
    with pytest.raises(CardBlocked):
        ledger.hold_funds_together(
            card_number=card.number, parts=_parts("C", [merchant.pk], [1_000])
        )

    assert [transfer.pk for transfer in again] == [transfer.pk for transfer in first]
    assert _refusals("C/") == [("C/0", "card_blocked")]
    assert balances(card.ledger_account) == [(10_000, 3_000)]


def test_holds_together_naming_an_id_another_transfer_used_are_refused_as_reused():
    merchant = make_merchant_account("merchant:1")
    card = funded_card(make_holder(), 10_000)
    ledger.hold_funds_together(
        card_number=card.number, parts=_parts("U", [merchant.pk], [1_000])
    )
    before = snapshot()

    # U/0 was a hold of 1,000; U/1 is new: only some of the ids were used.
    with pytest.raises(TransferIdReused):
        ledger.hold_funds_together(
            card_number=card.number, parts=_parts("U", [merchant.pk] * 2, [1_000, 500])
        )

    assert snapshot() == before


def test_holds_together_crediting_an_unknown_account_are_refused_and_change_nothing():
    merchant = make_merchant_account("merchant:1")
    card = funded_card(make_holder(), 10_000)
    before = snapshot()

    with pytest.raises(InvalidInput) as refusal:
        ledger.hold_funds_together(
            card_number=card.number,
            parts=_parts("N", [merchant.pk, card.ledger_account_id + 1_000], [1, 2]),
        )

    assert refusal.value.extra == {"field": "credit_account"}
    after = snapshot()
    assert after.pop("refusals") == before.pop("refusals") + 2
    assert after == before
