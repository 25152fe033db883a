"""Queue SMS messages in the outbox and send them through a gateway.

Delivery guarantee, and its trade-off: a message is queued in the transaction of the change it
reports, so it exists if and only if the change committed. A worker claims a batch under a
lease (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite the immediate transaction
serialises claims), commits the claim, sends, and marks each message sent in a second short
transaction. Two live workers never hold the same message, so no message is sent twice while
workers stay alive. A worker that dies after the gateway accepted a message but before it marked
it sent leaves the lease to run out, and the message is sent once more: over a crash the outbox
is at-least-once, bounded by ``OKRYU_SMS_ATTEMPTS_MAX``. A short lease would resend sooner; a long
one delays messages whose worker died. SMS gateways offer no idempotency key to close the gap.

Outages: a failed send waits before its next attempt, twice as long after each failure (20 s,
40 s, … at most ``OKRYU_SMS_RETRY_DELAY_SECONDS_MAX``), and a worker stops its batch at the first
failure: the messages it had not tried yet wait the same delay without spending an attempt. So a
gateway that is down for an hour costs each message a handful of attempts, not all of them in a
few seconds, and ``OKRYU_SMS_ATTEMPTS_MAX`` bounds how long a message is tried (about a day).
"""

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Min, Q
from django.db.models.functions import Coalesce

from okryu.core import clock
from okryu.core.queues import QueueState
from okryu.notifications.gateways import SmsGateway
from okryu.notifications.models import OutboxMessage, OutboxStatus
from okryu.notifications.secret_codes import (
    CODE_PLACEHOLDER,
    SecretCode,
    render_sms_body,
)

logger = logging.getLogger(__name__)

OUTBOX_BATCH_SIZE_MAX = 200
OUTBOX_LEASE_SECONDS = 60
# The first retry waits this long; each later one twice as long as the one before.
OUTBOX_RETRY_DELAY_SECONDS_MIN = 20


@dataclass(frozen=True)
class OutboxSendReport:
    """What one pass of the SMS worker did."""

    claimed: int
    sent: int
    failed: int


def queue_sms(
    *, phone: str, body: str, code: SecretCode | None = None
) -> OutboxMessage:
    """Queue one SMS in the caller's transaction; the worker sends it after commit.

    With ``code``, ``body`` holds ``CODE_PLACEHOLDER`` where the code goes: the row keeps the
    code's reference, never the code.
    """
    message = new_sms(phone=phone, body=body, code=code)
    message.save(force_insert=True)
    return message


def new_sms(*, phone: str, body: str, code: SecretCode | None = None) -> OutboxMessage:
    """Return one pending SMS, not yet saved, for a caller that inserts it with others."""
    assert phone, "an SMS needs a phone number"
    assert 0 < len(body) <= OutboxMessage.BODY_LENGTH_MAX, "SMS body length"
    assert (code is not None) == (CODE_PLACEHOLDER in body), (
        "a code has its placeholder"
    )
    return OutboxMessage(
        phone=phone, body=body, code_ref=code.ref if code is not None else ""
    )


def sms_insert_sql(
    messages: list[tuple[str, str]], *, created_at: Any, source: str | None
) -> tuple[str, list[Any]]:
    """Return one INSERT of pending SMS (phone, body) and its parameters, for a hot path.

    The same rows ``queue_sms`` writes, for callers that batch them with other writes (the
    ledger); ``created_at`` is already adapted for the database. With ``source``, the rows
    are selected from that table expression (a CTE), once per row it has.
    """
    assert messages
    table = OutboxMessage._meta.db_table
    from_source = f" FROM {source}" if source else ""
    selects: list[str] = []
    params: list[Any] = []
    for phone, body in messages:
        assert phone, "an SMS needs a phone number"
        assert 0 < len(body) <= OutboxMessage.BODY_LENGTH_MAX, "SMS body length"
        selects.append(f"SELECT %s, %s, %s, 0, '', %s{from_source}")
        params.extend([phone, body, OutboxStatus.PENDING.value, created_at])
    sql = (
        f"INSERT INTO {table} (phone, body, status, attempts, last_error, created_at) "
        + " UNION ALL ".join(selects)
    )
    return sql, params


