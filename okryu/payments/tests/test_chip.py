import dataclasses

import pytest

from okryu.payments.cards import unblock_card
from okryu.payments.chip import (
    SoftwareCard,
    SoftwareTerminal,
    accept_chip_payment,
    issuer_card_key,
)
from okryu.payments.errors import (
    CardBlocked,
    CardCloned,
    ChipInvalid,
    ChipReplay,
    InsufficientFunds,
    OverFloorLimit,
)
from okryu.payments.models import Card, CardStatus, ChipUse, Transfer
from okryu.payments.tests.builders import balances, funded_card, make_teller, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def chip_setup(holder, merchant_account):
    card = funded_card(holder, 100_000)
    chip = SoftwareCard(number=card.number, key=issuer_card_key(card.number))
    terminal = SoftwareTerminal(merchant_account_id=merchant_account.pk)
    return card, chip, terminal


def test_an_online_chip_payment_pays_the_merchant(chip_setup, merchant_account):
    card, chip, terminal = chip_setup

    terminal.take_payment(chip, amount_won=12_000, online=True)

    assert balances(card.ledger_account, merchant_account) == [(88_000, 0), (12_000, 0)]
    use = ChipUse.objects.get()
    assert (use.counter, use.outcome_code, use.is_offline) == (1, "accepted", False)


def test_a_replayed_chip_record_is_refused_and_changes_nothing(chip_setup):
    _card, chip, terminal = chip_setup
    record = terminal.take_payment(chip, amount_won=12_000, online=True)
    before = snapshot()

    with pytest.raises(ChipReplay) as refused:
        accept_chip_payment(record=record, online=True)

    assert refused.value.code == "chip_replay"
    assert snapshot() == before


def test_an_altered_record_does_not_verify(chip_setup):
    _card, chip, terminal = chip_setup
    record = chip.answer(
        challenge="ab" * 16,
        amount_won=1_000,
        merchant_account_id=terminal.merchant_account_id,
    )
    altered = dataclasses.replace(record, amount_won=10)
    before = snapshot()

    with pytest.raises(ChipInvalid):
        accept_chip_payment(record=altered, online=True)

    assert snapshot() == before
    assert ChipUse.objects.count() == 0


def test_a_record_signed_with_another_key_does_not_verify(chip_setup):
    card, _chip, terminal = chip_setup
    forged = SoftwareCard(number=card.number, key=b"\x00" * 32)

    with pytest.raises(ChipInvalid):
        terminal.take_payment(forged, amount_won=1_000, online=True)

    assert balances(card.ledger_account) == [(100_000, 0)]


def test_two_different_records_with_one_counter_block_the_card_as_cloned(
    chip_setup, merchant_account
):
    card, chip, terminal = chip_setup
    clone = SoftwareCard(number=chip.number, key=chip.key, counter=chip.counter)
    terminal.take_payment(chip, amount_won=5_000, online=True)

    with pytest.raises(CardCloned) as refused:
        terminal.take_payment(clone, amount_won=7_000, online=True)

    assert refused.value.code == "card_cloned"
    card.refresh_from_db()
    assert (card.status, card.blocked_reason) == (CardStatus.BLOCKED, "cloned")
    assert balances(card.ledger_account) == [(95_000, 0)]
    with pytest.raises(CardBlocked):
        terminal.take_payment(chip, amount_won=1_000, online=True)
    with pytest.raises(CardBlocked):
        unblock_card(card_number=card.number, actor=make_teller())


def test_an_offline_record_is_accepted_once_on_upload(chip_setup, merchant_account):
    card, chip, terminal = chip_setup
    record = terminal.take_payment(chip, amount_won=30_000, online=False)
    assert balances(card.ledger_account) == [(100_000, 0)]

    outcomes = terminal.upload()
    with pytest.raises(ChipReplay):
        accept_chip_payment(record=record, online=False)

    assert [type(outcome) for outcome in outcomes] == [Transfer]
    assert balances(card.ledger_account, merchant_account) == [(70_000, 0), (30_000, 0)]
    assert ChipUse.objects.get().is_offline is True


def test_an_offline_payment_above_the_floor_limit_is_refused(chip_setup, settings):
    settings.OKRYU_OFFLINE_FLOOR_LIMIT_WON = 20_000
    _card, chip, terminal = chip_setup

    with pytest.raises(OverFloorLimit):
        terminal.take_payment(chip, amount_won=20_001, online=False)
    record = chip.answer(
        challenge="cd" * 16,
        amount_won=20_001,
        merchant_account_id=terminal.merchant_account_id,
    )
    with pytest.raises(OverFloorLimit):
        accept_chip_payment(record=record, online=False)

    assert terminal.stored_records == []
    assert ChipUse.objects.count() == 0


def test_an_offline_record_without_funds_is_refused_and_its_counter_stays_used(
    holder, merchant_account
):
    card = funded_card(holder, 1_000)
    chip = SoftwareCard(number=card.number, key=issuer_card_key(card.number))
    terminal = SoftwareTerminal(merchant_account_id=merchant_account.pk)
    record = terminal.take_payment(chip, amount_won=5_000, online=False)

    outcomes = terminal.upload()

    assert [getattr(error, "code", None) for error in outcomes] == [
        "insufficient_funds"
    ]
    assert ChipUse.objects.get().outcome_code == "insufficient_funds"
    with pytest.raises(ChipReplay):
        accept_chip_payment(record=record, online=False)
    assert balances(card.ledger_account) == [(1_000, 0)]
    assert isinstance(outcomes[0], InsufficientFunds)
    assert Card.objects.get(pk=card.pk).status == CardStatus.ACTIVE
