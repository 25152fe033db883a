import pytest

from okryu.accounts.models import Role, RoleGrant
from okryu.core import clock
from okryu.payments import ledger
from okryu.payments.audit import audit_ledger
from okryu.payments.errors import CardNotFound
from okryu.payments.models import LedgerAccount
from okryu.payments.queries import (
    daily_settlement,
    get_card_for_holder_or_teller,
    list_statement,
)
from okryu.payments.tests.builders import funded_card, make_holder

pytestmark = pytest.mark.django_db


def test_the_audit_finds_a_cached_balance_that_disagrees_with_the_transfers(holder):
    card = funded_card(holder, 5_000)
    assert audit_ledger().violations == 0

    LedgerAccount.objects.filter(pk=card.ledger_account_id).update(balance_won=6_000)
    audit = audit_ledger()

    assert (audit.sum_of_balances, audit.balance_mismatches, audit.violations) == (
        1_000,
        1,
        2,
    )


def test_the_audit_finds_a_held_amount_that_disagrees_with_the_pending_holds(
    holder, merchant_account
):
    card = funded_card(holder, 5_000)
    ledger.hold_funds(
        card_number=card.number,
        pin=None,
        amount_won=2_000,
        credit_account_id=merchant_account.pk,
        transfer_id="h1",
    )

    LedgerAccount.objects.filter(pk=card.ledger_account_id).update(held_won=0)
    audit = audit_ledger()

    assert (audit.held_mismatches, audit.violations, audit.transfers) == (1, 1, 2)


def test_a_daily_settlement_reconciles_to_the_transfers(holder, merchant_account):
    card = funded_card(holder, 100_000)
    fees = ledger.open_delivery_fees_account()
    ledger.transfer_funds(
        card_number=card.number,
        pin=None,
        amount_won=10_000,
        credit_account_id=merchant_account.pk,
        transfer_id="p1",
    )
    ledger.hold_funds(
        card_number=card.number,
        pin=None,
        amount_won=20_000,
        credit_account_id=merchant_account.pk,
        transfer_id="h1",
    )
    ledger.capture_hold(hold_transfer_id="h1", amount_won=15_000, transfer_id="c1")
    ledger.refund(original_transfer_id="c1", amount_won=4_000, transfer_id="r1")
    ledger.hold_funds(
        card_number=card.number,
        pin=None,
        amount_won=1_000,
        credit_account_id=merchant_account.pk,
        transfer_id="h2",
    )
    ledger.transfer_between_accounts(
        debit_account_id=merchant_account.pk,
        credit_account_id=fees.pk,
        amount_won=500,
        transfer_id="fee1",
    )

    settlement = daily_settlement(
        merchant_account_id=merchant_account.pk, day=clock.local_today()
    )

    assert (
        settlement.takings_won,
        settlement.refunds_won,
        settlement.fees_won,
        settlement.net_won,
        settlement.transfers,
    ) == (25_000, 4_000, 500, 20_500, 4)
    merchant_account.refresh_from_db()
    assert settlement.net_won == merchant_account.balance_won
    assert audit_ledger().violations == 0


def test_a_card_is_visible_to_its_holder_and_a_teller_and_to_no_one_else(holder):
    card = funded_card(holder, 1_000)
    stranger = make_holder("stranger")
    teller = make_holder("teller")
    RoleGrant.objects.create(user=teller, role=Role.TELLER)

    assert get_card_for_holder_or_teller(card_number=card.number, user=holder) == card
    assert get_card_for_holder_or_teller(card_number=card.number, user=teller) == card
    with pytest.raises(CardNotFound):
        get_card_for_holder_or_teller(card_number=card.number, user=stranger)
    with pytest.raises(CardNotFound):
        list_statement(card_number=card.number, user=stranger)


def test_a_statement_lists_the_cards_transfers_newest_first(
    holder, merchant_account, django_assert_num_queries
):
    card = funded_card(holder, 10_000)
    ledger.transfer_funds(
        card_number=card.number,
        pin=None,
        amount_won=3_000,
        credit_account_id=merchant_account.pk,
        transfer_id="p1",
    )
    funded_card(make_holder(), 5_000)

    with django_assert_num_queries(2):
        lines = list(list_statement(card_number=card.number, user=holder))

    assert [(line.kind, line.amount_won) for line in lines] == [
        ("single", 3_000),
        ("single", 10_000),
    ]
