"""State changes of merchants: their settlement account."""

from django.db import transaction

from okryu.merchants.models import Merchant
from okryu.payments import ledger
from okryu.payments.models import LedgerAccountKind, PaymentRequest
from okryu.payments.qr import create_payment_request


def settlement_owner_reference(merchant_id: int) -> str:
    """Return the ledger ``owner_reference`` of a merchant's settlement account."""
    return f"merchant:{merchant_id}"


def open_settlement_account(*, merchant_id: int) -> int:
    """Open the merchant's ledger account if it has none and return the account id.

    Idempotent: a second call (or a concurrent one) returns the same account, because the
    ledger account is unique per owner reference and the merchant row is locked while linked.
    """
    with transaction.atomic():
        merchant = (
            Merchant.objects.select_for_update()
            .only("pk", "ledger_account")
            .get(pk=merchant_id)
        )
        if merchant.ledger_account_id is not None:
            return merchant.ledger_account_id
        account = ledger.open_ledger_account(
            kind=LedgerAccountKind.MERCHANT,
            owner_reference=settlement_owner_reference(merchant_id),
        )
        Merchant.objects.filter(pk=merchant_id).update(ledger_account=account)
        return account.pk


def create_merchant_payment_request(
    *, merchant_id: int, amount_won: int, description: str = ""
) -> PaymentRequest:
    """Create a single-use QR payment request into the merchant's settlement account."""
    account_id = open_settlement_account(merchant_id=merchant_id)
    return create_payment_request(
        credit_account_id=account_id, amount_won=amount_won, description=description
    )
