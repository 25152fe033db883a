"""Two-phase transfers: a hold reserves money on a card; it is later captured (fully or in
part), voided, or expired after its timeout — exactly once, whichever comes first.

Guarantees: a hold counts against the card's available money the moment it is written; it is
resolved at most once (a unique constraint on the resolving transfer's ``pending``, so even two
racing workers cannot both resolve it); a capture moves at most the held amount and releases
the rest; nothing is ever edited, each step is a new transfer.
"""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction

from okryu.core import clock
from okryu.core.errors import InvalidInput
from okryu.core.jobs import enqueue_job
from okryu.payments.cards import (
    authorise_card_debit,
    check_card_number,
    get_card_for_update,
)
from okryu.payments.errors import (
    HoldExpired,
    HoldNotPending,
    OverHeldAmount,
    TransferNotFound,
)
from okryu.payments.ledger.accounts import reserve_balance, settle_reserved_balance
from okryu.payments.ledger.engine import check_transfer_id, run_transfer
from okryu.payments.ledger.transfers import (
    announce_transfer,
    check_amount,
    check_reference,
    get_ledger_account,
    insert_transfer,
    write_transfer,
)
from okryu.payments.models import Card, LedgerAccount, Transfer, TransferKind

EXPIRE_BATCH_SIZE_MAX = 500
EXPIRE_HOLD_JOB = "payments.expire_hold"
HOLD_TRANSFER_ID_LENGTH_MAX = 200


def hold_funds(  # noqa: PLR0913  (the seventh argument, the timeout, is optional)
    *,
    card_number: str,
    pin: str | None,
    amount_won: int,
    credit_account_id: int,
    transfer_id: str,
    reference: str = "",
    timeout_seconds: int | None = None,
) -> Transfer:
    """Reserve ``amount_won`` on a card for a later capture into ``credit_account_id``.

    Refuses like ``transfer_funds``. The hold expires after ``timeout_seconds`` (the setting
    ``OKRYU_HOLD_TIMEOUT_SECONDS`` by default); an expiry job is queued with it. Idempotent by
    ``transfer_id``. Joins the caller's transaction (plain ``atomic``).
    """
    if timeout_seconds is None:
        timeout_seconds = settings.OKRYU_HOLD_TIMEOUT_SECONDS
    check_card_number(card_number)
    check_amount(amount_won)
    check_reference(reference)
    check_transfer_id(transfer_id)
    if len(transfer_id) > HOLD_TRANSFER_ID_LENGTH_MAX:
        raise InvalidInput("보류 이체 번호는 200자까지입니다.", field="transfer_id")
    if (
        type(timeout_seconds) is not int
        or not 0 < timeout_seconds <= settings.OKRYU_HOLD_TIMEOUT_SECONDS_MAX
    ):
        raise InvalidInput("보류 기간이 올바르지 않습니다.", field="timeout_seconds")
    request = {
        "kind": "hold",
        "card": card_number,
        "amount": amount_won,
        "credit": credit_account_id,
        "reference": reference,
        "timeout": timeout_seconds,
    }
    cards: list[Card] = []

    def authorise() -> None:
        cards.append(get_card_for_update(card_number))
        authorise_card_debit(cards[0], pin=pin, amount_won=amount_won)

    def post(fingerprint: str) -> Transfer:
        credit = get_ledger_account(credit_account_id)
        reserve_balance(account=cards[0].ledger_account, amount_won=amount_won)
        timeout_at = clock.now() + dt.timedelta(seconds=timeout_seconds)
        enqueue_job(
            kind=EXPIRE_HOLD_JOB, payload={"hold": transfer_id}, run_at=timeout_at
        )
        return write_transfer(
            fingerprint=fingerprint,
            transfer_id=transfer_id,
            kind=TransferKind.HOLD,
            debit=cards[0].ledger_account,
            credit=credit,
            amount_won=amount_won,
            reference=reference,
            timeout_at=timeout_at,
        )

    return run_transfer(
        transfer_id=transfer_id, request=request, post=post, authorise=authorise
    )


def capture_hold(
    *,
    hold_transfer_id: str,
    amount_won: int,
    transfer_id: str,
    credit_account_id: int | None = None,
) -> Transfer:
    """Capture ``amount_won`` of a pending hold and release the rest of it.

    The money goes to the hold's credit account, or to ``credit_account_id`` if given.
    Refuses a hold already resolved (HoldNotPending), past its timeout (HoldExpired), or an
    amount above the held one (OverHeldAmount). Idempotent by ``transfer_id``.
    """
    check_amount(amount_won)
    request = {
        "kind": "capture",
        "hold": hold_transfer_id,
        "amount": amount_won,
        "credit": credit_account_id,
    }

    def post(fingerprint: str) -> Transfer:
        hold = _get_pending_hold(hold_transfer_id, now=clock.now())
        if amount_won > hold.amount_won:
            raise OverHeldAmount(
                f"보류된 금액은 {hold.amount_won:,}원입니다.", held_won=hold.amount_won
            )
        credit = (
            get_ledger_account(credit_account_id)
            if credit_account_id is not None
            else hold.credit_account
        )
        return _resolve_hold(
            hold, fingerprint, transfer_id, TransferKind.CAPTURE, amount_won, credit
        )

    return run_transfer(transfer_id=transfer_id, request=request, post=post)


