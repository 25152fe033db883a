"""Rotating the card issuer's key: cards made under an older version keep paying (chip and
PIN) while new cards are made under the current one."""

import hashlib
import hmac

import pytest
from django.core.exceptions import ImproperlyConfigured

from okryu.payments.cards import issue_card, verify_pin
from okryu.payments.chip import SoftwareCard, SoftwareTerminal, issuer_card_key
from okryu.payments.errors import ChipInvalid
from okryu.payments.models import ChipUse
from okryu.payments.tests.builders import TEST_PIN, balances, funded_card, snapshot

pytestmark = pytest.mark.django_db

KEY_1 = "rotation-test-issuer-key-version-1-" + "1" * 32
KEY_2 = "rotation-test-issuer-key-version-2-" + "2" * 32


@pytest.fixture
def card_of_version_1(settings, holder, merchant_account):
    """A funded card issued while key version 1 was current, its chip, then version 2 made
    current with version 1 still listed."""
    settings.OKRYU_CARD_ISSUER_KEYS = {1: KEY_1}
    settings.OKRYU_CARD_ISSUER_KEY_VERSION = 1
    card = funded_card(holder, 100_000)
    chip = SoftwareCard(number=card.number, key=issuer_card_key(card.number))
    settings.OKRYU_CARD_ISSUER_KEYS = {1: KEY_1, 2: KEY_2}
    settings.OKRYU_CARD_ISSUER_KEY_VERSION = 2
    return card, chip


def chip_key_of(issuer_key: str, card_number: str) -> bytes:
    return hmac.new(issuer_key.encode(), card_number.encode(), hashlib.sha256).digest()


def test_a_card_of_key_version_1_still_pays_by_chip_and_pin_after_version_2_is_current(
    card_of_version_1, merchant_account
):
    card, chip = card_of_version_1
    terminal = SoftwareTerminal(merchant_account_id=merchant_account.pk)

    terminal.take_payment(chip, amount_won=12_000, online=True)
    verified = verify_pin(card_number=card.number, pin=TEST_PIN)

    assert chip.key == chip_key_of(KEY_1, card.number)
    assert balances(card.ledger_account, merchant_account) == [(88_000, 0), (12_000, 0)]
    assert ChipUse.objects.get().outcome_code == "accepted"
    assert (verified.chip_key_version, verified.pin_key_version) == (1, 2)


def test_a_card_issued_after_the_rotation_gets_key_version_2(card_of_version_1, holder):
    new_card = issue_card(holder=holder, phone="010-2222-3333", pin=TEST_PIN)

    assert (new_card.chip_key_version, new_card.pin_key_version) == (2, 2)
    assert issuer_card_key(new_card.number) == chip_key_of(KEY_2, new_card.number)
    assert verify_pin(card_number=new_card.number, pin=TEST_PIN) == new_card


def test_a_chip_of_version_2_made_for_a_card_of_version_1_is_refused(
    card_of_version_1, merchant_account
):
    card, _chip = card_of_version_1
    forged = SoftwareCard(
        number=card.number, key=issuer_card_key(card.number, key_version=2)
    )
    terminal = SoftwareTerminal(merchant_account_id=merchant_account.pk)
    before = snapshot()

    with pytest.raises(ChipInvalid):
        terminal.take_payment(forged, amount_won=12_000, online=True)

    assert snapshot() == before


def test_a_card_whose_key_version_was_removed_cannot_be_verified(
    card_of_version_1, merchant_account, settings
):
    _card, chip = card_of_version_1
    settings.OKRYU_CARD_ISSUER_KEYS = {2: KEY_2}
    terminal = SoftwareTerminal(merchant_account_id=merchant_account.pk)
    before = snapshot()

    with pytest.raises(ImproperlyConfigured) as refused:
        terminal.take_payment(chip, amount_won=12_000, online=True)

    assert "key version 1 is not in OKRYU_CARD_ISSUER_KEYS" in str(refused.value)
    assert snapshot() == before
