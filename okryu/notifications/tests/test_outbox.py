import datetime as dt
import io
import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction

from okryu.core import clock
from okryu.notifications.gateways import RecordingGateway
from okryu.notifications.models import OutboxMessage, OutboxStatus
from okryu.notifications.outbox import (
    OUTBOX_LEASE_SECONDS,
    claim_messages,
    delete_sent_messages,
    queue_sms,
    retry_delay_seconds,
    send_pending_sms,
)


class FailingGateway:
    def send(self, *, phone, body, secrets=()):
        message = "radio network down"
        raise ConnectionError(message)


@pytest.mark.django_db
def test_a_queued_message_is_sent_once_and_marked_sent():
    queue_sms(phone="010-1111-2222", body="[옥류] 안녕하십니까")
    gateway = RecordingGateway()

    first = send_pending_sms(gateway=gateway, batch_size=10)
    second = send_pending_sms(gateway=gateway, batch_size=10)

    assert [(sms.phone, sms.body) for sms in gateway.sent] == [
        ("010-1111-2222", "[옥류] 안녕하십니까")
    ]
    assert (first.sent, second.claimed) == (1, 0)
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT


@pytest.mark.django_db
def test_a_message_queued_in_a_rolled_back_transaction_does_not_exist():
    def change_that_fails() -> None:
        with transaction.atomic():
            queue_sms(phone="010-1111-2222", body="잃어버린 소식")
            message = "the change failed"
            raise RuntimeError(message)

    with pytest.raises(RuntimeError):
        change_that_fails()

    assert OutboxMessage.objects.count() == 0


class GatewayDownUntil:
    """A gateway whose network is down until ``back_at`` on the project's clock."""

    def __init__(self, back_at: dt.datetime) -> None:
        self.back_at = back_at
        self.refused = 0
        self.sent: list[str] = []

    def send(self, *, phone, body, secrets=()):
        if clock.now() < self.back_at:
            self.refused += 1
            message = "gateway unreachable"
            raise ConnectionError(message)
        self.sent.append(body)


@pytest.mark.django_db
def test_a_failed_send_is_retried_later_with_a_growing_delay_then_given_up(settings):
    settings.OKRYU_SMS_ATTEMPTS_MAX = 3
    queue_sms(phone="010-1111-2222", body="재시도")
    start = clock.now()

    with time_machine.travel(start, tick=False) as traveller:
        first = send_pending_sms(gateway=FailingGateway(), batch_size=10)
        retried_at_once = send_pending_sms(gateway=FailingGateway(), batch_size=10)
        traveller.shift(retry_delay_seconds(1))
        second = send_pending_sms(gateway=FailingGateway(), batch_size=10)
        traveller.shift(retry_delay_seconds(1))
        too_soon = send_pending_sms(gateway=FailingGateway(), batch_size=10)
        traveller.shift(retry_delay_seconds(2) - retry_delay_seconds(1))
        third = send_pending_sms(gateway=FailingGateway(), batch_size=10)

    assert (first.failed, retried_at_once.claimed, second.failed) == (1, 0, 1)
    assert (too_soon.claimed, third.failed) == (0, 1)
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, 3)
    assert "radio network down" in message.last_error
    assert send_pending_sms(gateway=RecordingGateway(), batch_size=10).claimed == 0


def test_the_delay_doubles_after_each_failure_up_to_the_ceiling(settings):
    settings.OKRYU_SMS_RETRY_DELAY_SECONDS_MAX = 3600

    delays = [retry_delay_seconds(attempts) for attempts in (1, 2, 3, 8, 9, 30, 1000)]

    assert delays == [20, 40, 80, 2560, 3600, 3600, 3600]


