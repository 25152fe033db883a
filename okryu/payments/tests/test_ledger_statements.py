"""What the fast ledger path must keep: few statements, the daily limit, replays, refusals.

The statement counts are exact, so a regression (a re-read, an ORM detour, a savepoint) shows.
Inside a test the service's transaction is a savepoint, counted as two statements.
"""

import datetime as dt

import pytest
import time_machine
from django.db import connection

from okryu.core import clock
from okryu.core.errors import InvalidInput
from okryu.notifications.models import OutboxMessage
from okryu.payments import ledger
from okryu.payments.cards import block_card
from okryu.payments.chip import SoftwareCard, SoftwareTerminal, issuer_card_key
from okryu.payments.errors import (
    CardBlocked,
    InsufficientFunds,
    OverCardLimit,
    TransferIdReused,
)
from okryu.payments.models import LedgerAccount, Transfer, TransferRefusal
from okryu.payments.tests.builders import (
    balances,
    funded_card,
    make_merchant_account,
    make_teller,
    snapshot,
)

pytestmark = pytest.mark.django_db

# PostgreSQL writes the transfer, its SMS and a hold's job in one INSERT (CTEs) and locks the
# transfer id (advisory lock) with the card; SQLite runs them as separate statements.
SINGLE_STATEMENTS = {"postgresql": 6, "sqlite": 7}
HOLD_STATEMENTS = {"postgresql": 5, "sqlite": 7}
CAPTURE_STATEMENTS = {"postgresql": 7, "sqlite": 7}


def _pay(card, merchant, amount_won: int, transfer_id: str) -> Transfer:
    return ledger.transfer_funds(
        card_number=card.number,
        pin=None,
        amount_won=amount_won,
        credit_account_id=merchant.pk,
        transfer_id=transfer_id,
    )


def test_a_single_payment_takes_a_fixed_number_of_statements(
    holder, merchant_account, django_assert_num_queries
):
    card = funded_card(holder, 10_000)

    with django_assert_num_queries(SINGLE_STATEMENTS[connection.vendor]):
        _pay(card, merchant_account, 1_000, "p1")

    assert balances(card.ledger_account, merchant_account) == [(9_000, 0), (1_000, 0)]
    assert OutboxMessage.objects.filter(phone=card.phone).count() == 2


def test_a_hold_and_its_capture_take_a_fixed_number_of_statements(
    holder, merchant_account, django_assert_num_queries
):
    card = funded_card(holder, 10_000)

    with django_assert_num_queries(HOLD_STATEMENTS[connection.vendor]):
        ledger.hold_funds(
            card_number=card.number,
            pin=None,
            amount_won=1_000,
            credit_account_id=merchant_account.pk,
            transfer_id="h1",
        )
    with django_assert_num_queries(CAPTURE_STATEMENTS[connection.vendor]):
        ledger.capture_hold(hold_transfer_id="h1", amount_won=900, transfer_id="c1")

    assert balances(card.ledger_account, merchant_account) == [(9_100, 0), (900, 0)]


def test_the_daily_limit_counts_payments_and_holds_and_starts_again_the_next_day(
    holder, merchant_account, settings
):
    settings.OKRYU_CARD_DAILY_LIMIT_WON = 5_000
    card = funded_card(holder, 20_000)
    _pay(card, merchant_account, 3_000, "p1")
    ledger.hold_funds(
        card_number=card.number,
        pin=None,
        amount_won=2_000,
        credit_account_id=merchant_account.pk,
        transfer_id="h1",
    )
    ledger.void_hold(hold_transfer_id="h1", transfer_id="v1")
    before = snapshot()

    with pytest.raises(OverCardLimit) as refusal:
        _pay(card, merchant_account, 1, "p2")

    assert refusal.value.extra == {"spent_today_won": 5_000}
    after = snapshot()
    assert after.pop("refusals") == before.pop("refusals") + 1
    assert after == before
    tomorrow = clock.local_now().replace(hour=0, minute=1) + dt.timedelta(days=1)
    with time_machine.travel(tomorrow, tick=False):
        _pay(card, merchant_account, 5_000, "p3")
        with pytest.raises(OverCardLimit):
            _pay(card, merchant_account, 1, "p4")
    account = LedgerAccount.objects.get(pk=card.ledger_account_id)
    assert (account.spent_on, account.spent_today_won) == (tomorrow.date(), 5_000)


