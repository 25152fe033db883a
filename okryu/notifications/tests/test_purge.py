import datetime as dt
import io

import pytest
import time_machine
from django.core.checks import run_checks
from django.core.management import call_command
from django.db import transaction

from okryu.core import clock
from okryu.core.idempotency import delete_expired_records, store_outcome
from okryu.core.jobs import delete_finished_jobs, enqueue_job, run_due_jobs
from okryu.core.models import BackgroundJob, BackgroundJobStatus, IdempotencyRecord
from okryu.core.purge import PurgeSchedule, run_purges
from okryu.notifications.gateways import RecordingGateway
from okryu.notifications.models import OutboxMessage
from okryu.notifications.outbox import queue_sms, send_pending_sms

KIND = "payments.expire_hold"


def _store_key(key: str) -> None:
    with transaction.atomic():
        store_outcome(scope="test", key=key, fingerprint="f", status_code=201, body={})


def _fail(_payload: object) -> None:
    message = "boom"
    raise ValueError(message)


@pytest.mark.django_db
def test_idempotency_records_are_kept_for_their_promised_lifetime_then_purged(settings):
    settings.OKRYU_IDEMPOTENCY_RETENTION_HOURS = 48
    start = clock.now()
    with time_machine.travel(start, tick=False):
        _store_key("old")
    with time_machine.travel(start + dt.timedelta(hours=47), tick=False):
        _store_key("recent")
        assert delete_expired_records() == 0
    with time_machine.travel(start + dt.timedelta(hours=49), tick=False):
        assert delete_expired_records() == 1

    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["recent"]


def test_a_retention_shorter_than_the_api_promises_is_refused_at_start(settings):
    settings.OKRYU_IDEMPOTENCY_RETENTION_HOURS = 23

    errors = [message.id for message in run_checks()]

    assert "okryu.E023" in errors


@pytest.mark.django_db
def test_done_jobs_are_purged_after_their_retention_and_failed_ones_are_kept(settings):
    settings.OKRYU_JOB_RETENTION_DAYS = 14
    settings.OKRYU_JOB_ATTEMPTS_MAX = 1
    start = clock.now()
    with time_machine.travel(start, tick=False):
        enqueue_job(kind=KIND, payload={"done": True})
        run_due_jobs(handlers={KIND: lambda _payload: None})
        enqueue_job(kind="delivery.dispatch", payload={"failed": True})
        run_due_jobs(handlers={"delivery.dispatch": _fail})
        enqueue_job(
            kind=KIND, payload={"waiting": True}, run_at=start + dt.timedelta(days=30)
        )

    with time_machine.travel(start + dt.timedelta(days=13), tick=False):
        assert delete_finished_jobs() == 0
    with time_machine.travel(start + dt.timedelta(days=15), tick=False):
        assert delete_finished_jobs() == 1

    assert set(BackgroundJob.objects.values_list("status", flat=True)) == {
        BackgroundJobStatus.FAILED,
        BackgroundJobStatus.PENDING,
    }


@pytest.mark.django_db
def test_the_purge_command_runs_every_declared_purge_and_says_what_it_deleted(settings):
    settings.OKRYU_SMS_RETENTION_DAYS = 30
    long_ago = clock.now() - dt.timedelta(days=60)
    with time_machine.travel(long_ago, tick=False):
        _store_key("old")
        queue_sms(phone="010-1111-2222", body="옛 소식")
        send_pending_sms(gateway=RecordingGateway(), batch_size=10)
        enqueue_job(kind=KIND, payload={})
        run_due_jobs(handlers={KIND: lambda _payload: None})
    output = io.StringIO()

    call_command("purge", stdout=output)

    assert output.getvalue().splitlines() == [
        "idempotency records: 1 deleted",
        "finished jobs: 1 deleted",
        "sent SMS: 1 deleted",
    ]
    assert (IdempotencyRecord.objects.count(), OutboxMessage.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_the_job_worker_purges_as_it_starts(settings):
    settings.OKRYU_SMS_RETENTION_DAYS = 30
    with time_machine.travel(clock.now() - dt.timedelta(days=60), tick=False):
        queue_sms(phone="010-1111-2222", body="옛 소식")
        send_pending_sms(gateway=RecordingGateway(), batch_size=10)
    output = io.StringIO()

    call_command("run_jobs", "--once", stdout=output)

    assert (
        "purged: 0 idempotency records, 0 finished jobs, 1 sent SMS"
        in output.getvalue()
    )
    assert run_purges() == {"idempotency records": 0, "finished jobs": 0, "sent SMS": 0}


def test_a_worker_purges_again_only_once_the_interval_has_passed():
    now = [1000.0]
    schedule = PurgeSchedule(interval_seconds=3600, now=lambda: now[0])

    due = [schedule.is_due()]
    now[0] += 3599
    due.append(schedule.is_due())
    now[0] += 1
    due.append(schedule.is_due())
    due.append(schedule.is_due())

    assert due == [True, False, True, False]
