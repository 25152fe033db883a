"""Sign-in defences, in one place for the admin, the pages and the API.

Every sign-in goes through ``authenticate()`` and so through
``okryu.accounts.backends.GuardedModelBackend``, which asks ``check_sign_in`` before hashing
and reports the outcome to ``record_sign_in_failure`` / ``record_sign_in_success``. The
counters are the rate-limit counters (``okryu.core.rate_limits``: Redis or the database,
never process memory); every one of them, and every wait, expires.

- **Per account and address**: the first failures are free; after them each failure makes that
  address wait before its next try of that account, 5 s, 10 s, 20 s, then 30 s at most. An
  attacker anywhere gets two or three guesses a minute per account; nobody can make the owner,
  elsewhere, wait at all.
- **Per account, from everywhere**: many failures from many addresses (a botnet) start the
  same short delay for everyone, so the owner waits at most 30 s while it lasts.
- **Per address, a generous ceiling**: past it, an account that already failed from this
  address waits until the hour ends, so one attacker behind a district's address has a
  bounded total, while the district's people who type their password right still sign in.
- **Per password (spraying)**: one wrong password failing on many existing accounts is refused
  for the rest of the hour. Only 32 bits of a keyed digest of it are kept, for at most an hour.

Failure counts slide: the previous window's count, in the share of it that still falls within
one window's length, is added to the current window's, so a window's end hands out no free
tries (ADR 9).

An unknown username has no account to count, so it leaves no row and no key of its own; the
backend hashes its password against a dummy hash, so it costs what a known name costs.
Whether an account exists is no secret here (sign-up says a name is taken), so the delay it
can show tells nothing new.
"""

import datetime as dt
import hashlib
import hmac
import math
from dataclasses import dataclass

from django.conf import settings

from okryu.core import clock
from okryu.core.rate_limits import counters, get_limit, subject_digest

PASSWORD_DIGEST_HEX_CHARS = (
    8  # 32 bits: enough to count one password, too few to keep it.
)
WAIT_KEY_PREFIX = "sign-in-wait"


@dataclass(frozen=True)
class SignInAttempt:
    """Who is being signed in (``user_id`` None for an unknown name), from where, with what."""

    user_id: int | None
    address: str
    password_digest: str


@dataclass(frozen=True)
class SignInRefused:
    """A sign-in refused without checking the password; try again after ``retry_after``."""

    retry_after_seconds: int


def password_digest(password: str) -> str:
    """Return a short keyed digest of a password, to count spraying with it."""
    key = f"{settings.SECRET_KEY}:sign-in-password".encode()
    digest = hmac.new(key, password.encode("utf-8", "replace"), hashlib.sha256)
    return digest.hexdigest()[:PASSWORD_DIGEST_HEX_CHARS]


def delay_seconds(failures_over_free: int) -> int:
    """Return the wait after the ``n``-th failure past the free ones: 5, 10, 20, 30, 30, ..."""
    assert failures_over_free >= 1
    base = int(settings.OKRYU_SIGN_IN_DELAY_SECONDS)
    cap = int(settings.OKRYU_SIGN_IN_DELAY_MAX_SECONDS)
    doublings = min(failures_over_free - 1, 16)
    return min(cap, base * (1 << doublings))


