"""Bearer tokens of the JSON API: issuing one, and finding whose a presented token is.

Only the SHA-256 of a token is stored. A token is 32 random bytes, so a plain hash (not a slow
one, as for passwords) is enough: nobody can guess their way back from the hash.
"""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction

from okryu.accounts.models import User
from okryu.api.models import ApiToken
from okryu.core import clock

TOKEN_PREFIX = "okr_"  # noqa: S105 - a public marker that helps secret scanners.
TOKEN_RANDOM_BYTES = 32
TOKEN_LENGTH_MAX = 100
TOKEN_LIFETIME = dt.timedelta(days=30)
# Writing last_used_at on every call would make every read a write; once in a while is enough.
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class IssuedToken:
    """A newly issued token: ``token`` is shown once and never stored."""

    token: str
    expires_at: dt.datetime
    token_id: int


def hash_token(token: str) -> str:
    """Return the hex SHA-256 of ``token``, as stored in ``ApiToken.token_hash``."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(*, user: User) -> IssuedToken:
    """Create a bearer token for ``user``, valid for ``TOKEN_LIFETIME``; store only its hash."""
    assert user.is_active
    token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_RANDOM_BYTES)
    now = clock.now()
    with transaction.atomic():
        row = ApiToken.objects.create(
            user=user,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + TOKEN_LIFETIME,
        )
    assert len(token) <= TOKEN_LENGTH_MAX
    return IssuedToken(token=token, expires_at=row.expires_at, token_id=row.pk)


def find_token_user(*, token: str) -> User | None:
    """Return the active user a live (unexpired) token belongs to, or None.

    Marks the token used, at most once per ``LAST_USED_RESOLUTION``.
    """
    if not token or len(token) > TOKEN_LENGTH_MAX:
        return None
    now = clock.now()
    row = (
        ApiToken.objects.filter(
            token_hash=hash_token(token), expires_at__gt=now, user__is_active=True
        )
        .select_related("user")
        .first()
    )
    if row is None:
        return None
    if row.last_used_at is None or row.last_used_at <= now - LAST_USED_RESOLUTION:
        # Conditional, so concurrent calls write it once; a lost race changes nothing.
        ApiToken.objects.filter(pk=row.pk, last_used_at=row.last_used_at).update(
            last_used_at=now
        )
    return row.user


def revoke_tokens(*, user: User) -> int:
    """Delete every token of ``user`` (a blocked account, a lost phone); return how many."""
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    return deleted
