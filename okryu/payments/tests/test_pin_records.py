"""PIN records: keyed MACs under the issuer's versioned PIN key, and the upgrade of the earlier
Argon2id records at the next correct entry."""

import hashlib
import hmac

import pytest
from argon2 import PasswordHasher, Type
from django.db import connection
from django.test.utils import CaptureQueriesContext

from okryu.payments import ledger
from okryu.payments.cards import issue_card, reset_pin, verify_pin
from okryu.payments.errors import CardLocked, WrongPin
from okryu.payments.models import Card
from okryu.payments.tests.builders import (
    TEST_PIN,
    balances,
    funded_card,
    make_teller,
    new_id,
)

pytestmark = pytest.mark.django_db

KEY_1 = "rotation-test-issuer-key-version-1-" + "1" * 32
KEY_2 = "rotation-test-issuer-key-version-2-" + "2" * 32


@pytest.fixture(autouse=True)
def _issuer_key_1(settings):
    settings.OKRYU_CARD_ISSUER_KEYS = {1: KEY_1}
    settings.OKRYU_CARD_ISSUER_KEY_VERSION = 1


def _make_key_2_current(settings) -> None:
    settings.OKRYU_CARD_ISSUER_KEYS = {1: KEY_1, 2: KEY_2}
    settings.OKRYU_CARD_ISSUER_KEY_VERSION = 2


def expected_record(*, issuer_key: str, card_number: str, pin: str) -> str:
    """The record as the ADR defines it, computed here without the product's code."""
    pin_key = hmac.new(issuer_key.encode(), b"okryu-pin-key", hashlib.sha256).digest()
    message = f"{card_number}|{pin}".encode()
    return "hmac-sha256$" + hmac.new(pin_key, message, hashlib.sha256).hexdigest()


def argon2_record_as_made_before(*, issuer_key: str, pin: str) -> str:
    """An Argon2id record exactly as the earlier PIN code made it (the issuer's key was then
    the only, "master", key): the PIN peppered with a key derived from it, then hashed. The
    cheapest Argon2 parameters keep the test quick; a record carries its own parameters."""
    pepper = hmac.new(issuer_key.encode(), b"okryu-pin-pepper", hashlib.sha256).digest()
    peppered = hmac.new(pepper, pin.encode(), hashlib.sha256).hexdigest()
    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)
    return hasher.hash(peppered)


def card_with_argon2_record(holder, *, pin: str = TEST_PIN) -> Card:
    card = funded_card(holder, 10_000)
    Card.objects.filter(pk=card.pk).update(
        pin_hash=argon2_record_as_made_before(issuer_key=KEY_1, pin=pin),
        pin_key_version=1,
    )
    card.refresh_from_db()
    return card


def test_a_pin_record_is_an_hmac_of_the_card_number_and_pin_under_the_pin_key(holder):
    card = issue_card(holder=holder, phone="010-2222-3333", pin="905172")

    assert card.pin_hash == expected_record(
        issuer_key=KEY_1, card_number=card.number, pin="905172"
    )
    assert card.pin_key_version == 1


def test_the_same_pin_on_two_cards_gives_two_unrelated_records(holder):
    first = issue_card(holder=holder, phone="010-2222-3333", pin=TEST_PIN)
    second = issue_card(holder=holder, phone="010-2222-3333", pin=TEST_PIN)

    assert first.pin_hash != second.pin_hash
    assert second.pin_hash == expected_record(
        issuer_key=KEY_1, card_number=second.number, pin=TEST_PIN
    )


def test_a_pin_is_compared_in_constant_time(holder, monkeypatch):
    card = issue_card(holder=holder, phone="010-2222-3333", pin=TEST_PIN)
    compared: list[tuple[str, str]] = []
    real_compare = hmac.compare_digest

    def spy(first, second):
        compared.append((first, second))
        return real_compare(first, second)

    monkeypatch.setattr(hmac, "compare_digest", spy)

    verify_pin(card_number=card.number, pin=TEST_PIN)

    assert compared == [(card.pin_hash, card.pin_hash)]


def test_a_correct_pin_replaces_an_argon2_record_with_the_current_form(holder):
    card = card_with_argon2_record(holder)

    verify_pin(card_number=card.number, pin=TEST_PIN)

    card.refresh_from_db()
    assert card.pin_hash == expected_record(
        issuer_key=KEY_1, card_number=card.number, pin=TEST_PIN
    )
    assert (card.pin_key_version, card.pin_failed_attempts) == (1, 0)


