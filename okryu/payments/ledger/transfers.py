"""Single transfers: cash top-ups at the counter, card payments, refunds.

Guarantees (each checked again by ``okryu.payments.audit``): a transfer is never edited; the
debit and the credit balance move by the same amount in the transaction that writes the
transfer; a shopper's available money never goes below zero; a refund is a new transfer the
other way and all refunds of a transfer never exceed it.
"""

from django.db import transaction
from django.db.models import Sum

from okryu.core import clock
from okryu.core.errors import DomainError, InvalidInput
from okryu.core.idempotency import fingerprint_request
from okryu.core.transactions import raise_if_refused, service_transaction
from okryu.core.won import WON_AMOUNT_MAX
from okryu.payments.cards import check_card_number
from okryu.payments.errors import OverRefundable, TransferNotFound
from okryu.payments.ledger.accounts import move_balance
from okryu.payments.ledger.debits import CardDebit, debit_card, run_top_up
from okryu.payments.ledger.engine import (
    check_transfer_id,
    lock_and_find_first_outcome,
    record_refusal,
)
from okryu.payments.ledger.notices import notify_card_holders
from okryu.payments.models import (
    BALANCE_MOVING_KINDS,
    LedgerAccount,
    LedgerAccountKind,
    Transfer,
    TransferKind,
)
from okryu.payments.rules import is_amount_valid, refundable_won

REFUNDABLE_KINDS = (TransferKind.SINGLE, TransferKind.CAPTURE)


def check_amount(amount_won: int, *, maximum_won: int = WON_AMOUNT_MAX) -> None:
    """Raise InvalidInput unless ``amount_won`` is a whole number of won from 1 up."""
    if not is_amount_valid(amount_won, maximum_won=maximum_won):
        raise InvalidInput(
            f"금액은 1원부터 {maximum_won:,}원까지의 정수입니다.", field="amount_won"
        )


def check_reference(reference: object) -> None:
    """Raise InvalidInput when the caller's reference is too long."""
    if not isinstance(reference, str) or len(reference) > Transfer.REFERENCE_LENGTH_MAX:
        raise InvalidInput("참조는 100자까지입니다.", field="reference")


def check_credit_account_id(credit_account_id: object) -> None:
    """Raise InvalidInput unless ``credit_account_id`` is an int (an account's primary key)."""
    if type(credit_account_id) is not int:
        raise InvalidInput("받는 계정이 없습니다.", field="credit_account")


def insert_transfer(
    *,
    fingerprint: str,
    transfer_id: str,
    kind: TransferKind,
    debit: LedgerAccount,
    credit: LedgerAccount,
    amount_won: int,
    **links: object,
) -> Transfer:
    """Write one immutable transfer row (the balances are moved by the caller)."""
    return Transfer.objects.create(
        transfer_id=transfer_id,
        fingerprint=fingerprint,
        kind=kind,
        debit_account=debit,
        credit_account=credit,
        amount_won=amount_won,
        created_at=clock.now(),
        **links,
    )


def announce_transfer(transfer: Transfer, *, tells_holder: bool = True) -> Transfer:
    """Assert the accounts' postconditions and queue the SMS of the cards the transfer touches.

    Runs after the balances moved, in the same transaction; the accounts are read back once,
    with their cards.
    """
    accounts = LedgerAccount.objects.select_related("card").in_bulk(
        [transfer.debit_account_id, transfer.credit_account_id]
    )
    for account in accounts.values():
        assert account.held_won >= 0
        assert account.kind != LedgerAccountKind.SHOPPER or account.available_won >= 0
    if tells_holder:
        notify_card_holders(transfer, accounts)
    return transfer


def write_transfer(  # noqa: PLR0913  (all keyword-only)
    *,
    fingerprint: str,
    transfer_id: str,
    kind: TransferKind,
    debit: LedgerAccount,
    credit: LedgerAccount,
    amount_won: int,
    tells_holder: bool = True,
    **links: object,
) -> Transfer:
    """Insert a transfer whose balances the caller already moved, then announce it."""
    transfer = insert_transfer(
        fingerprint=fingerprint,
        transfer_id=transfer_id,
        kind=kind,
        debit=debit,
        credit=credit,
        amount_won=amount_won,
        **links,
    )
    return announce_transfer(transfer, tells_holder=tells_holder)


def top_up(*, card_number: str, amount_won: int, transfer_id: str) -> Transfer:
    """Credit cash paid in at the bank counter to a card, from the bank's cash account.

    Idempotent by ``transfer_id``; a blocked card may still be topped up (the money is the
    holder's), but not an unknown one.
    """
    check_card_number(card_number)
    check_amount(amount_won)
    check_transfer_id(transfer_id)
    request = {"kind": "top_up", "card": card_number, "amount": amount_won}
    return run_top_up(
        card_number=card_number,
        amount_won=amount_won,
        transfer_id=transfer_id,
        request=request,
    )


def transfer_funds(  # noqa: PLR0913  (all keyword-only)
    *,
    card_number: str,
    pin: str | None,
    amount_won: int,
    credit_account_id: int,
    transfer_id: str,
    reference: str = "",
    tells_holder: bool = True,
) -> Transfer:
    """Pay ``amount_won`` from a card to a ledger account at once (no hold).

    Refuses a blocked, expired or locked card, a wrong PIN (counted), an amount over the
    card's limits or above what is available. Idempotent by ``transfer_id``. With
    ``tells_holder`` False no SMS is queued: the caller tells the holder whom they paid.
    """
    check_card_number(card_number)
    check_amount(amount_won)
    check_reference(reference)
    check_transfer_id(transfer_id)
    check_credit_account_id(credit_account_id)
    request = {
        "kind": "single",
        "card": card_number,
        "amount": amount_won,
        "credit": credit_account_id,
        "reference": reference,
    }
    debit = CardDebit(
        kind=TransferKind.SINGLE,
        card_number=card_number,
        pin=pin,
        amount_won=amount_won,
        credit_account_id=credit_account_id,
        transfer_id=transfer_id,
        reference=reference,
        timeout_seconds=None,
        tells_holder=tells_holder,
    )
    return debit_card(debit, request=request)


