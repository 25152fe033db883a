"""Two-phase transfers: a hold reserves money on a card; it is later captured (fully or in
part), voided, or expired after its timeout — exactly once, whichever comes first.

Guarantees: a hold counts against the card's available money the moment it is written; it is
resolved at most once (a unique constraint on the resolving transfer's ``pending``, so even two
racing workers cannot both resolve it); a capture moves at most the held amount and releases
the rest; nothing is ever edited, each step is a new transfer.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

from okryu.core import clock
from okryu.core.errors import DomainError, InvalidInput
from okryu.core.idempotency import fingerprint_request
from okryu.core.transactions import raise_if_refused, service_transaction
from okryu.payments.cards import check_card_number
from okryu.payments.errors import (
    HoldExpired,
    HoldNotPending,
    OverHeldAmount,
    TransferNotFound,
)
from okryu.payments.ledger import sql
from okryu.payments.ledger.debits import (
    EXPIRE_HOLD_JOB,
    CardDebit,
    debit_card,
    hold_on_card_together,
)
from okryu.payments.ledger.engine import check_transfer_id, replay, replay_or_refuse
from okryu.payments.ledger.notices import card_sms_body
from okryu.payments.ledger.transfers import (
    check_amount,
    check_credit_account_id,
    check_reference,
    get_ledger_account,
)
from okryu.payments.models import Transfer, TransferKind

EXPIRE_BATCH_SIZE_MAX = 500
__all__ = ["EXPIRE_HOLD_JOB"]
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
    debit, request = _hold_debit(
        card_number=card_number,
        pin=pin,
        amount_won=amount_won,
        credit_account_id=credit_account_id,
        transfer_id=transfer_id,
        reference=reference,
        timeout_seconds=timeout_seconds,
    )
    return debit_card(debit, request=request)


@dataclass(frozen=True)
class HoldPart:
    """One of the holds ``hold_funds_together`` takes: amount, credit account, transfer id."""

    amount_won: int
    credit_account_id: int
    transfer_id: str


def hold_funds_together(
    *,
    card_number: str,
    parts: Sequence[HoldPart],
    reference: str = "",
    tells_holder: bool = True,
) -> list[Transfer]:
    """Hold every part on a card whose holder was already authorised (no PIN), or none.

    The transfers, SMS and expiry jobs of ``hold_funds`` called for each part in turn with
    ``pin=None`` and the default timeout, in one card lock, one UPDATE and one INSERT
    (``debits.hold_on_card_together``). In the caller's transaction, which must be open (a
    purchase's): a refusal holds nothing, is recorded for every part's transfer id and is
    raised; the same parts again return the first holds. With ``tells_holder`` False no SMS
    is queued per hold: the caller tells the holder of the whole purchase once.
    """
    assert parts, "at least one hold"
    assert len({part.transfer_id for part in parts}) == len(parts), "distinct ids"
    built = [
        _hold_debit(
            card_number=card_number,
            pin=None,
            amount_won=part.amount_won,
            credit_account_id=part.credit_account_id,
            transfer_id=part.transfer_id,
            reference=reference,
            timeout_seconds=None,
            tells_holder=tells_holder,
        )
        for part in parts
    ]
    return hold_on_card_together(
        [debit for debit, _request in built],
        requests=[request for _debit, request in built],
    )


def _hold_debit(  # noqa: PLR0913  (hold_funds' arguments)
    *,
    card_number: str,
    pin: str | None,
    amount_won: int,
    credit_account_id: int,
    transfer_id: str,
    reference: str,
    timeout_seconds: int | None,
    tells_holder: bool = True,
) -> tuple[CardDebit, dict[str, object]]:
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
    check_credit_account_id(credit_account_id)
    request = {
        "kind": "hold",
        "card": card_number,
        "amount": amount_won,
        "credit": credit_account_id,
        "reference": reference,
        "timeout": timeout_seconds,
    }
    debit = CardDebit(
        kind=TransferKind.HOLD,
        card_number=card_number,
        pin=pin,
        amount_won=amount_won,
        credit_account_id=credit_account_id,
        transfer_id=transfer_id,
        reference=reference,
        timeout_seconds=timeout_seconds,
        tells_holder=tells_holder,
    )
    return debit, request


@dataclass(frozen=True)
class _Resolution:
    """How a hold is resolved: by a capture (of ``captured_won``), a void or an expiry."""

    kind: TransferKind
    hold_transfer_id: str
    transfer_id: str
    fingerprint: str
    captured_won: int = 0
    # A capture's other credit account than the hold's own; None: the hold's.
    credit_account_id: int | None = None
    tells_holder: bool = True


def capture_hold(
    *,
    hold_transfer_id: str,
    amount_won: int,
    transfer_id: str,
    credit_account_id: int | None = None,
    tells_holder: bool = True,
) -> Transfer:
    """Capture ``amount_won`` of a pending hold and release the rest of it.

    ``tells_holder`` False: no SMS of this capture (the caller tells the holder once).

    The money goes to the hold's credit account, or to ``credit_account_id`` if given.
    Refuses a hold already resolved (HoldNotPending), past its timeout (HoldExpired), or an
    amount above the held one (OverHeldAmount). Idempotent by ``transfer_id``.
    """
    check_amount(amount_won)
    check_transfer_id(transfer_id)
    request = {
        "kind": "capture",
        "hold": hold_transfer_id,
        "amount": amount_won,
        "credit": credit_account_id,
    }
    resolution = _Resolution(
        kind=TransferKind.CAPTURE,
        hold_transfer_id=hold_transfer_id,
        transfer_id=transfer_id,
        fingerprint=fingerprint_request(request),
        captured_won=amount_won,
        credit_account_id=credit_account_id,
        tells_holder=tells_holder,
    )
    return raise_if_refused(_resolve_once(resolution, now=clock.now()))


def void_hold(
    *, hold_transfer_id: str, transfer_id: str, tells_holder: bool = True
) -> Transfer:
    """Release a pending hold entirely (order cancelled or rejected); idempotent by id.

    ``tells_holder`` False: no SMS of this release (the caller tells the holder once). A
    hold past its timeout may still be voided: the money is released either way.
    """
    check_transfer_id(transfer_id)
    request = {"kind": "void", "hold": hold_transfer_id}
    resolution = _Resolution(
        kind=TransferKind.VOID,
        hold_transfer_id=hold_transfer_id,
        transfer_id=transfer_id,
        fingerprint=fingerprint_request(request),
        tells_holder=tells_holder,
    )
    return raise_if_refused(_resolve_once(resolution, now=clock.now()))


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
    resolution = _Resolution(
        kind=TransferKind.EXPIRE,
        hold_transfer_id=hold_transfer_id,
        # Derived, so that every worker expiring this hold names the same transfer. Hold
        # ids are capped below the maximum length so the prefix always fits.
        transfer_id=f"expire:{hold_transfer_id}",
        fingerprint=fingerprint_request(request),
    )
    try:
        return raise_if_refused(_resolve_once(resolution, now=now))
    except HoldNotPending:
        return None  # Captured or voided between the read and the write.


@service_transaction(durable=False)
def _resolve_once(
    resolution: _Resolution, *, now: dt.datetime
) -> Transfer | DomainError:
    """Resolve the hold once for the resolution's transfer id, or return the refusal.

    The hold is read with whether the id was used (a repeat replays its first outcome);
    every refusal is known before the first write (``_resolve_hold``), so no savepoint.
    """
    transfer_id = resolution.transfer_id
    hold = sql.lock_and_read_hold(
        resolution.hold_transfer_id, now=now, transfer_id=transfer_id
    )
    if hold is not None and hold.transfer_id_is_used:
        return replay(transfer_id, resolution.fingerprint)
    try:
        credit_id = _check_resolution(hold, resolution)
        assert hold is not None
        return _resolve_hold(hold, resolution, credit_id)
    except DomainError as error:
        return replay_or_refuse(transfer_id, resolution.fingerprint, error)


def _check_resolution(hold: sql.HoldRow | None, resolution: _Resolution) -> int:
    """Raise the refusal of resolving ``hold`` so; return the account credited."""
    if hold is None:
        raise TransferNotFound("보류 이체를 찾을 수 없습니다.")
    if hold.resolved_as == TransferKind.EXPIRE:
        raise HoldExpired("보류 기간이 지나 취소되었습니다.")
    if hold.resolved_as is not None:
        raise HoldNotPending(
            "이미 확정되었거나 취소된 보류입니다.", resolved_as=hold.resolved_as
        )
    if resolution.kind != TransferKind.CAPTURE:
        return hold.credit_account_id
    if hold.is_past_timeout:
        raise HoldExpired("보류 기간이 지났습니다.")
    if resolution.captured_won > hold.amount_won:
        raise OverHeldAmount(
            f"보류된 금액은 {hold.amount_won:,}원입니다.", held_won=hold.amount_won
        )
    credit_id = hold.credit_account_id
    if resolution.credit_account_id is not None:
        credit_id = get_ledger_account(resolution.credit_account_id).pk
    if credit_id == hold.debit_account_id:
        raise InvalidInput(
            "보내는 계정과 받는 계정이 같습니다.", field="credit_account"
        )
    return credit_id


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


def _resolve_hold(
    hold: sql.HoldRow, resolution: _Resolution, credit_id: int
) -> Transfer:
    """Write the resolving transfer first, then release the hold and move what was captured.

    The resolving row goes first and is skipped (ON CONFLICT) when a concurrent resolution
    won, so a refusal has written nothing; nothing after it can refuse.
    """
    kind = resolution.kind
    captured_won = resolution.captured_won
    assert kind in (TransferKind.CAPTURE, TransferKind.VOID, TransferKind.EXPIRE)
    assert 0 <= captured_won <= hold.amount_won
    assert (captured_won > 0) == (kind == TransferKind.CAPTURE)
    transfer = Transfer(
        transfer_id=resolution.transfer_id,
        fingerprint=resolution.fingerprint,
        kind=kind,
        debit_account_id=hold.debit_account_id,
        credit_account_id=credit_id,
        amount_won=captured_won or hold.amount_won,
        pending_id=hold.pk,
        reference=hold.reference,
        created_at=clock.now(),
    )
    if not sql.insert_resolution(transfer):
        raise HoldNotPending("이미 확정되었거나 취소된 보류입니다.")
    # Primary-key order of the two rows, as everywhere in the ledger.
    if captured_won and credit_id < hold.debit_account_id:
        assert sql.credit_account(account_id=credit_id, amount_won=captured_won)
    debit = sql.release_hold(
        account_id=hold.debit_account_id,
        held_won=hold.amount_won,
        captured_won=captured_won,
    )
    assert debit.balance.held_won >= 0
    assert debit.balance.available_won >= 0 or debit.card_number is None
    if captured_won and credit_id > hold.debit_account_id:
        assert sql.credit_account(account_id=credit_id, amount_won=captured_won)
    if (
        resolution.tells_holder
        and debit.card_number is not None
        and debit.card_phone is not None
    ):
        body = card_sms_body(
            kind=kind,
            is_debit=True,
            card_number=debit.card_number,
            amount_won=transfer.amount_won,
            available_won=debit.balance.available_won,
        )
        if body is not None:
            sql.insert_sms([(debit.card_phone, body)], created_at=transfer.created_at)
    return transfer