def test_a_wrong_pin_against_an_argon2_record_counts_an_attempt_and_keeps_the_record(
    holder,
):
    card = card_with_argon2_record(holder)
    argon2_record = card.pin_hash

    with pytest.raises(WrongPin) as wrong:
        verify_pin(card_number=card.number, pin="0000")

    card.refresh_from_db()
    assert wrong.value.attempts_left == 2
    assert (card.pin_hash, card.pin_failed_attempts) == (argon2_record, 1)


def test_three_wrong_pins_against_an_argon2_record_lock_the_card(holder):
    card = card_with_argon2_record(holder)
    for _ in range(3):
        with pytest.raises(WrongPin):
            verify_pin(card_number=card.number, pin="0000")

    with pytest.raises(CardLocked):
        verify_pin(card_number=card.number, pin=TEST_PIN)

    card.refresh_from_db()
    assert card.pin_failed_attempts == 3
    assert card.pin_hash.startswith("$argon2id$")


def test_a_correct_pin_after_a_wrong_one_upgrades_the_record_and_clears_the_counter(
    holder,
):
    card = card_with_argon2_record(holder)
    with pytest.raises(WrongPin):
        verify_pin(card_number=card.number, pin="0000")

    verify_pin(card_number=card.number, pin=TEST_PIN)

    card.refresh_from_db()
    assert card.pin_failed_attempts == 0
    assert card.pin_hash.startswith("hmac-sha256$")


def test_a_payment_with_the_pin_upgrades_an_argon2_record(holder, merchant_account):
    card = card_with_argon2_record(holder)

    ledger.hold_funds(
        card_number=card.number,
        pin=TEST_PIN,
        amount_won=1_000,
        credit_account_id=merchant_account.pk,
        transfer_id=new_id(),
    )

    card.refresh_from_db()
    assert balances(card.ledger_account) == [(10_000, 1_000)]
    assert card.pin_hash == expected_record(
        issuer_key=KEY_1, card_number=card.number, pin=TEST_PIN
    )


def test_an_argon2_record_made_under_key_1_verifies_after_key_2_is_current(
    holder, settings
):
    card = card_with_argon2_record(holder)
    _make_key_2_current(settings)

    verify_pin(card_number=card.number, pin=TEST_PIN)

    card.refresh_from_db()
    assert card.pin_hash == expected_record(
        issuer_key=KEY_2, card_number=card.number, pin=TEST_PIN
    )
    assert card.pin_key_version == 2


def test_a_record_under_an_older_key_moves_to_the_current_key_at_the_next_right_pin(
    holder, settings
):
    card = issue_card(holder=holder, phone="010-2222-3333", pin=TEST_PIN)
    _make_key_2_current(settings)
    with pytest.raises(WrongPin):
        verify_pin(card_number=card.number, pin="0000")
    card.refresh_from_db()
    assert (card.pin_key_version, card.pin_failed_attempts) == (1, 1)

    verify_pin(card_number=card.number, pin=TEST_PIN)

    card.refresh_from_db()
    assert card.pin_hash == expected_record(
        issuer_key=KEY_2, card_number=card.number, pin=TEST_PIN
    )
    assert (card.pin_key_version, card.pin_failed_attempts) == (2, 0)


def test_a_current_record_is_not_written_again_by_a_right_pin(holder):
    card = issue_card(holder=holder, phone="010-2222-3333", pin=TEST_PIN)

    with CaptureQueriesContext(connection) as queries:
        verify_pin(card_number=card.number, pin=TEST_PIN)

    statements = [query["sql"].split()[0].upper() for query in queries]
    assert "UPDATE" not in statements
    assert statements.count("SELECT") == 1


def test_a_pin_reset_makes_the_record_under_the_current_key(holder, settings):
    card = card_with_argon2_record(holder)
    _make_key_2_current(settings)

    reset_pin(card_number=card.number, new_pin="7777", actor=make_teller())

    card.refresh_from_db()
    assert card.pin_hash == expected_record(
        issuer_key=KEY_2, card_number=card.number, pin="7777"
    )
    assert card.pin_key_version == 2