def transfer_between_accounts(
    *,
    debit_account_id: int,
    credit_account_id: int,
    amount_won: int,
    transfer_id: str,
    reference: str = "",
) -> Transfer:
    """Book a transfer between two non-card accounts (a fee, a settlement); idempotent by id.

    A card account is refused as the debit side: money leaves a card only with the card's
    authorisation (``transfer_funds``, ``hold_funds``, the chip, a QR approval).
    """
    check_amount(amount_won)
    check_reference(reference)
    check_transfer_id(transfer_id)
    if debit_account_id == credit_account_id:
        raise InvalidInput(
            "보내는 계정과 받는 계정이 같습니다.", field="credit_account"
        )
    request = {
        "kind": "book",
        "debit": debit_account_id,
        "credit": credit_account_id,
        "amount": amount_won,
        "reference": reference,
    }
    return raise_if_refused(
        _book_once(
            debit_account_id=debit_account_id,
            credit_account_id=credit_account_id,
            amount_won=amount_won,
            transfer_id=transfer_id,
            reference=reference,
            fingerprint=fingerprint_request(request),
        )
    )


@service_transaction(durable=False)
def _book_once(
    *,
    debit_account_id: int,
    credit_account_id: int,
    amount_won: int,
    transfer_id: str,
    reference: str,
    fingerprint: str,
) -> Transfer | DomainError:
    first = lock_and_find_first_outcome(transfer_id, fingerprint)
    if first is not None:
        return first
    try:
        # A savepoint: the credit may be applied before the debit refuses.
        with transaction.atomic():
            debit = get_ledger_account(debit_account_id)
            if debit.kind == LedgerAccountKind.SHOPPER:
                raise InvalidInput(
                    "카드 계정에서는 카드 승인 없이 보낼 수 없습니다.", field="debit"
                )
            credit = get_ledger_account(credit_account_id)
            move_balance(debit=debit, credit=credit, amount_won=amount_won)
            return write_transfer(
                fingerprint=fingerprint,
                transfer_id=transfer_id,
                kind=TransferKind.SINGLE,
                debit=debit,
                credit=credit,
                amount_won=amount_won,
                reference=reference,
            )
    except DomainError as error:
        record_refusal(transfer_id, fingerprint, error)
        return error


def get_ledger_account(account_id: int) -> LedgerAccount:
    account = LedgerAccount.objects.filter(pk=account_id).first()
    if account is None:
        raise InvalidInput("받는 계정이 없습니다.", field="credit_account")
    return account


def refund(
    *,
    original_transfer_id: str,
    amount_won: int,
    transfer_id: str,
    tells_holder: bool = True,
) -> Transfer:
    """Return ``amount_won`` of a captured or single transfer, as a new transfer the other way.

    All refunds of one transfer together never exceed it (OverRefundable). Idempotent by
    ``transfer_id``. ``tells_holder`` False: no SMS of this refund (the caller tells the
    holder once).
    """
    check_amount(amount_won)
    check_transfer_id(transfer_id)
    request = {"kind": "refund", "of": original_transfer_id, "amount": amount_won}
    return raise_if_refused(
        _refund_once(
            original_transfer_id=original_transfer_id,
            amount_won=amount_won,
            transfer_id=transfer_id,
            tells_holder=tells_holder,
            fingerprint=fingerprint_request(request),
        )
    )


@service_transaction(durable=False)
def _refund_once(
    *,
    original_transfer_id: str,
    amount_won: int,
    transfer_id: str,
    tells_holder: bool,
    fingerprint: str,
) -> Transfer | DomainError:
    first = lock_and_find_first_outcome(transfer_id, fingerprint)
    if first is not None:
        return first
    try:
        # A savepoint: the credit may be applied before the debit refuses.
        with transaction.atomic():
            original = _get_refundable_for_update(original_transfer_id)
            refunded = original.refunds.aggregate(total=Sum("amount_won"))["total"] or 0
            left = refundable_won(
                original_won=original.amount_won, refunded_won=refunded
            )
            if amount_won > left:
                raise OverRefundable(
                    f"환불 가능한 금액은 {left:,}원입니다.", refundable_won=left
                )
            debit, credit = original.credit_account, original.debit_account
            move_balance(debit=debit, credit=credit, amount_won=amount_won)
            return write_transfer(
                fingerprint=fingerprint,
                transfer_id=transfer_id,
                kind=TransferKind.REFUND,
                debit=debit,
                credit=credit,
                amount_won=amount_won,
                refund_of=original,
                reference=original.reference,
                tells_holder=tells_holder,
            )
    except DomainError as error:
        record_refusal(transfer_id, fingerprint, error)
        return error


def _get_refundable_for_update(original_transfer_id: str) -> Transfer:
    # Locking the original serialises concurrent refunds of it on PostgreSQL, so their sum is
    # checked against committed figures; SQLite serialises all writers anyway.
    original = (
        Transfer.objects.select_for_update()
        .select_related("debit_account", "credit_account")
        .filter(transfer_id=original_transfer_id, kind__in=REFUNDABLE_KINDS)
        .first()
    )
    if original is None:
        raise TransferNotFound("환불할 이체를 찾을 수 없습니다.")
    assert original.kind in BALANCE_MOVING_KINDS
    return original
