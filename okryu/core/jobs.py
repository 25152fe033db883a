"""The background-job runner: deferred work kept in the database, run by any worker.

Jobs are rows (``BackgroundJob``) written in the same transaction as the change that needs
them, so a crash keeps both or neither. A worker claims a bounded batch of due jobs under a
lease (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite the immediate transaction
serialises claims), runs each job's handler in its own transaction and marks it done. A worker
that dies leaves the lease to run out; the job is claimed again, so handlers must be
idempotent (they are: each calls one idempotent service).

Handlers are found only through ``settings.OKRYU_JOB_HANDLERS``, an explicit mapping from kind
to a function path written by the developers; the kind stored in a row is only ever a key into
that mapping, never imported as such.
"""

import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Min, Q
from django.utils.module_loading import import_string

from okryu.core import clock
from okryu.core.models import BackgroundJob, BackgroundJobStatus
from okryu.core.queues import QueueState

logger = logging.getLogger(__name__)

JobHandler = Callable[[dict[str, Any]], None]

JOB_BATCH_SIZE_MAX = 500
RETRY_DELAY_SECONDS_MAX = 3600
ERROR_TEXT_LENGTH_MAX = 2000


@dataclass(frozen=True)
class JobRunReport:
    """What one pass of the runner did."""

    claimed: int
    done: int
    retried: int
    failed: int


def enqueue_job(
    *, kind: str, payload: dict[str, Any], run_at: dt.datetime | None = None
) -> BackgroundJob:
    """Queue a job of ``kind`` to run at ``run_at`` (now if None), in the caller's transaction."""
    assert kind in settings.OKRYU_JOB_HANDLERS, (
        f"no handler declared for job kind {kind!r}"
    )
    return BackgroundJob.objects.create(
        kind=kind, payload=payload, run_at=run_at or clock.now()
    )


def job_insert_sql(
    *,
    kind: str,
    payload: dict[str, Any],
    run_at: Any,
    created_at: Any,
    source: str | None,
) -> tuple[str, list[Any]]:
    """Return one INSERT of the job ``enqueue_job`` would write, and its parameters.

    For hot paths that batch it with other writes; ``run_at`` and ``created_at`` are already
    adapted for the database. With ``source``, the row is selected from that table
    expression (a CTE), once per row it has.
    """
    assert kind in settings.OKRYU_JOB_HANDLERS, (
        f"no handler declared for job kind {kind!r}"
    )
    table = BackgroundJob._meta.db_table
    payload_param = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    from_source = f" FROM {source}" if source else ""
    sql = (
        f"INSERT INTO {table} (kind, payload, status, run_at, attempts, last_error, "
        f"created_at) SELECT %s, {payload_param}, %s, %s, 0, '', %s{from_source}"
    )
    params = [
        kind,
        json.dumps(payload),
        BackgroundJobStatus.PENDING.value,
        run_at,
        created_at,
    ]
    return sql, params


def load_job_handlers() -> dict[str, JobHandler]:
    """Return the handlers declared in settings, by kind."""
    declared: Mapping[str, str] = settings.OKRYU_JOB_HANDLERS
    return {kind: import_string(path) for kind, path in declared.items()}


