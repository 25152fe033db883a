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

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import OperationalError, connection, transaction

from okryu.core.errors import DomainError, InvalidInput
from okryu.core.idempotency import fingerprint_request
from okryu.payments.errors import REFUSALS_BY_CODE, TransferIdReused, WrongPin
from okryu.payments.models import Transfer, TransferRefusal

REFUSAL_DETAIL_LENGTH_MAX = 300
SQLITE_BUSY_RETRIES_MAX = 5

T = TypeVar("T")


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
) -> Transfer:
    """Run ``post(fingerprint)`` once for ``transfer_id``; replay its first outcome after.

    ``authorise`` runs before the savepoint, so what it writes (a PIN attempt counter, a card
    blocked as cloned) is kept when it refuses. ``post`` runs inside the savepoint and writes
    the transfer and the balances.
    """
    check_transfer_id(transfer_id)
    fingerprint = fingerprint_request(request)
    return retry_when_sqlite_is_busy(
        lambda: _run_transfer_once(transfer_id, fingerprint, post, authorise)
    )


def retry_when_sqlite_is_busy(action: Callable[[], T]) -> T:
    """Run ``action``, again if SQLite's write lock stayed taken past the busy timeout.

    Only an outermost transaction is retried, and only on SQLite: it rolled back whole, so a
    new attempt starts clean. Several writers with a short busy timeout and a retry share
    SQLite fairly, where one long timeout let a writer starve (DESIGN.md, pitfalls).
    """
    connection = transaction.get_connection()
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return action()
    for _attempt in range(SQLITE_BUSY_RETRIES_MAX - 1):
        try:
            return action()
        except OperationalError as error:
            if "database is locked" not in str(error):
                raise
    return action()


def _run_transfer_once(
    transfer_id: str,
    fingerprint: str,
    post: Callable[[str], Transfer],
    authorise: Callable[[], None] | None,
) -> Transfer:
    refusal: DomainError
    with transaction.atomic():
        _lock_transfer_id(transfer_id)
        first = _find_first_outcome(transfer_id, fingerprint)
        if first is not None:
            return first
        try:
            if authorise is not None:
                authorise()
            with transaction.atomic():
                transfer = post(fingerprint)
        except DomainError as error:
            _record_refusal(transfer_id, fingerprint, error)
            refusal = error
        else:
            assert transfer.transfer_id == transfer_id
            return transfer
    raise refusal


def _lock_transfer_id(transfer_id: str) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite: the immediate transaction already holds the only write lock.
    digest = hashlib.sha256(transfer_id.encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _find_first_outcome(transfer_id: str, fingerprint: str) -> Transfer | None:
    transfer = Transfer.objects.filter(transfer_id=transfer_id).first()
    if transfer is not None:
        if transfer.fingerprint != fingerprint:
            raise TransferIdReused("이 이체 번호는 다른 이체에 이미 쓰였습니다.")
        return transfer
    refusal = TransferRefusal.objects.filter(transfer_id=transfer_id).first()
    if refusal is None:
        return None
    if refusal.fingerprint != fingerprint:
        raise TransferIdReused("이 이체 번호는 다른 이체에 이미 쓰였습니다.")
    raise _rebuild_refusal(refusal)


def _rebuild_refusal(refusal: TransferRefusal) -> DomainError:
    if refusal.code == WrongPin.code:
        return WrongPin(
            refusal.detail, attempts_left=int(refusal.extra["attempts_left"])
        )
    error_class = REFUSALS_BY_CODE.get(refusal.code, DomainError)
    return error_class(refusal.detail, **refusal.extra)


def _record_refusal(transfer_id: str, fingerprint: str, error: DomainError) -> None:
    TransferRefusal.objects.create(
        transfer_id=transfer_id,
        fingerprint=fingerprint,
        code=error.code,
        detail=error.detail[:REFUSAL_DETAIL_LENGTH_MAX],
        extra={key: value for key, value in error.extra.items() if _is_plain(value)},
    )


def _is_plain(value: object) -> bool:
    return isinstance(value, str | int | bool) or value is None
