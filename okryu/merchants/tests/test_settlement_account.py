"""A merchant's settlement account: opened once, on demand, and named after the merchant."""

import pytest

from okryu.merchants.services import (
    create_merchant_payment_request,
    open_settlement_account,
)
from okryu.merchants.tests.factories import MerchantFactory
from okryu.payments.models import LedgerAccount, LedgerAccountKind

pytestmark = pytest.mark.django_db


def test_opening_a_settlement_account_links_a_merchant_ledger_account():
    merchant = MerchantFactory.create()

    account_id = open_settlement_account(merchant_id=merchant.pk)

    merchant.refresh_from_db()
    account = LedgerAccount.objects.get(pk=account_id)
    assert merchant.ledger_account_id == account_id
    assert account.kind == LedgerAccountKind.MERCHANT
    assert account.owner_reference == f"merchant:{merchant.pk}"
    assert account.balance_won == 0


def test_opening_it_again_returns_the_same_account():
    merchant = MerchantFactory.create()

    first = open_settlement_account(merchant_id=merchant.pk)
    second = open_settlement_account(merchant_id=merchant.pk)

    assert first == second
    assert LedgerAccount.objects.count() == 1


def test_each_merchant_has_its_own_account():
    one, two = MerchantFactory.create(), MerchantFactory.create()

    assert open_settlement_account(merchant_id=one.pk) != open_settlement_account(
        merchant_id=two.pk
    )


def test_a_qr_request_of_a_merchant_is_paid_into_its_settlement_account():
    merchant = MerchantFactory.create()

    payment_request = create_merchant_payment_request(
        merchant_id=merchant.pk, amount_won=5000
    )

    merchant.refresh_from_db()
    assert payment_request.credit_account_id == merchant.ledger_account_id
    assert payment_request.amount_won == 5000