def claim_messages(
    *, batch_size: int, lease_seconds: int = OUTBOX_LEASE_SECONDS
) -> list[OutboxMessage]:
    """Claim up to ``batch_size`` pending messages under a lease and commit the claim."""
    assert 1 <= batch_size <= OUTBOX_BATCH_SIZE_MAX
    now = clock.now()
    with transaction.atomic():
        pending = OutboxMessage.objects.filter(
            Q(locked_until__isnull=True) | Q(locked_until__lt=now),
            Q(send_after__isnull=True) | Q(send_after__lte=now),
            status=OutboxStatus.PENDING,
        ).order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        messages = list(pending[:batch_size])
        ids = [message.pk for message in messages]
        OutboxMessage.objects.filter(pk__in=ids).update(
            locked_until=now + dt.timedelta(seconds=lease_seconds),
            attempts=F("attempts") + 1,
        )
    for message in messages:
        message.attempts += 1
    return messages


def send_pending_sms(*, gateway: SmsGateway, batch_size: int) -> OutboxSendReport:
    """Send one batch of pending messages through ``gateway``; return the counts.

    The first failure ends the batch: the gateway is probably down, so the messages not tried
    yet are released to wait for the same delay, their attempt given back.
    """
    messages = claim_messages(batch_size=batch_size)
    sent = failed = 0
    for index, message in enumerate(messages):
        if _send_one(message, gateway):
            sent += 1
            continue
        failed += 1
        _release_untried(messages[index + 1 :], send_after=_retry_time(message))
        break
    return OutboxSendReport(claimed=len(messages), sent=sent, failed=failed)


def retry_delay_seconds(attempts: int) -> int:
    """Return how long a message that failed its ``attempts``-th send waits for the next one."""
    assert attempts >= 1
    delay_max = int(settings.OKRYU_SMS_RETRY_DELAY_SECONDS_MAX)
    # The exponent is capped first: attempts may be large, the number computed may not.
    doubled: int = OUTBOX_RETRY_DELAY_SECONDS_MIN * 2 ** min(attempts - 1, 20)
    return min(doubled, delay_max)


def _retry_time(message: OutboxMessage) -> dt.datetime:
    return clock.now() + dt.timedelta(seconds=retry_delay_seconds(message.attempts))


def _release_untried(messages: list[OutboxMessage], *, send_after: dt.datetime) -> None:
    if not messages:
        return
    OutboxMessage.objects.filter(
        pk__in=[message.pk for message in messages], status=OutboxStatus.PENDING
    ).update(locked_until=None, send_after=send_after, attempts=F("attempts") - 1)


def _send_one(message: OutboxMessage, gateway: SmsGateway) -> bool:
    try:
        body, secrets = render_sms_body(message.body, message.code_ref)
        if secrets:
            gateway.send(phone=message.phone, body=body, secrets=secrets)
        else:  # A gateway written before codes were masked takes no ``secrets``.
            gateway.send(phone=message.phone, body=body)
    # A gateway may fail in any way (network, provider); the message is retried, not lost.
    except Exception as error:  # noqa: BLE001
        logger.warning("SMS#%s not sent: %r", message.pk, error)
        gives_up = message.attempts >= settings.OKRYU_SMS_ATTEMPTS_MAX
        OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.PENDING).update(
            status=OutboxStatus.FAILED if gives_up else OutboxStatus.PENDING,
            locked_until=None,
            send_after=None if gives_up else _retry_time(message),
            last_error=repr(error)[:400],
        )
        return False
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.PENDING).update(
        status=OutboxStatus.SENT, sent_at=clock.now(), locked_until=None
    )
    return True


def delete_sent_messages() -> int:
    """Delete messages sent longer ago than ``OKRYU_SMS_RETENTION_DAYS``; return how many."""
    cutoff = clock.now() - dt.timedelta(days=settings.OKRYU_SMS_RETENTION_DAYS)
    deleted, _ = OutboxMessage.objects.filter(
        status=OutboxStatus.SENT, sent_at__lt=cutoff
    ).delete()
    return deleted


def queue_state() -> QueueState:
    """Return how many messages are due to be sent, and how long the oldest has waited.

    A message waiting out its back-off after a failure is not due yet; it is counted once its
    time comes, and waits from then.
    """
    now = clock.now()
    due = (
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
        .annotate(due_at=Coalesce("send_after", "created_at"))
        .filter(due_at__lte=now)
        .aggregate(waiting=Count("id"), oldest=Min("due_at"))
    )
    oldest = due["oldest"]
    return QueueState(
        waiting=due["waiting"],
        oldest_wait_seconds=(now - oldest).total_seconds() if oldest else 0.0,
    )
