"""Ledger accounts and the conditional updates that move their balances.

Every change of a balance is one ``UPDATE … WHERE`` whose row count says whether it happened,
so it is correct under any concurrency on PostgreSQL and on SQLite (where
``select_for_update`` does nothing); the check constraints on ``LedgerAccount`` refuse what a
bug would let through.
"""

from django.db import IntegrityError, transaction
from django.db.models import F

from okryu.payments.errors import InsufficientFunds
from okryu.payments.models import LedgerAccount, LedgerAccountKind

BANK_CASH_OWNER = "bank"
DELIVERY_FEES_OWNER = "delivery"
# The logistics office's second account: what offline door records refused on upload cost it.
DOOR_LOSSES_OWNER = "door-losses"
OWNER_REFERENCE_LENGTH_MAX = 100


def open_ledger_account(
    *, kind: LedgerAccountKind, owner_reference: str
) -> LedgerAccount:
    """Open the ledger account of ``kind`` for ``owner_reference``, or return the open one."""
    assert kind in LedgerAccountKind.values
    assert 0 < len(owner_reference) <= OWNER_REFERENCE_LENGTH_MAX, (
        "an account names its owner"
    )
    account = LedgerAccount.objects.filter(
        kind=kind, owner_reference=owner_reference
    ).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return LedgerAccount.objects.create(
                kind=kind, owner_reference=owner_reference
            )
    except IntegrityError:
        # Opened by a concurrent request between the read and the insert.
        return LedgerAccount.objects.get(kind=kind, owner_reference=owner_reference)


def open_bank_cash_account() -> LedgerAccount:
    """Return the bank's cash account, where counter top-ups come from."""
    return open_ledger_account(
        kind=LedgerAccountKind.BANK_CASH, owner_reference=BANK_CASH_OWNER
    )


def open_delivery_fees_account() -> LedgerAccount:
    """Return the account that collects delivery fees."""
    return open_ledger_account(
        kind=LedgerAccountKind.DELIVERY_FEES, owner_reference=DELIVERY_FEES_OWNER
    )


def open_door_losses_account() -> LedgerAccount:
    """Return the logistics office's account that bears refused offline door payments."""
    return open_ledger_account(
        kind=LedgerAccountKind.DELIVERY_FEES, owner_reference=DOOR_LOSSES_OWNER
    )


def _available_filter(account: LedgerAccount, amount_won: int) -> dict[str, object]:
    # Only shopper accounts are guarded: the bank's cash account goes negative by design, and a
    # merchant's refunds are bounded by what it was paid.
    if account.kind == LedgerAccountKind.SHOPPER:
        return {"balance_won__gte": F("held_won") + amount_won}
    return {}


def move_balance(
    *, debit: LedgerAccount, credit: LedgerAccount, amount_won: int
) -> None:
    """Move ``amount_won`` from ``debit``'s available money to ``credit``.

    Raises InsufficientFunds when the debit account cannot pay. The two rows are updated in
    primary-key order, so concurrent transfers between the same accounts in opposite
    directions (a payment and a refund) never deadlock on PostgreSQL; a refusal after the
    credit was applied is undone by the caller's savepoint.
    """
    assert amount_won > 0
    assert debit.pk != credit.pk
    assert transaction.get_connection().in_atomic_block

    # Primary-key order of the two rows.
    if debit.pk < credit.pk:
        _take_from(debit, amount_won)
        _add_to(credit, amount_won)
    else:
        _add_to(credit, amount_won)
        _take_from(debit, amount_won)


def _take_from(account: LedgerAccount, amount_won: int) -> None:
    debited = LedgerAccount.objects.filter(
        pk=account.pk, **_available_filter(account, amount_won)
    ).update(balance_won=F("balance_won") - amount_won)
    if debited != 1:
        raise InsufficientFunds("잔액이 부족합니다.")


def _add_to(account: LedgerAccount, amount_won: int) -> None:
    credited = LedgerAccount.objects.filter(pk=account.pk).update(
        balance_won=F("balance_won") + amount_won
    )
    assert credited == 1
