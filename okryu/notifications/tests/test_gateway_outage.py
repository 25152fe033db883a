"""An SMS service down for ten minutes, seen from the `send_sms` workers the cluster runs.

The whole way a message goes in production: queued in the outbox, claimed by one of two
`send_sms` workers (the command itself, once per second each, on a simulated clock), rendered
with its code, posted by the http gateway to a stand-in SMS service on loopback that answers
503 for ten minutes and accepts everything after.
"""

import datetime as dt
import io
import json
import math
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Min
from django.db.models.functions import Coalesce
from typing_extensions import override

from okryu.core import clock
from okryu.notifications import secret_codes
from okryu.notifications.models import OutboxMessage, OutboxStatus
from okryu.notifications.outbox import queue_sms
from okryu.notifications.secret_codes import CODE_PLACEHOLDER, new_secret_code

OUTAGE = dt.timedelta(minutes=10)
WORKERS = 2
PURPOSE = "outage_test"
# Seconds into the outage at which five more messages are queued.
QUEUED_DURING_OUTAGE = (90, 300, 599)


class SmsService(BaseHTTPRequestHandler):
    """A stand-in SMS service: 503 until ``back_at`` on the project's clock, then 202."""

    # Set by the test when its clock starts.

    back_at: dt.datetime
    refused: list[dt.datetime]
    accepted: list[dict[str, str]]

    def do_POST(self) -> None:
        message = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        now = clock.now()
        if now < self.back_at:
            self.refused.append(now)
            self.send_response(503)
        else:
            self.accepted.append(message)
            self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    @override
    def log_message(self, format, *args) -> None:
        """Keep the test's output quiet."""


@pytest.fixture
def sms_service(settings) -> Iterator[type[SmsService]]:
    handler = type(
        "Handler",
        (SmsService,),
        {"back_at": clock.now(), "refused": [], "accepted": []},
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.OKRYU_SMS_GATEWAY = "http"
    settings.OKRYU_SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    try:
        yield handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def codes(monkeypatch) -> None:
    """A code purpose of the test's own, under a fixed key."""
    monkeypatch.setitem(
        secret_codes._keys,  # The registry, as an app's ready() fills it.
        PURPOSE,
        (lambda _version: b"outage-test-key-" * 2, lambda: 1),
    )


def _queue(index: int, expected: list[str]) -> None:
    """Queue a delivery code's SMS; remember the text the phone must receive."""
    code = new_secret_code(PURPOSE, digits=4)
    queue_sms(
        phone=f"010-2000-{index:04d}",
        body=f"[옥류] {index}번 주문 배달 확인 번호 {CODE_PLACEHOLDER}",
        code=code,
    )
    expected.append(f"[옥류] {index}번 주문 배달 확인 번호 {code.reveal()}")


def _seconds_until_a_message_is_due(elapsed: int) -> int | None:
    """Return 1 while a message is due, else the wait for the next one to be due or queued;
    None when nothing is left to send or queue."""
    now = clock.now()
    due = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).aggregate(
        next_at=Min(Coalesce("send_after", "created_at"))
    )["next_at"]
    waits = [moment - elapsed for moment in QUEUED_DURING_OUTAGE if moment > elapsed]
    if due is not None:
        waits.append(math.ceil((due - now).total_seconds()))
    return max(1, min(waits)) if waits else None


@pytest.mark.django_db
def test_a_gateway_down_for_ten_minutes_loses_no_message_and_each_is_sent_once_after(
    sms_service, codes
):
    expected: list[str] = []
    for index in range(25):
        _queue(index, expected)
    start = clock.now()
    sms_service.back_at = start + OUTAGE

    # Both workers poll every second for half an hour; more codes are queued during the
    # outage. A second in which no message is due is skipped: both workers would find nothing.
    with time_machine.travel(start, tick=False) as traveller:
        elapsed = 0
        while elapsed < 30 * 60:
            if elapsed in QUEUED_DURING_OUTAGE:
                for index in range(len(expected), len(expected) + 5):
                    _queue(index, expected)
            for _worker in range(WORKERS):
                call_command(
                    "send_sms", "--once", "--batch-size", "10", stdout=io.StringIO()
                )
            step = _seconds_until_a_message_is_due(elapsed)
            if step is None:
                break
            traveller.shift(step)
            elapsed += step

    received = sorted(message["body"] for message in sms_service.accepted)
    assert received == sorted(expected), "every message arrived, exactly once"
    sent_at = [
        message.sent_at
        for message in OutboxMessage.objects.filter(status=OutboxStatus.SENT)
        if message.sent_at is not None and message.sent_at >= start + OUTAGE
    ]
    assert len(sent_at) == OutboxMessage.objects.count() == len(expected)
    # Backing off (20 s, 40 s, … apart, and one request per batch while it fails), the
    # workers knocked on the closed service a score of times in ten minutes, not 2 × 600,
    # and no message came near its last attempt (OKRYU_SMS_ATTEMPTS_MAX, 30).
    assert len(sms_service.refused) <= 40
    assert max(OutboxMessage.objects.values_list("attempts", flat=True)) <= 7
