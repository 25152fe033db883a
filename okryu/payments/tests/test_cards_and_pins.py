import io
import logging

import pytest
from django.core.management import call_command
from django.db import connection

from okryu.core.errors import InvalidInput
from okryu.payments import ledger
from okryu.payments.cards import (
    block_card,
    issue_card,
    reset_pin,
    unblock_card,
    verify_pin,
)
from okryu.payments.errors import CardBlocked, CardExpired, CardLocked, WrongPin
from okryu.payments.models import Card, CardStatus
from okryu.payments.rules import is_card_number_well_formed
from okryu.payments.tests.builders import (
    TEST_PIN,
    balances,
    funded_card,
    make_teller,
    snapshot,
)

pytestmark = pytest.mark.django_db


def test_an_issued_card_has_a_luhn_number_an_active_status_and_no_balance(holder):
    card = issue_card(holder=holder, phone="010-2222-3333", pin=TEST_PIN)

    assert is_card_number_well_formed(card.number)
    assert card.number.startswith("9410")
    assert (card.status, card.holder, card.phone) == (
        CardStatus.ACTIVE,
        holder,
        "010-2222-3333",
    )
    assert balances(card.ledger_account) == [(0, 0)]
    assert (card.chip_key_version, card.pin_key_version) == (1, 1)
    assert card.pin_hash.startswith("hmac-sha256$")


@pytest.mark.parametrize(
    ("phone", "pin", "field"),
    [
        pytest.param("010", TEST_PIN, "phone", id="short-phone"),
        pytest.param("010-1234-5678", "12", "pin", id="short-pin"),
        pytest.param("010-1234-5678", "12a4", "pin", id="letters-in-pin"),
        pytest.param("010-1234-5678", "1234567", "pin", id="long-pin"),
    ],
)
def test_a_card_with_a_bad_phone_or_pin_is_not_issued(holder, phone, pin, field):
    with pytest.raises(InvalidInput) as refused:
        issue_card(holder=holder, phone=phone, pin=pin)

    assert refused.value.field == field
    assert Card.objects.count() == 0


def test_three_wrong_pins_lock_the_card_until_a_teller_resets_the_pin(holder):
    card = funded_card(holder, 1_000)

    attempts_left = []
    for _ in range(3):
        with pytest.raises(WrongPin) as wrong:
            verify_pin(card_number=card.number, pin="0000")
        attempts_left.append(wrong.value.attempts_left)
    with pytest.raises(CardLocked) as locked:
        verify_pin(card_number=card.number, pin=TEST_PIN)
    reset_pin(card_number=card.number, new_pin="7777", actor=make_teller())

    assert attempts_left == [2, 1, 0]
    assert locked.value.code == "card_locked"
    assert verify_pin(card_number=card.number, pin="7777").pin_failed_attempts == 0
    with pytest.raises(WrongPin):
        verify_pin(card_number=card.number, pin=TEST_PIN)


def test_a_right_pin_resets_the_attempt_counter(holder):
    card = funded_card(holder, 0)
    with pytest.raises(WrongPin):
        verify_pin(card_number=card.number, pin="0000")

    verified = verify_pin(card_number=card.number, pin=TEST_PIN)

    assert verified.pin_failed_attempts == 0


def test_a_locked_card_cannot_pay_even_with_the_right_pin(holder, merchant_account):
    card = funded_card(holder, 10_000)
    for _ in range(3):
        with pytest.raises(WrongPin):
            verify_pin(card_number=card.number, pin="0000")
    before = snapshot()

    with pytest.raises(CardLocked):
        ledger.hold_funds(
            card_number=card.number,
            pin=TEST_PIN,
            amount_won=100,
            credit_account_id=merchant_account.pk,
            transfer_id="h1",
        )

    after = snapshot()
    assert after.pop("refusals") == before.pop("refusals") + 1
    assert after == before


def test_a_blocked_card_is_refused_until_unblocked(holder, merchant_account):
    card = funded_card(holder, 10_000)
    block_card(card_number=card.number, reason="lost", actor=make_teller())
    pay = {
        "card_number": card.number,
        "pin": TEST_PIN,
        "amount_won": 100,
        "credit_account_id": merchant_account.pk,
    }

    with pytest.raises(CardBlocked):
        ledger.transfer_funds(**pay, transfer_id="p1")
    unblock_card(card_number=card.number, actor=make_teller())
    ledger.transfer_funds(**pay, transfer_id="p2")

    assert balances(card.ledger_account) == [(9_900, 0)]


def test_an_expired_card_is_refused(holder, merchant_account):
    card = funded_card(holder, 10_000)
    Card.objects.filter(pk=card.pk).update(status=CardStatus.EXPIRED)

    with pytest.raises(CardExpired):
        ledger.transfer_funds(
            card_number=card.number,
            pin=TEST_PIN,
            amount_won=100,
            credit_account_id=merchant_account.pk,
            transfer_id="p1",
        )

    assert balances(card.ledger_account) == [(10_000, 0)]


def _dump_every_table() -> str:
    lines: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            lines.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(lines)


# Six digits, so that a chance match inside a timestamp or a hash is about one in a million.
@pytest.mark.parametrize("pin", ["905172", "318264"])
def test_the_pin_appears_nowhere_in_the_database_nor_in_the_logs(
    holder, merchant_account, caplog, pin
):
    caplog.set_level(logging.DEBUG)
    card = issue_card(holder=holder, phone="010-1234-5678", pin=pin)
    ledger.top_up(card_number=card.number, amount_won=5_000, transfer_id="t1")
    ledger.hold_funds(
        card_number=card.number,
        pin=pin,
        amount_won=1_000,
        credit_account_id=merchant_account.pk,
        transfer_id="h1",
    )
    with pytest.raises(WrongPin) as wrong:
        verify_pin(card_number=card.number, pin="1" + pin[1:])
    reset_pin(card_number=card.number, new_pin=pin, actor=make_teller())

    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    raw = _dump_every_table()

    assert card.number in raw  # The dump does hold the card's rows.
    assert pin not in dump.getvalue().replace(card.number, "")
    assert pin not in raw.replace(card.number, "")
    assert pin not in caplog.text
    assert pin not in str(wrong.value)
    assert pin not in repr(wrong.value.extra)
