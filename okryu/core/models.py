"""Shared-kernel rows: idempotency records."""

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