def claim_due_jobs(*, batch_size: int, lease_seconds: int) -> list[BackgroundJob]:
    """Claim up to ``batch_size`` due jobs for this worker under a lease; return them."""
    assert 1 <= batch_size <= JOB_BATCH_SIZE_MAX
    now = clock.now()
    with transaction.atomic():
        due = BackgroundJob.objects.filter(
            Q(locked_until__isnull=True) | Q(locked_until__lt=now),
            status=BackgroundJobStatus.PENDING,
            run_at__lte=now,
        ).order_by("run_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        jobs = list(due[:batch_size])
        lease_end = now + dt.timedelta(seconds=lease_seconds)
        for job in jobs:
            job.locked_until = lease_end
            job.attempts += 1
        BackgroundJob.objects.bulk_update(jobs, ["locked_until", "attempts"])
    return jobs


def run_due_jobs(
    *, handlers: Mapping[str, JobHandler], batch_size: int | None = None
) -> JobRunReport:
    """Claim one batch of due jobs and run each; return what happened to them.

    A handler that raises is retried later with a growing delay, up to
    ``OKRYU_JOB_ATTEMPTS_MAX`` attempts, then the job is marked failed and kept for the
    operator.
    """
    jobs = claim_due_jobs(
        batch_size=batch_size or settings.OKRYU_JOB_BATCH_SIZE,
        lease_seconds=settings.OKRYU_JOB_LEASE_SECONDS,
    )
    outcomes = [_run_job(job, handlers) for job in jobs]
    return JobRunReport(
        claimed=len(jobs),
        done=outcomes.count(BackgroundJobStatus.DONE),
        retried=outcomes.count(BackgroundJobStatus.PENDING),
        failed=outcomes.count(BackgroundJobStatus.FAILED),
    )


def _run_job(job: BackgroundJob, handlers: Mapping[str, JobHandler]) -> str:
    handler = handlers.get(job.kind)
    try:
        if handler is None:
            message = f"no handler for job kind {job.kind!r}"
            raise LookupError(message)
        with transaction.atomic():
            handler(job.payload)
            _finish_job(job, status=BackgroundJobStatus.DONE, error="")
    # Any failure of one job must not stop the others; it is recorded on the row and retried.
    except Exception as error:  # noqa: BLE001
        logger.warning("job %s#%s failed: %r", job.kind, job.pk, error)
        return _record_job_failure(job, error)
    return BackgroundJobStatus.DONE


def _record_job_failure(job: BackgroundJob, error: Exception) -> str:
    gives_up = job.attempts >= settings.OKRYU_JOB_ATTEMPTS_MAX
    status = BackgroundJobStatus.FAILED if gives_up else BackgroundJobStatus.PENDING
    with transaction.atomic():
        _finish_job(job, status=status, error=repr(error)[:ERROR_TEXT_LENGTH_MAX])
    return status


def _finish_job(job: BackgroundJob, *, status: str, error: str) -> None:
    now = clock.now()
    delay_seconds = min(2**job.attempts * 10, RETRY_DELAY_SECONDS_MAX)
    changes: dict[str, Any] = {
        "status": status,
        "last_error": error,
        "locked_until": None,
    }
    if status == BackgroundJobStatus.PENDING:
        changes["run_at"] = now + dt.timedelta(seconds=delay_seconds)
    else:
        changes["finished_at"] = now
    # Only the worker whose lease still stands records the outcome; a worker that outlived its
    # lease lost the job to another and must not overwrite that one's result.
    updated = BackgroundJob.objects.filter(
        pk=job.pk, attempts=job.attempts, status=BackgroundJobStatus.PENDING
    ).update(**changes)
    if updated != 1:
        logger.warning("job %s#%s was taken over by another worker", job.kind, job.pk)


def delete_finished_jobs() -> int:
    """Delete jobs done longer ago than ``OKRYU_JOB_RETENTION_DAYS``; return how many.

    Failed jobs stay: an operator reads their error and decides.
    """
    cutoff = clock.now() - dt.timedelta(days=settings.OKRYU_JOB_RETENTION_DAYS)
    deleted, _ = BackgroundJob.objects.filter(
        status=BackgroundJobStatus.DONE, finished_at__lt=cutoff
    ).delete()
    return deleted


def queue_state() -> QueueState:
    """Return how many jobs are due and waiting for a worker, and the oldest one's wait."""
    now = clock.now()
    due = BackgroundJob.objects.filter(
        status=BackgroundJobStatus.PENDING, run_at__lte=now
    ).aggregate(waiting=Count("id"), oldest=Min("run_at"))
    oldest = due["oldest"]
    return QueueState(
        waiting=due["waiting"],
        oldest_wait_seconds=(now - oldest).total_seconds() if oldest else 0.0,
    )
