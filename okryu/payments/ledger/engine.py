"""The exactly-once frame every transfer runs in.

A transfer id is supplied by the caller. The first attempt decides its outcome for ever: a
repeat with the same fields returns the first transfer, or raises the first refusal again;
a repeat with other fields is refused with ``transfer_id_reused``. Concurrent attempts with one
id are serialised by a transaction-scoped advisory lock on PostgreSQL and by the immediate
(whole-database) write transaction on SQLite.

A refusal rolls the money back to a savepoint but commits a ``TransferRefusal`` row, so the id
stays refused. Called inside a caller's transaction, the refusal is part of that transaction and
vanishes with it if the caller rolls back: then the whole request never happened.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction

from okryu.core.errors import DomainError, InvalidInput
from okryu.core.idempotency import fingerprint_request
from okryu.core.transactions import retry_when_sqlite_is_busy
from okryu.payments.errors import REFUSALS_BY_CODE, TransferIdReused, WrongPin
from okryu.payments.ledger import sql
from okryu.payments.models import Transfer, TransferRefusal

REFUSAL_DETAIL_LENGTH_MAX = 300

T = TypeVar("T")


class TransferIdUsed(Exception):
    """Raised by a ``post`` that found its transfer id already used, before any write."""


def check_transfer_id(transfer_id: object) -> None:
    """Raise InvalidInput unless ``transfer_id`` is 1 to 255 printable characters."""
    if (
        not isinstance(transfer_id, str)
        or not 0 < len(transfer_id) <= Transfer.TRANSFER_ID_LENGTH_MAX
        or not transfer_id.isprintable()
    ):
        raise InvalidInput("이체 번호는 1자에서 255자까지입니다.", field="transfer_id")


def run_transfer(
    *,
    transfer_id: str,
    request: dict[str, Any],
    post: Callable[[str], Transfer],
    authorise: Callable[[], None] | None = None,
    savepoint: bool = True,
    look_up_first: bool = True,
) -> Transfer:
    """Run ``post(fingerprint)`` once for ``transfer_id``; replay its first outcome after.

    ``authorise`` runs before the savepoint, so what it writes (a PIN attempt counter, a card
    blocked as cloned) is kept when it refuses. ``post`` runs inside the savepoint and writes
    the transfer and the balances. A ``post`` that raises its refusals before it writes
    anything (or undoes what it wrote) passes ``savepoint=False`` and saves two statements.
    A ``post`` that itself locks the id (PostgreSQL), checks that the id is new before it
    writes, and raises TransferIdUsed when it is not, passes ``look_up_first=False``: the
    first outcome is then looked up only when ``post`` refuses.
    """
    check_transfer_id(transfer_id)
    fingerprint = fingerprint_request(request)
    return retry_when_sqlite_is_busy(
        lambda: _run_transfer_once(
            transfer_id,
            fingerprint,
            post,
            authorise,
            savepoint=savepoint,
            look_up_first=look_up_first,
        )
    )


def _run_transfer_once(
    transfer_id: str,
    fingerprint: str,
    post: Callable[[str], Transfer],
    authorise: Callable[[], None] | None,
    *,
    savepoint: bool,
    look_up_first: bool,
) -> Transfer:
    refusal: DomainError
    with transaction.atomic():
        if look_up_first:
            sql.lock_transfer_id(transfer_id)
            first = find_first_outcome(transfer_id, fingerprint)
            if first is not None:
                return first
        try:
            if authorise is not None:
                authorise()
            if savepoint:
                with transaction.atomic():
                    transfer = post(fingerprint)
            else:
                transfer = post(fingerprint)
        except TransferIdUsed:
            first = find_first_outcome(transfer_id, fingerprint)
            assert first is not None, "a used id always has its first outcome"
            return first
        except DomainError as error:
            if not look_up_first:
                first = find_first_outcome(transfer_id, fingerprint)
                if first is not None:
                    return first
            record_refusal(transfer_id, fingerprint, error)
            refusal = error
        else:
            assert transfer.transfer_id == transfer_id
            return transfer
    raise refusal


def find_first_outcome(transfer_id: str, fingerprint: str) -> Transfer | None:
    """Return the first transfer of ``transfer_id``, raise its first refusal, or None if new.

    A different ``fingerprint`` raises TransferIdReused. One indexed statement when the id is
    new (the common case); a replay then reads its row.
    """
    first = sql.find_first_outcome(transfer_id)
    if first is None:
        return None
    if first.fingerprint != fingerprint:
        raise TransferIdReused("이 이체 번호는 다른 이체에 이미 쓰였습니다.")
    if first.is_refusal:
        raise _rebuild_refusal(TransferRefusal.objects.get(pk=first.pk))
    return Transfer.objects.get(pk=first.pk)


def _rebuild_refusal(refusal: TransferRefusal) -> DomainError:
    if refusal.code == WrongPin.code:
        return WrongPin(
            refusal.detail, attempts_left=int(refusal.extra["attempts_left"])
        )
    error_class = REFUSALS_BY_CODE.get(refusal.code, DomainError)
    return error_class(refusal.detail, **refusal.extra)


def record_refusal(transfer_id: str, fingerprint: str, error: DomainError) -> None:
    """Keep the refusal of ``transfer_id`` for ever, in the caller's transaction."""
    TransferRefusal.objects.create(
        transfer_id=transfer_id,
        fingerprint=fingerprint,
        code=error.code,
        detail=error.detail[:REFUSAL_DETAIL_LENGTH_MAX],
        extra={key: value for key, value in error.extra.items() if _is_plain(value)},
    )


def _is_plain(value: object) -> bool:
    return isinstance(value, str | int | bool) or value is None
