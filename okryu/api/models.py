"""Rows of the JSON API: bearer tokens."""

from django.db import models
from typing_extensions import override

from okryu.accounts.models import User
from okryu.core import clock


class ApiToken(models.Model):
    """A bearer token issued to a user; only the SHA-256 of the token is stored.

    The token itself is shown once, in the answer to ``POST /api/v1/auth/token``: whoever reads
    this table (a backup, a replica) cannot use it to call the API.
    """

    TOKEN_HASH_LENGTH = 64

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    token_hash = models.CharField(max_length=TOKEN_HASH_LENGTH, unique=True)
    created_at = models.DateTimeField(default=clock.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)
    # A staff token also dies after this many seconds unused (None: no idle timeout).
    idle_seconds = models.PositiveIntegerField(null=True, blank=True)
    # The account's session auth hash when issued: a new password or a sign-out everywhere
    # changes it, and the token dies.
    credentials_fingerprint = models.CharField(max_length=128, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            )
        ]

    @override
    def __str__(self) -> str:
        return f"token {self.pk} of user {self.user_id}"