def test_a_refused_debit_after_its_credit_leaves_both_accounts_as_they_were(holder):
    # The merchant's account is older than the card's, so its row is credited first (the
    # primary-key lock order) and must be put back when the card cannot pay.
    merchant = make_merchant_account("merchant:older")
    card = funded_card(holder, 1_000)
    assert merchant.pk < card.ledger_account_id
    before = snapshot()

    with pytest.raises(InsufficientFunds):
        _pay(card, merchant, 1_001, "p1")

    after = snapshot()
    assert after.pop("refusals") == before.pop("refusals") + 1
    assert after == before
    assert _pay(card, merchant, 1_000, "p2").amount_won == 1_000
    assert balances(card.ledger_account, merchant) == [(0, 0), (1_000, 0)]


def test_a_payment_to_an_unknown_account_is_refused_whichever_row_comes_first(holder):
    card = funded_card(holder, 5_000)
    before = snapshot()

    # No account has id 0 (below the card's: credited first) nor one far above it.
    for transfer_id, credit_id in (("p1", 0), ("p2", card.ledger_account_id + 1_000)):
        with pytest.raises(InvalidInput) as refusal:
            ledger.transfer_funds(
                card_number=card.number,
                pin=None,
                amount_won=1_000,
                credit_account_id=credit_id,
                transfer_id=transfer_id,
            )
        assert refusal.value.extra == {"field": "credit_account"}

    after = snapshot()
    assert after.pop("refusals") == before.pop("refusals") + 2
    assert after == before


def test_a_replayed_payment_returns_its_transfer_even_after_the_card_was_blocked(
    holder, merchant_account
):
    card = funded_card(holder, 5_000)
    first = _pay(card, merchant_account, 1_000, "p1")
    block_card(card_number=card.number, reason="lost", actor=make_teller())

    again = _pay(card, merchant_account, 1_000, "p1")

    assert again.pk == first.pk
    with pytest.raises(CardBlocked):
        _pay(card, merchant_account, 1_000, "p2")
    with pytest.raises(TransferIdReused):
        _pay(card, merchant_account, 2_000, "p1")
    assert balances(card.ledger_account) == [(4_000, 0)]


def test_a_refused_payment_replays_its_refusal_without_a_second_record(
    holder, merchant_account, settings
):
    settings.OKRYU_CARD_TRANSFER_LIMIT_WON = 2_000
    card = funded_card(holder, 5_000)
    with pytest.raises(OverCardLimit):
        _pay(card, merchant_account, 3_000, "p1")
    settings.OKRYU_CARD_TRANSFER_LIMIT_WON = 10_000

    with pytest.raises(OverCardLimit):
        _pay(card, merchant_account, 3_000, "p1")

    assert TransferRefusal.objects.filter(transfer_id="p1").count() == 1
    assert balances(card.ledger_account) == [(5_000, 0)]


def test_a_capture_id_used_by_another_transfer_is_refused_as_reused(
    holder, merchant_account
):
    card = funded_card(holder, 5_000)
    _pay(card, merchant_account, 1_000, "p1")
    ledger.hold_funds(
        card_number=card.number,
        pin=None,
        amount_won=1_000,
        credit_account_id=merchant_account.pk,
        transfer_id="h1",
    )

    with pytest.raises(TransferIdReused):
        ledger.capture_hold(hold_transfer_id="h1", amount_won=1_000, transfer_id="p1")

    assert balances(card.ledger_account) == [(4_000, 1_000)]


def test_chip_payments_count_against_the_same_daily_limit(holder, settings):
    settings.OKRYU_CARD_DAILY_LIMIT_WON = 10_000
    merchant = make_merchant_account("merchant:chip")
    card = funded_card(holder, 50_000)
    chip = SoftwareCard(number=card.number, key=issuer_card_key(card.number))
    terminal = SoftwareTerminal(merchant_account_id=merchant.pk)
    terminal.take_payment(chip, amount_won=6_000, online=True)

    with pytest.raises(OverCardLimit):
        terminal.take_payment(chip, amount_won=4_001, online=True)
    with pytest.raises(OverCardLimit):
        _pay(card, merchant, 4_001, "p1")
    _pay(card, merchant, 4_000, "p2")

    assert balances(card.ledger_account, merchant) == [(40_000, 0), (10_000, 0)]
    account = LedgerAccount.objects.get(pk=card.ledger_account_id)
    assert account.spent_today_won == 10_000


def test_a_capture_into_the_cards_own_account_is_refused_and_changes_nothing(
    holder, merchant_account
):
    card = funded_card(holder, 5_000)
    ledger.hold_funds(
        card_number=card.number,
        pin=None,
        amount_won=1_000,
        credit_account_id=merchant_account.pk,
        transfer_id="h1",
    )
    before = snapshot()

    with pytest.raises(InvalidInput):
        ledger.capture_hold(
            hold_transfer_id="h1",
            amount_won=1_000,
            transfer_id="c1",
            credit_account_id=card.ledger_account_id,
        )

    after = snapshot()
    assert after.pop("refusals") == before.pop("refusals") + 1
    assert after == before
