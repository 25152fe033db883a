"""System checks that refuse to start a misconfigured Okryu.

Check ids (each app registers its own in its ``checks.py``): okryu.E001 here; okryu.E010 to
okryu.E013 here, for production; okryu.E014 to okryu.E017 in payments (the issuer's keys);
okryu.E018 in demo; okryu.E019 and okryu.E020 in notifications (the SMS gateway); okryu.E021
and okryu.E022 here (the rate-limit counters' store); okryu.E023 here (purging idempotency keys);
okryu.E024 here (a weak SECRET_KEY, for production); okryu.E025 in notifications (the demo's phone).
"""

import sys
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured


@register()
def check_assertions_are_enabled(**kwargs: Any) -> list[CheckMessage]:
    """Refuse to run with ``python -O``: assertions guard the invariants (STYLE.md §10)."""
    if sys.flags.optimize:
        return [
            Error(
                "Okryu must not run with python -O or PYTHONOPTIMIZE: its assertions guard "
                "money and stock invariants.",
                id="okryu.E001",
            )
        ]
    return []


# Production-only checks (settings.OKRYU_IS_PRODUCTION): each refuses to start and says what
# to set. docs/deployment.md lists the variables; the demo and the tests skip these.

# Django's own measure of a strong key (its deploy check W009 only warns).
SECRET_KEY_LENGTH_MIN = 50
SECRET_KEY_UNIQUE_CHARACTERS_MIN = 5


@register()
def check_production_debug_is_off(**kwargs: Any) -> list[CheckMessage]:
    """Refuse DEBUG in production: its error pages show settings and source to anyone."""
    if settings.OKRYU_IS_PRODUCTION and settings.DEBUG:
        return [
            Error(
                "DEBUG is on under the production settings.",
                hint="Unset DEBUG (or set DEBUG=0).",
                id="okryu.E010",
            )
        ]
    return []


@register()
def check_production_secret_key(**kwargs: Any) -> list[CheckMessage]:
    """Refuse a missing SECRET_KEY, or one (or a fallback) that the demo made or that is weak."""
    if not settings.OKRYU_IS_PRODUCTION:
        return []
    how = (
        f"Set SECRET_KEY (or SECRET_KEY_FILE, a file holding it) to a random value of at "
        f"least {SECRET_KEY_LENGTH_MIN} characters, for example the output of "
        "`python3 -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )
    try:
        secret_key: str = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django refuses to hand out an empty one.
        secret_key = ""
    if not secret_key:
        return [Error("SECRET_KEY is not set.", hint=how, id="okryu.E011")]
    keys = [secret_key, *settings.SECRET_KEY_FALLBACKS]
    if any(key.startswith(settings.OKRYU_DEMO_SECRET_PREFIX) for key in keys):
        return [
            Error(
                "SECRET_KEY or one of SECRET_KEY_FALLBACKS was made by the demo settings "
                "(it is kept in the demo's var/ folder, beside its database).",
                hint=how,
                id="okryu.E012",
            )
        ]
    weak = [
        "SECRET_KEY" if index == 0 else f"SECRET_KEY_FALLBACKS[{index - 1}]"
        for index, key in enumerate(keys)
        if _is_weak_secret_key(key)
    ]
    if weak:
        # A short or repetitive key can be guessed offline from any signed cookie; it also
        # keys the sign-in counters' and phone codes' MACs.
        return [
            Error(
                f"{', '.join(weak)} is too short or too simple: fewer than "
                f"{SECRET_KEY_LENGTH_MIN} characters, fewer than "
                f"{SECRET_KEY_UNIQUE_CHARACTERS_MIN} different ones, or Django's "
                "'django-insecure-' placeholder.",
                hint=how,
                id="okryu.E024",
            )
        ]
    return []


def _is_weak_secret_key(key: str) -> bool:
    return (
        len(key) < SECRET_KEY_LENGTH_MIN
        or len(set(key)) < SECRET_KEY_UNIQUE_CHARACTERS_MIN
        or key.startswith("django-insecure-")
    )


@register()
def check_production_allowed_hosts(**kwargs: Any) -> list[CheckMessage]:
    """Refuse an empty ALLOWED_HOSTS: no request could be answered."""
    if settings.OKRYU_IS_PRODUCTION and not settings.ALLOWED_HOSTS:
        return [
            Error(
                "ALLOWED_HOSTS is empty under the production settings.",
                hint="Set ALLOWED_HOSTS to the site's host names, separated by commas "
                "(for example ALLOWED_HOSTS=okryu.example,www.okryu.example).",
                id="okryu.E013",
            )
        ]
    return []


@register()
def check_rate_limit_store(**kwargs: Any) -> list[CheckMessage]:
    """Refuse rate-limit counters in a cache whose increments are not atomic (only Redis's are)."""
    store = settings.OKRYU_RATE_LIMIT_STORE
    backend = str(settings.CACHES.get("default", {}).get("BACKEND", ""))
    if store not in {"cache", "database"}:
        return [
            Error(
                f"OKRYU_RATE_LIMIT_STORE must be 'cache' or 'database', not {store!r}.",
                id="okryu.E022",
            )
        ]
    if store == "cache" and not backend.endswith("RedisCache"):
        return [
            Error(
                "OKRYU_RATE_LIMIT_STORE is 'cache' but the default cache is not Redis: "
                "its increments are not atomic.",
                hint="Set REDIS_URL, or OKRYU_RATE_LIMIT_STORE = 'database'.",
                id="okryu.E021",
            )
        ]
    return []


IDEMPOTENCY_PROMISED_HOURS = 24


@register()
def check_idempotency_records_outlive_their_promise(
    **kwargs: Any,
) -> list[CheckMessage]:
    """Refuse to purge idempotency keys sooner than the API promises to keep them."""
    if settings.OKRYU_IDEMPOTENCY_RETENTION_HOURS < IDEMPOTENCY_PROMISED_HOURS:
        return [
            Error(
                "OKRYU_IDEMPOTENCY_RETENTION_HOURS is shorter than the 24 hours the API "
                "promises to keep an Idempotency-Key.",
                hint="Set OKRYU_IDEMPOTENCY_RETENTION_HOURS to 24 or more (default 48).",
                id="okryu.E023",
            )
        ]
    return []
