"""Exactly-once execution of state-changing requests (DESIGN.md invariant 2).

The record of a key is written in the same database transaction as the change it guards, so a
crash either keeps both or neither. A concurrent duplicate blocks on the unique index (PostgreSQL)
or on the write lock (SQLite) and then sees the first outcome.
"""

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from okryu.core import clock
from okryu.core.errors import IdempotencyKeyReused, InvalidInput
from okryu.core.middleware import has_control_characters
from okryu.core.models import IdempotencyRecord
from okryu.core.transactions import service_transaction

IDEMPOTENCY_KEY_LENGTH_MAX = 255


@dataclass(frozen=True)
class StoredOutcome:
    """What a request answered the first time: an HTTP-like status and a JSON body."""

    status_code: int
    body: Any
    is_replay: bool


def fingerprint_request(payload: Any) -> str:
    """Return a stable hash of a JSON-able request body (key order does not matter)."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def validate_key(key: str) -> str:
    """Return ``key`` stripped, or raise InvalidInput if it is empty, too long or holds a
    control character (a NUL would reach PostgreSQL, which refuses it with a 500)."""
    stripped = key.strip()
    if not stripped or len(stripped) > IDEMPOTENCY_KEY_LENGTH_MAX:
        raise InvalidInput(
            "Idempotency-Key must be 1 to 255 characters.", field="Idempotency-Key"
        )
    if has_control_characters(stripped):
        raise InvalidInput(
            "Idempotency-Key must not contain control characters.",
            field="Idempotency-Key",
        )
    return stripped


def find_outcome(*, scope: str, key: str, fingerprint: str) -> StoredOutcome | None:
    """Return the stored outcome of ``key`` in ``scope``, or None if it was never used.

    Raises IdempotencyKeyReused when the key was used with another fingerprint.
    """
    record = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
    if record is None:
        return None
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            "This idempotency key was already used with a different request."
        )
    return StoredOutcome(record.status_code, record.response_body, is_replay=True)


def run_once(
    *,
    scope: str,
    key: str,
    fingerprint: str,
    action: Callable[[], tuple[int, Any]],
) -> StoredOutcome:
    """Run ``action`` once for ``key`` and store its (status, body); replay it afterwards.

    ``action`` runs inside the same transaction as the record; if it raises, nothing is stored
    and the error propagates, so a refused request may be retried with the same key. Only
    successful outcomes (and refusals the action chooses to return as a status) are kept.
    On a busy SQLite the transaction, ``action`` included, runs again from the start, so
    ``action`` must only change the database.
    """
    key = validate_key(key)
    try:
        return _run_once_in_transaction(
            scope=scope, key=key, fingerprint=fingerprint, action=action
        )
    except IntegrityError:
        # A concurrent request with the same key committed first; its outcome is visible now.
        stored = find_outcome(scope=scope, key=key, fingerprint=fingerprint)
        if stored is not None:
            return stored
        raise


@service_transaction(durable=True)
def _run_once_in_transaction(
    *,
    scope: str,
    key: str,
    fingerprint: str,
    action: Callable[[], tuple[int, Any]],
) -> StoredOutcome:
    stored = find_outcome(scope=scope, key=key, fingerprint=fingerprint)
    if stored is not None:
        return stored
    status_code, body = action()
    store_outcome(
        scope=scope,
        key=key,
        fingerprint=fingerprint,
        status_code=status_code,
        body=body,
    )
    return StoredOutcome(status_code, body, is_replay=False)


def lock_idempotency_key(*, scope: str, key: str) -> None:
    """Make concurrent requests with one key wait here, in their transaction, for the first.

    The first commits its outcome; the others then find and replay it (``find_outcome``)
    instead of each reserving stock or moving money only to be rolled back. On PostgreSQL a
    transaction-scoped advisory lock on the key's hash; SQLite's immediate transaction
    already holds the only write lock.
    """
    assert transaction.get_connection().in_atomic_block
    if connection.vendor != "postgresql":
        return
    digest = hashlib.sha256(f"{scope}\n{key}".encode()).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)",
            [int.from_bytes(digest[:8], "big", signed=True)],
        )


def store_outcome(
    *, scope: str, key: str, fingerprint: str, status_code: int, body: Any
) -> None:
    """Record the outcome of ``key``; the caller's transaction holds the change it guards."""
    new_outcome_record(
        scope=scope,
        key=key,
        fingerprint=fingerprint,
        status_code=status_code,
        body=body,
    ).save(force_insert=True)


def store_committed_outcome(
    *, scope: str, key: str, fingerprint: str, status_code: int, body: Any
) -> None:
    """Record the outcome of a change its own durable service already committed.

    A concurrent repeat with the same key may have recorded the same outcome first: then
    that record stands, and this one is not needed.
    """
    # An IntegrityError is the concurrent repeat's record of the same outcome.
    with contextlib.suppress(IntegrityError):
        _store_outcome_alone(
            scope=scope,
            key=key,
            fingerprint=fingerprint,
            status_code=status_code,
            body=body,
        )


@service_transaction(durable=False)
def _store_outcome_alone(
    *, scope: str, key: str, fingerprint: str, status_code: int, body: Any
) -> None:
    store_outcome(
        scope=scope,
        key=key,
        fingerprint=fingerprint,
        status_code=status_code,
        body=body,
    )


def new_outcome_record(
    *, scope: str, key: str, fingerprint: str, status_code: int, body: Any
) -> IdempotencyRecord:
    """Return the record of ``key``'s outcome, not yet saved, for the change's transaction."""
    assert transaction.get_connection().in_atomic_block, (
        "store inside the change's transaction"
    )
    return IdempotencyRecord(
        scope=scope,
        key=key,
        fingerprint=fingerprint,
        status_code=status_code,
        response_body=body,
    )


def delete_expired_records() -> int:
    """Delete records older than ``OKRYU_IDEMPOTENCY_RETENTION_HOURS``; return how many.

    The API promises a key is kept at least 24 hours (docs/API.md); a system check refuses a
    shorter retention.
    """
    retention = dt.timedelta(hours=settings.OKRYU_IDEMPOTENCY_RETENTION_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(
        created_at__lt=clock.now() - retention
    ).delete()
    return deleted
