"""Exactly once per transfer id: the first outcome, looked up, replayed and recorded.

A transfer id is supplied by the caller. The first attempt decides its outcome for ever: a
repeat with the same fields returns the first transfer, or raises the first refusal again;
a repeat with other fields is refused with ``transfer_id_reused``. Concurrent attempts with one
id are serialised by a transaction-scoped advisory lock on PostgreSQL and by the immediate
(whole-database) write transaction on SQLite.

Each ledger operation is a named service transaction that takes the id's lock, writes, and
returns either its transfer or its refusal as a value; the public function raises the
refusal after the transaction (``core.transactions.raise_if_refused``). A refusal leaves the
money as it was and commits a ``TransferRefusal`` row, so the id stays refused. Called inside
a caller's transaction, the refusal is part of that transaction and vanishes with it if the
caller rolls back: then the whole request never happened.
"""

from okryu.core.errors import DomainError, InvalidInput
from okryu.payments.errors import REFUSALS_BY_CODE, TransferIdReused, WrongPin
from okryu.payments.ledger import sql
from okryu.payments.models import Transfer, TransferRefusal

REFUSAL_DETAIL_LENGTH_MAX = 300


def check_transfer_id(transfer_id: object) -> None:
    """Raise InvalidInput unless ``transfer_id`` is 1 to 255 printable characters."""
    if (
        not isinstance(transfer_id, str)
        or not 0 < len(transfer_id) <= Transfer.TRANSFER_ID_LENGTH_MAX
        or not transfer_id.isprintable()
    ):
        raise InvalidInput("이체 번호는 1자에서 255자까지입니다.", field="transfer_id")


def lock_and_find_first_outcome(transfer_id: str, fingerprint: str) -> Transfer | None:
    """Take the id's lock, then return its first transfer, raise its first refusal, or None."""
    sql.lock_transfer_ids([transfer_id])
    return find_first_outcome(transfer_id, fingerprint)


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


def replay(transfer_id: str, fingerprint: str) -> Transfer:
    """Return the first transfer of an id known to be used, or raise its first refusal."""
    first = find_first_outcome(transfer_id, fingerprint)
    assert first is not None, "a used transfer id keeps its first outcome"
    return first


def replay_or_refuse(
    transfer_id: str, fingerprint: str, refusal: DomainError
) -> Transfer | DomainError:
    """Return the id's first outcome if it has one; else record ``refusal`` and return it.

    Called when an attempt refused: the id may have been used meanwhile (a concurrent attempt
    of the same id that committed while this one awaited its lock), and then that first
    outcome is the answer, not this refusal.
    """
    first = find_first_outcome(transfer_id, fingerprint)
    if first is not None:
        return first
    record_refusal(transfer_id, fingerprint, refusal)
    return refusal


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
