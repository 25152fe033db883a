import datetime as dt
import io
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from okryu.core import clock
from okryu.core.jobs import claim_due_jobs, enqueue_job, run_due_jobs
from okryu.core.models import BackgroundJob, BackgroundJobStatus

KIND = (
    "payments.expire_hold"  # Any kind declared in settings; the handler is passed in.
)


@pytest.mark.django_db
def test_a_due_job_runs_once_and_is_marked_done():
    seen: list[dict[str, Any]] = []
    enqueue_job(kind=KIND, payload={"hold": "h1"})

    first = run_due_jobs(handlers={KIND: seen.append})
    second = run_due_jobs(handlers={KIND: seen.append})

    assert seen == [{"hold": "h1"}]
    assert (first.done, second.claimed) == (1, 0)
    assert BackgroundJob.objects.get().status == BackgroundJobStatus.DONE


@pytest.mark.django_db
def test_a_job_waits_for_its_time():
    seen: list[dict[str, Any]] = []
    run_at = clock.now() + dt.timedelta(minutes=5)
    enqueue_job(kind=KIND, payload={}, run_at=run_at)

    assert run_due_jobs(handlers={KIND: seen.append}).claimed == 0
    with time_machine.travel(run_at, tick=False):
        assert run_due_jobs(handlers={KIND: seen.append}).done == 1


@pytest.mark.django_db
def test_a_failing_job_is_retried_later_then_marked_failed(settings):
    settings.OKRYU_JOB_ATTEMPTS_MAX = 2

    def fail(_payload):
        message = "boom"
        raise ValueError(message)

    enqueue_job(kind=KIND, payload={})
    first = run_due_jobs(handlers={KIND: fail})
    with time_machine.travel(clock.now() + dt.timedelta(hours=2), tick=False):
        second = run_due_jobs(handlers={KIND: fail})

    job = BackgroundJob.objects.get()
    assert (first.retried, second.failed) == (1, 1)
    assert (job.status, job.attempts, job.last_error) == (
        BackgroundJobStatus.FAILED,
        2,
        "ValueError('boom')",
    )


@pytest.mark.django_db
def test_a_job_of_an_unknown_kind_fails_without_importing_anything():
    BackgroundJob.objects.create(kind="os.system", payload={}, run_at=clock.now())

    report = run_due_jobs(handlers={})

    assert report.retried == 1
    assert "no handler" in BackgroundJob.objects.get().last_error


@pytest.mark.django_db
def test_a_job_claimed_by_a_worker_that_died_is_claimed_again_after_the_lease():
    enqueue_job(kind=KIND, payload={})
    assert len(claim_due_jobs(batch_size=10, lease_seconds=60)) == 1

    assert claim_due_jobs(batch_size=10, lease_seconds=60) == []
    with time_machine.travel(clock.now() + dt.timedelta(seconds=61), tick=False):
        assert len(claim_due_jobs(batch_size=10, lease_seconds=60)) == 1


@pytest.mark.stress
@pytest.mark.django_db(transaction=True)
def test_four_workers_at_once_run_each_job_exactly_once():
    for index in range(40):
        enqueue_job(kind=KIND, payload={"n": index})
    seen: list[dict[str, Any]] = []

    def work(_index):
        try:
            while run_due_jobs(handlers={KIND: seen.append}, batch_size=3).claimed:
                pass
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(work, range(4)))

    assert sorted(payload["n"] for payload in seen) == list(range(40))


@pytest.mark.django_db
def test_the_run_jobs_command_runs_one_batch_through_the_declared_handlers():
    enqueue_job(kind=KIND, payload={"hold": "no-such-hold"})
    output = io.StringIO()

    call_command("run_jobs", "--once", stdout=output)

    assert output.getvalue() == "jobs: 1 claimed, 1 done, 0 to retry, 0 failed\n"
    assert BackgroundJob.objects.get().status == BackgroundJobStatus.DONE
