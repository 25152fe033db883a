"""The outbox: SMS messages written with the change they report, sent later by a worker."""

from django.db import models
from typing_extensions import override


class OutboxStatus(models.TextChoices):
    """Where an outbox message stands."""

    PENDING = "pending", "pending"
    SENT = "sent", "sent"
    FAILED = "failed", "failed"


class OutboxMessage(models.Model):
    """One SMS to one phone, queued in the transaction of the change it reports."""

    PHONE_LENGTH_MAX = 20
    BODY_LENGTH_MAX = 400

    phone = models.CharField(max_length=PHONE_LENGTH_MAX)
    # With a code: the body holds a placeholder and ``code_ref`` names the code (see
    # ``okryu.notifications.secret_codes``), which is derived only while the SMS is sent.
    body = models.CharField(max_length=BODY_LENGTH_MAX)
    code_ref = models.CharField(max_length=80, blank=True, default="", db_default="")
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    # Not sent before this time: a failed send waits longer after each attempt (back-off).
    send_after = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=400, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["id"],
                condition=models.Q(status="pending"),
                name="outbox_message_pending",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=OutboxStatus.values),
                name="outbox_message_status_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(phone=""), name="outbox_message_phone_present"
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"SMS#{self.pk} {self.status}"