def _window(name: str, now_seconds: float) -> tuple[str, int]:
    """Return the key suffix of the current window of limit ``name`` and when it ends."""
    limit = get_limit(name)
    index = int(now_seconds // limit.window_seconds)
    return f"{name}:{index}", (index + 1) * limit.window_seconds


def _count_key(name: str, subject: object, now_seconds: float) -> tuple[str, int]:
    window, ends = _window(name, now_seconds)
    return f"sign-in:{window}:{subject_digest(subject)}", ends


def _previous_key(name: str, subject: object, now_seconds: float) -> str:
    window_seconds = get_limit(name).window_seconds
    return _count_key(name, subject, now_seconds - window_seconds)[0]


def _carried_over(name: str, subject: object, now_seconds: float) -> int:
    """The share of the previous window's failures that still falls in the last window's
    length: the count slides, so a window's end does not hand out free tries again."""
    window_seconds = get_limit(name).window_seconds
    gone = (now_seconds % window_seconds) / window_seconds
    previous = counters().read(_previous_key(name, subject, now_seconds))
    return math.floor(previous * (1 - gone))


def _count(name: str, subject: object, now_seconds: float) -> int:
    key, _ends = _count_key(name, subject, now_seconds)
    return counters().read(key) + _carried_over(name, subject, now_seconds)


def _add(name: str, subject: object, now_seconds: float) -> int:
    key, ends = _count_key(name, subject, now_seconds)
    # Kept through the next window too, which carries a share of it over.
    expires_at = dt.datetime.fromtimestamp(
        ends + get_limit(name).window_seconds, tz=dt.UTC
    )
    added = counters().increment(key, expires_at=expires_at)
    return added + _carried_over(name, subject, now_seconds)


def _wait_key(kind: str, subject: object) -> str:
    return f"{WAIT_KEY_PREFIX}:{kind}:{subject_digest(subject)}"


def _wait_left(kind: str, subject: object, now_seconds: float) -> int:
    until_ms = counters().read(_wait_key(kind, subject))
    return max(0, math.ceil(until_ms / 1000 - now_seconds))


def _start_wait(kind: str, subject: object, seconds: int, now_seconds: float) -> None:
    until_ms = int((now_seconds + seconds) * 1000)
    counters().write(
        _wait_key(kind, subject),
        until_ms,
        expires_at=dt.datetime.fromtimestamp(math.ceil(until_ms / 1000), tz=dt.UTC),
    )


def check_sign_in(attempt: SignInAttempt) -> SignInRefused | None:
    """Return why this attempt must wait, or None when its password may be checked."""
    now_seconds = clock.now().timestamp()
    waits = [0]
    if (
        _count("sign_in_password", attempt.password_digest, now_seconds)
        >= get_limit("sign_in_password").count
    ):
        waits.append(_window("sign_in_password", now_seconds)[1] - int(now_seconds))
    if attempt.user_id is not None:
        account_address = (attempt.user_id, attempt.address)
        waits.append(_wait_left("account-address", account_address, now_seconds))
        waits.append(_wait_left("account", attempt.user_id, now_seconds))
        over_ceiling = (
            _count("sign_in_address", attempt.address, now_seconds)
            >= get_limit("sign_in_address").count
        )
        if over_ceiling and _count(
            "sign_in_account_address", account_address, now_seconds
        ):
            waits.append(_window("sign_in_address", now_seconds)[1] - int(now_seconds))
    longest = max(waits)
    return SignInRefused(retry_after_seconds=longest) if longest > 0 else None


def record_sign_in_failure(attempt: SignInAttempt) -> None:
    """Count a failed sign-in everywhere it counts, and start the account's waits."""
    now_seconds = clock.now().timestamp()
    _add("sign_in_address", attempt.address, now_seconds)
    if attempt.user_id is None:
        return
    if attempt.password_digest:  # Empty for a wrong second-factor code.
        # Only failures on real accounts count as spraying: a visitor trying the demo's
        # password on names that do not exist must not shut it for everyone.
        _add("sign_in_password", attempt.password_digest, now_seconds)
    account_address = (attempt.user_id, attempt.address)
    for kind, name, subject in (
        ("account-address", "sign_in_account_address", account_address),
        ("account", "sign_in_account", attempt.user_id),
    ):
        failures = _add(name, subject, now_seconds)
        over_free = failures - get_limit(name).count
        if over_free >= 1:
            _start_wait(kind, subject, delay_seconds(over_free), now_seconds)


def record_sign_in_success(attempt: SignInAttempt) -> None:
    """Forget this address's failures of the account: its owner got in from here."""
    assert attempt.user_id is not None
    now_seconds = clock.now().timestamp()
    account_address = (attempt.user_id, attempt.address)
    key, _ends = _count_key("sign_in_account_address", account_address, now_seconds)
    counters().delete(key)
    counters().delete(
        _previous_key("sign_in_account_address", account_address, now_seconds)
    )
    counters().delete(_wait_key("account-address", account_address))