def void_hold(*, hold_transfer_id: str, transfer_id: str) -> Transfer:
    """Release a pending hold entirely (order cancelled or rejected); idempotent by id."""
    request = {"kind": "void", "hold": hold_transfer_id}

    def post(fingerprint: str) -> Transfer:
        # A hold past its timeout may still be voided: the money is released either way.
        hold = _get_pending_hold(hold_transfer_id, now=None)
        return _resolve_hold(
            hold, fingerprint, transfer_id, TransferKind.VOID, 0, hold.credit_account
        )

    return run_transfer(transfer_id=transfer_id, request=request, post=post)


def expire_hold(*, hold_transfer_id: str, now: dt.datetime) -> Transfer | None:
    """Expire one hold whose timeout has passed; None if it is not due or already resolved.

    The expiry's transfer id is derived from the hold's, so running it twice is harmless.
    """
    hold = Transfer.objects.filter(
        transfer_id=hold_transfer_id, kind=TransferKind.HOLD
    ).first()
    if hold is None or hold.timeout_at is None or hold.timeout_at > now:
        return None
    if Transfer.objects.filter(pending=hold).exists():
        return None
    request = {"kind": "expire", "hold": hold_transfer_id}
    # Derived, so that every worker expiring this hold names the same transfer. Hold ids are
    # capped below the maximum length so the prefix always fits.
    expiry_id = f"expire:{hold_transfer_id}"

    def post(fingerprint: str) -> Transfer:
        pending = _get_pending_hold(hold_transfer_id, now=None)
        return _resolve_hold(
            pending,
            fingerprint,
            expiry_id,
            TransferKind.EXPIRE,
            0,
            pending.credit_account,
        )

    try:
        return run_transfer(transfer_id=expiry_id, request=request, post=post)
    except HoldNotPending:
        return None  # Captured or voided between the read and the write.


def expire_holds(*, now: dt.datetime, limit: int = EXPIRE_BATCH_SIZE_MAX) -> int:
    """Expire up to ``limit`` holds past their timeout; return how many were expired."""
    assert 0 < limit <= EXPIRE_BATCH_SIZE_MAX
    due = (
        Transfer.objects.filter(kind=TransferKind.HOLD, timeout_at__lte=now)
        .exclude(
            pk__in=Transfer.objects.filter(pending__isnull=False).values("pending")
        )
        .order_by("timeout_at")
        .values_list("transfer_id", flat=True)[:limit]
    )
    expired = [expire_hold(hold_transfer_id=hold_id, now=now) for hold_id in list(due)]
    return sum(1 for transfer in expired if transfer is not None)


def _get_pending_hold(hold_transfer_id: str, *, now: dt.datetime | None) -> Transfer:
    hold = (
        Transfer.objects.select_related("debit_account", "credit_account")
        .filter(transfer_id=hold_transfer_id, kind=TransferKind.HOLD)
        .first()
    )
    if hold is None:
        raise TransferNotFound("보류 이체를 찾을 수 없습니다.")
    resolution = (
        Transfer.objects.filter(pending=hold).values_list("kind", flat=True).first()
    )
    if resolution == TransferKind.EXPIRE:
        raise HoldExpired("보류 기간이 지나 취소되었습니다.")
    if resolution is not None:
        raise HoldNotPending(
            "이미 확정되었거나 취소된 보류입니다.", resolved_as=resolution
        )
    assert hold.timeout_at is not None
    if now is not None and hold.timeout_at <= now:
        raise HoldExpired("보류 기간이 지났습니다.")
    return hold


def _resolve_hold(
    hold: Transfer,
    fingerprint: str,
    transfer_id: str,
    kind: TransferKind,
    captured_won: int,
    credit: LedgerAccount,
) -> Transfer:
    assert kind in (TransferKind.CAPTURE, TransferKind.VOID, TransferKind.EXPIRE)
    try:
        # The resolving row goes first: if a concurrent resolution won, the unique constraint
        # refuses this one before any balance moves.
        with transaction.atomic():
            transfer = insert_transfer(
                fingerprint=fingerprint,
                transfer_id=transfer_id,
                kind=kind,
                debit=hold.debit_account,
                credit=credit,
                amount_won=captured_won or hold.amount_won,
                pending=hold,
                reference=hold.reference,
            )
    except IntegrityError as error:
        raise HoldNotPending("이미 확정되었거나 취소된 보류입니다.") from error
    settle_reserved_balance(
        debit=hold.debit_account,
        credit=transfer.credit_account,
        held_won=hold.amount_won,
        captured_won=captured_won,
    )
    return announce_transfer(transfer)
