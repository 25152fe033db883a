"""The demo's phone: the SMS sent to a number, as that phone would show them, codes in place.

The demo sends its SMS through the log gateway, which masks every code (ADR 13), so a demo
visitor could never read the code that confirms their phone or a delivery. With
``OKRYU_DEMO_PHONE`` on (the demo settings; production refuses it, okryu.E025) a page shows
a signed-in person the messages sent to their own numbers. Nothing new is stored: the code
is derived again from the outbox row's reference, as the gateway did when it sent it.
"""

import datetime as dt
from dataclasses import dataclass

from okryu.notifications.models import OutboxMessage, OutboxStatus
from okryu.notifications.secret_codes import render_sms_body

DEMO_PHONE_MESSAGES_MAX = 20


@dataclass(frozen=True)
class ReceivedSms:
    """One message as the phone shows it."""

    phone: str
    sent_at: dt.datetime
    body: str


def list_received_sms(*, phones: list[str], since: dt.datetime) -> list[ReceivedSms]:
    """Return the newest messages sent to ``phones`` since ``since``, newest first."""
    messages = OutboxMessage.objects.filter(
        phone__in=phones, status=OutboxStatus.SENT, sent_at__gte=since
    ).order_by("-sent_at", "-pk")[:DEMO_PHONE_MESSAGES_MAX]
    return [
        ReceivedSms(
            phone=message.phone,
            sent_at=message.sent_at,
            body=render_sms_body(message.body, message.code_ref)[0],
        )
        for message in messages
        if message.sent_at is not None
    ]