@pytest.mark.django_db
def test_a_gateway_down_for_ten_minutes_loses_no_message_and_sends_each_once_when_back():
    bodies = [f"[옥류] 배달 확인 번호 {index:04d}" for index in range(30)]
    for body in bodies:
        queue_sms(phone="010-1111-2222", body=body)
    start = clock.now()
    gateway = GatewayDownUntil(start + dt.timedelta(minutes=10))

    # A worker polls every second (as `send_sms` does) for 25 minutes of the project's clock.
    with time_machine.travel(start, tick=False) as traveller:
        for _second in range(25 * 60):
            send_pending_sms(gateway=gateway, batch_size=10)
            traveller.shift(1)

    assert sorted(gateway.sent) == sorted(bodies)
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == len(bodies)
    # Backing off, the worker knocked on the closed gateway a few times per batch of 10 (20 s,
    # 40 s, … 320 s apart), not every second, and no message came near its last attempt.
    assert gateway.refused <= 3 * 6
    assert max(OutboxMessage.objects.values_list("attempts", flat=True)) <= 7


@pytest.mark.django_db
def test_a_failure_ends_the_batch_and_the_untried_messages_keep_their_attempts():
    for index in range(5):
        queue_sms(phone="010-1111-2222", body=f"소식 {index}")

    report = send_pending_sms(gateway=FailingGateway(), batch_size=10)

    assert (report.claimed, report.failed) == (5, 1)
    attempts = list(
        OutboxMessage.objects.order_by("id").values_list("attempts", flat=True)
    )
    assert attempts == [1, 0, 0, 0, 0]
    assert OutboxMessage.objects.filter(send_after__isnull=True).count() == 0
    assert send_pending_sms(gateway=RecordingGateway(), batch_size=10).claimed == 0


@pytest.mark.django_db
def test_sent_messages_are_purged_after_their_retention_and_others_are_kept(settings):
    settings.OKRYU_SMS_RETENTION_DAYS = 30
    long_ago = clock.now() - dt.timedelta(days=31)
    with time_machine.travel(long_ago, tick=False):
        old_sent = queue_sms(phone="010-1111-2222", body="옛 소식")
        queue_sms(phone="010-1111-2222", body="아직 못 보낸 옛 소식")
        send_pending_sms(gateway=RecordingGateway(), batch_size=1)
    recent = queue_sms(phone="010-1111-2222", body="새 소식")
    send_pending_sms(gateway=RecordingGateway(), batch_size=10)

    assert delete_sent_messages() == 1

    remaining = set(OutboxMessage.objects.values_list("body", flat=True))
    assert remaining == {"아직 못 보낸 옛 소식", "새 소식"}
    assert not OutboxMessage.objects.filter(pk=old_sent.pk).exists()
    assert OutboxMessage.objects.get(pk=recent.pk).status == OutboxStatus.SENT


@pytest.mark.django_db
def test_a_message_claimed_by_a_worker_that_died_is_claimed_again_after_the_lease():
    queue_sms(phone="010-1111-2222", body="죽은 일꾼")
    assert len(claim_messages(batch_size=10)) == 1  # The worker dies here.

    assert claim_messages(batch_size=10) == []
    later = clock.now() + dt.timedelta(seconds=OUTBOX_LEASE_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        gateway = RecordingGateway()
        report = send_pending_sms(gateway=gateway, batch_size=10)

    assert (report.sent, len(gateway.sent)) == (1, 1)
    assert OutboxMessage.objects.get().attempts == 2


@pytest.mark.stress
@pytest.mark.django_db(transaction=True)
def test_eight_workers_at_once_send_each_message_exactly_once():
    for index in range(60):
        queue_sms(phone="010-1111-2222", body=f"소식 {index}")
    gateway = RecordingGateway()

    def work(_index):
        try:
            while send_pending_sms(gateway=gateway, batch_size=5).claimed:
                pass
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(work, range(8)))

    bodies = sorted(sms.body for sms in gateway.sent)
    assert bodies == sorted(f"소식 {index}" for index in range(60))
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 60


@pytest.mark.django_db
def test_the_send_sms_command_sends_through_the_log_gateway(caplog):
    caplog.set_level(logging.INFO, logger="okryu.notifications.gateways")
    queue_sms(phone="010-3333-4444", body="로그로 보냄")
    output = io.StringIO()

    call_command("send_sms", "--once", stdout=output)

    assert "SMS to 010-3333-4444: 로그로 보냄" in caplog.text
    assert "1 sent" in output.getvalue()
