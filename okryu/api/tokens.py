"""Bearer tokens of the JSON API: issuing one, finding whose a presented token is, revoking.

Only the SHA-256 of a token is stored. A token is 32 random bytes, so a plain hash (not a slow
one, as for passwords) is enough: nobody can guess their way back from the hash.

Staff (operator, teller, supervisor) get short-lived tokens: dead after
``OKRYU_STAFF_IDLE_SECONDS`` unused or ``OKRYU_STAFF_TOKEN_SECONDS`` after issue; everyone
else's live ``TOKEN_LIFETIME``. A token remembers the account's password fingerprint (Django's
session auth hash), so changing the password, anywhere, kills every token issued before; a
token issued before its person became staff dies when they do.
"""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils.crypto import constant_time_compare

from okryu.accounts.models import STAFF_ROLES, RoleGrant, User
from okryu.accounts.second_factor import is_staff_member
from okryu.api.models import ApiToken
from okryu.core import clock

TOKEN_PREFIX = "okr_"  # noqa: S105 - a public marker that helps secret scanners.
TOKEN_RANDOM_BYTES = 32
TOKEN_LENGTH_MAX = 100
TOKEN_LIFETIME = dt.timedelta(days=30)
# Writing last_used_at on every call would make every read a write; once in a while is enough.
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)
# A token with an idle timeout is marked used more often, so the timeout is kept to a minute.
IDLE_LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


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
    """Create a bearer token for ``user``; store only its hash.

    A staff token lives ``OKRYU_STAFF_TOKEN_SECONDS`` at most and dies after
    ``OKRYU_STAFF_IDLE_SECONDS`` unused; any other lives ``TOKEN_LIFETIME``.
    """
    assert user.is_active
    staff = is_staff_member(user)
    token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_RANDOM_BYTES)
    now = clock.now()
    lifetime = (
        dt.timedelta(seconds=settings.OKRYU_STAFF_TOKEN_SECONDS)
        if staff
        else TOKEN_LIFETIME
    )
    row = ApiToken.objects.create(
        user=user,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + lifetime,
        idle_seconds=settings.OKRYU_STAFF_IDLE_SECONDS if staff else None,
        credentials_fingerprint=user.get_session_auth_hash(),
    )
    assert len(token) <= TOKEN_LENGTH_MAX
    return IssuedToken(token=token, expires_at=row.expires_at, token_id=row.pk)


def _password_unchanged(row: ApiToken) -> bool:
    user = row.user
    return any(
        constant_time_compare(row.credentials_fingerprint, fingerprint)
        for fingerprint in (
            user.get_session_auth_hash(),
            *user.get_session_auth_fallback_hash(),
        )
    )


def _is_idle(row: ApiToken, *, now: dt.datetime) -> bool:
    if row.idle_seconds is None:
        return False
    last_seen = row.last_used_at or row.created_at
    return last_seen + dt.timedelta(seconds=row.idle_seconds) <= now


def find_token_user(*, token: str) -> User | None:
    """Return the active user a live token belongs to, or None.

    A token is live before its expiry, while its idle timeout has not run out, while the
    account's password is the one it was issued under, and, if it was issued without a staff
    token's limits, while its person is not staff. Marks the token used, at most once per
    ``LAST_USED_RESOLUTION`` (a minute for a token with an idle timeout).
    """
    if not token or len(token) > TOKEN_LENGTH_MAX:
        return None
    now = clock.now()
    row = (
        ApiToken.objects.filter(
            token_hash=hash_token(token), expires_at__gt=now, user__is_active=True
        )
        .select_related("user")
        # In the same statement: whether its person holds a staff role now.
        .annotate(
            holds_staff_role=Exists(
                RoleGrant.objects.filter(
                    user_id=OuterRef("user_id"), role__in=STAFF_ROLES
                )
            )
        )
        .first()
    )
    if row is None or _is_idle(row, now=now) or not _password_unchanged(row):
        return None
    if row.idle_seconds is None and (
        row.holds_staff_role or row.user.is_staff or row.user.is_superuser
    ):
        # Issued before its person became staff: a staff token is short-lived, needs the
        # second factor where it is on, and this one was issued with neither.
        return None
    resolution = (
        LAST_USED_RESOLUTION if row.idle_seconds is None else IDLE_LAST_USED_RESOLUTION
    )
    if row.last_used_at is None or row.last_used_at <= now - resolution:
        # Conditional, so concurrent calls write it once; a lost race changes nothing.
        ApiToken.objects.filter(pk=row.pk, last_used_at=row.last_used_at).update(
            last_used_at=now
        )
    return row.user


def revoke_token(*, token: str) -> int:
    """Delete the presented token; return how many rows went (0 or 1)."""
    deleted, _ = ApiToken.objects.filter(token_hash=hash_token(token)).delete()
    return deleted


def revoke_tokens(*, user: User) -> int:
    """Delete every token of ``user`` (logging out staff, a blocked account); return how many."""
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    return deleted
