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
    OUTBOX_ATTEMPTS_MAX,
    OUTBOX_LEASE_SECONDS,
    claim_messages,
    queue_sms,
    send_pending_sms,
)


class FailingGateway:
    def send(self, *, phone, body):
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


@pytest.mark.django_db
def test_a_failed_send_is_retried_then_given_up():
    queue_sms(phone="010-1111-2222", body="재시도")

    for _ in range(OUTBOX_ATTEMPTS_MAX):
        send_pending_sms(gateway=FailingGateway(), batch_size=10)

    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == (
        OutboxStatus.FAILED,
        OUTBOX_ATTEMPTS_MAX,
    )
    assert "radio network down" in message.last_error
    assert send_pending_sms(gateway=RecordingGateway(), batch_size=10).claimed == 0


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
