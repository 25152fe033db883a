"""Shared-kernel rows: idempotency records and background jobs."""

from django.db import models
from typing_extensions import override


class IdempotencyRecord(models.Model):
    """The first outcome of a state-changing request, kept so a repeat returns it again."""

    scope = models.CharField(max_length=100)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key"], name="idempotency_scope_key_unique"
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.scope}:{self.key} → {self.status_code}"


class BackgroundJobStatus(models.TextChoices):
    """Where a background job stands: waiting (or running under a lease), done, or given up."""

    PENDING = "pending", "pending"
    DONE = "done", "done"
    FAILED = "failed", "failed"


class BackgroundJob(models.Model):
    """One unit of deferred work, persisted so it survives a crash and runs on any worker.

    A worker claims a due job by setting ``locked_until`` (a lease); a worker that dies leaves
    the lease to run out, and the job becomes claimable again.
    """

    KIND_LENGTH_MAX = 60

    kind = models.CharField(max_length=KIND_LENGTH_MAX)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10,
        choices=BackgroundJobStatus.choices,
        default=BackgroundJobStatus.PENDING,
    )
    run_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["run_at"],
                condition=models.Q(status="pending"),
                name="background_job_due",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=BackgroundJobStatus.values),
                name="background_job_status_known",
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.kind}#{self.pk} {self.status}"


class RateCounter(models.Model):
    """One counter of the rate limits (``okryu.core.rate_limits``) kept in the database.

    Used when no Redis is configured (the embedded default): every app server sees the same
    rows. A key names a limit, who is counted and the window; the row is dead after
    ``expires_at`` and deleted by a later count.
    """

    KEY_LENGTH_MAX = 200

    key = models.CharField(max_length=KEY_LENGTH_MAX, unique=True)
    value = models.BigIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    @override
    def __str__(self) -> str:
        return f"{self.key} = {self.value}"
