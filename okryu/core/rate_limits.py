"""Rate limits: how often one account, card, phone or address may do an abusable thing.

Every limit has a name and is set in ``settings.OKRYU_RATE_LIMITS`` as
``{"name": (count, window_seconds)}``. A route counts the subjects the action involves and is
refused at the limit + 1 with ``RateLimited`` (429 ``rate_limited`` with ``Retry-After``):

    from okryu.core import rate_limits

    rate_limits.hit("qr_create_account", user.pk)        # per account
    rate_limits.hit("sms_card", card_number)             # per card, where a card is involved
    rate_limits.hit("search_address", client_address(request.META))  # a generous ceiling

The API turns ``RateLimited`` into problem+json with ``Retry-After``
(``okryu.api.v1.errors``); a page that lets it rise gets the short "too many requests" page
with ``Retry-After`` (``okryu.web.middleware.TooManyRequestsMiddleware``). To limit a new
route (an SMS it sends, say): add its names to ``OKRYU_RATE_LIMITS`` and call ``hit`` in the
view or route before the service, outside any transaction, so a rollback never uncounts it.

Counts are per fixed window aligned to the epoch and live where every app server sees them:
in Redis through the cache (``OKRYU_RATE_LIMIT_STORE = "cache"``, atomic ``INCR``), or in the
database (``"database"``, the embedded default without Redis: one atomic upsert per count,
``RateCounter``). Process memory is never used. Subjects are hashed into the keys, so no
address, phone or card number is written in clear.

An address is only ever a generous ceiling: thousands of people share one (DESIGN.md).
"""

import datetime as dt
import hashlib
import ipaddress
import math
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from okryu.core import clock
from okryu.core.errors import DomainError
from okryu.core.models import RateCounter

KEY_PREFIX = "rl"
SUBJECT_DIGEST_CHARS = 24
# IPv6 hands a whole network to one household or phone; counting single addresses would let
# one attacker rotate through 2^64 of them.
IPV6_NETWORK_PREFIX = 64


class RateLimited(DomainError):
    """Too many requests of this kind from one account, card or address; retry later."""

    code = "rate_limited"
    status = 429
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after_seconds: int) -> None:
        super().__init__(detail, retry_after=retry_after_seconds)
        self.retry_after_seconds = retry_after_seconds


@dataclass(frozen=True)
class Limit:
    """At most ``count`` actions per ``window_seconds``."""

    count: int
    window_seconds: int


class CounterStore(Protocol):
    """Counters with an expiry, shared by every app server."""

    def increment(self, key: str, *, expires_at: dt.datetime) -> int:
        """Add one to ``key`` (created at 1, dying at ``expires_at``); return the new value."""

    def read(self, key: str) -> int:
        """Return the live value of ``key``, or 0."""

    def write(self, key: str, value: int, *, expires_at: dt.datetime) -> None:
        """Set ``key`` to ``value`` until ``expires_at``."""

    def delete(self, key: str) -> None:
        """Forget ``key``."""


class DatabaseCounters:
    """Counters in ``RateCounter`` rows: one atomic upsert per increment (SQLite, PostgreSQL)."""

    def increment(self, key: str, *, expires_at: dt.datetime) -> int:
        """Insert the key at 1, or add one to it (or restart it at 1 when it had expired)."""
        table = connection.ops.quote_name(RateCounter._meta.db_table)
        now = clock.now()
        adapt = connection.ops.adapt_datetimefield_value
        sql = (
            f"INSERT INTO {table} (key, value, expires_at) VALUES (%s, 1, %s) "  # noqa: S608
            "ON CONFLICT (key) DO UPDATE SET "
            f"value = CASE WHEN {table}.expires_at <= %s THEN 1 "
            f"ELSE {table}.value + 1 END, "
            f"expires_at = CASE WHEN {table}.expires_at <= %s "
            f"THEN excluded.expires_at ELSE {table}.expires_at END "
            "RETURNING value"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, adapt(expires_at), adapt(now), adapt(now)])
            row = cursor.fetchone()
        assert row is not None
        value = int(row[0])
        if value == 1:
            # A new window: sweep the dead rows, each once, so the table stays small.
            RateCounter.objects.filter(expires_at__lte=now).delete()
        return value

    def read(self, key: str) -> int:
        """Return the live value, 0 for a missing or dead row."""
        value = (
            RateCounter.objects.filter(key=key, expires_at__gt=clock.now())
            .values_list("value", flat=True)
            .first()
        )
        return int(value or 0)

    def write(self, key: str, value: int, *, expires_at: dt.datetime) -> None:
        """Upsert the row."""
        RateCounter.objects.update_or_create(
            key=key, defaults={"value": value, "expires_at": expires_at}
        )

    def delete(self, key: str) -> None:
        """Delete the row."""
        RateCounter.objects.filter(key=key).delete()


class CacheCounters:
    """Counters in the default cache, which must be Redis (``INCR`` is atomic there).

    A system check (``okryu.core.checks``) refuses this store over any other cache, whose
    ``incr`` reads and writes in two steps and would lose counts under concurrency.
    """

    def increment(self, key: str, *, expires_at: dt.datetime) -> int:
        """``ADD key 0`` with the window's expiry, then ``INCR``."""
        timeout = _seconds_until(expires_at)
        for _attempt in range(2):
            cache.add(key, 0, timeout=timeout)
            try:
                return int(cache.incr(key))
            except ValueError:
                continue  # The key died between ADD and INCR; add it again.
        message = f"the cache cannot count {key}"
        raise RuntimeError(message)

    def read(self, key: str) -> int:
        """Return the live value, 0 when missing."""
        return int(cache.get(key, 0))

    def write(self, key: str, value: int, *, expires_at: dt.datetime) -> None:
        """``SET key value EX ...``."""
        cache.set(key, value, timeout=_seconds_until(expires_at))

    def delete(self, key: str) -> None:
        """``DEL key``."""
        cache.delete(key)


def _seconds_until(moment: dt.datetime) -> int:
    return max(1, math.ceil((moment - clock.now()).total_seconds()))


def counters() -> CounterStore:
    """Return the configured counter store (``settings.OKRYU_RATE_LIMIT_STORE``)."""
    if settings.OKRYU_RATE_LIMIT_STORE == "cache":
        return CacheCounters()
    assert settings.OKRYU_RATE_LIMIT_STORE == "database"
    return DatabaseCounters()


def subject_digest(subject: object) -> str:
    """Return a short, keyed digest of a subject, so keys carry no number in clear."""
    material = f"{settings.SECRET_KEY}:{subject}".encode()
    return hashlib.sha256(material).hexdigest()[:SUBJECT_DIGEST_CHARS]


def get_limit(name: str) -> Limit:
    """Return the limit named ``name`` in ``settings.OKRYU_RATE_LIMITS``."""
    count, window_seconds = settings.OKRYU_RATE_LIMITS[name]
    assert count >= 1
    assert window_seconds >= 1
    return Limit(count=int(count), window_seconds=int(window_seconds))


@dataclass(frozen=True)
class _Count:
    """One action counted under a limit, and when that limit's window ends."""

    limit: Limit
    count: int
    window_ends_seconds: int
    counted_at_seconds: float

    def check(self) -> None:
        if self.count > self.limit.count:
            retry_after = max(
                1, math.ceil(self.window_ends_seconds - self.counted_at_seconds)
            )
            raise RateLimited(
                f"Too many requests; try again in {retry_after} seconds.",
                retry_after_seconds=retry_after,
            )


def _count(store: CounterStore, name: str, subject: object) -> _Count:
    limit = get_limit(name)
    now_seconds = clock.now().timestamp()
    window_index = int(now_seconds // limit.window_seconds)
    window_ends_seconds = (window_index + 1) * limit.window_seconds
    expires_at = dt.datetime.fromtimestamp(window_ends_seconds, tz=dt.UTC)
    key = f"{KEY_PREFIX}:{name}:{subject_digest(subject)}:{window_index}"
    return _Count(
        limit=limit,
        count=store.increment(key, expires_at=expires_at),
        window_ends_seconds=window_ends_seconds,
        counted_at_seconds=now_seconds,
    )


def hit(name: str, subject: object) -> int:
    """Count one action of ``subject`` under the limit ``name``; return the count so far.

    Raises RateLimited, with the seconds until the window ends, when the count passes the
    limit. Refused actions are counted too: hammering does not shorten the wait.
    """
    counted = _count(counters(), name, subject)
    counted.check()
    return counted.count


def client_address(meta: Mapping[str, Any]) -> str:
    """Return the address a request came from, as rate limits count it.

    ``REMOTE_ADDR``, or, behind ``OKRYU_TRUSTED_PROXY_HOPS`` proxies that each append to
    ``X-Forwarded-For``, the address the outermost trusted proxy saw. An IPv6 address
    counts as its /64 network.
    """
    address = str(meta.get("REMOTE_ADDR", ""))
    hops = int(settings.OKRYU_TRUSTED_PROXY_HOPS)
    forwarded = [
        part.strip()
        for part in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")
        if part.strip()
    ]
    if hops > 0 and len(forwarded) >= hops:
        address = forwarded[-hops]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64] or "unknown"
    if parsed.version == 6:  # noqa: PLR2004
        network = ipaddress.ip_network(f"{parsed}/{IPV6_NETWORK_PREFIX}", strict=False)
        return str(network)
    return str(parsed)


def hit_all(
    prefix: str,
    *,
    address: str,
    account_id: int | None = None,
    card: str | None = None,
) -> None:
    """Count one action under ``prefix``'s limits: per account and card, and per address.

    ``prefix`` names a family of limits in ``OKRYU_RATE_LIMITS``: ``<prefix>_account`` (when
    a person is signed in), ``<prefix>_card`` (when a card is involved) and
    ``<prefix>_address`` (always: the generous ceiling).
    """
    subjects: list[tuple[str, object]] = []
    if account_id is not None:
        subjects.append((f"{prefix}_account", account_id))
    if card:
        subjects.append((f"{prefix}_card", card))
    subjects.append((f"{prefix}_address", address))
    store = counters()
    # Counted in one transaction when the counters are rows: one commit (one fsync on SQLite)
    # instead of one per counter. The first limit passed stops the counting, so a person
    # refused on their own account spends nothing of the address their district shares; the
    # refusal is raised once committed, so it keeps its count.
    grouped = (
        transaction.atomic() if isinstance(store, DatabaseCounters) else nullcontext()
    )
    refused: _Count | None = None
    with grouped:
        for name, subject in subjects:
            counted = _count(store, name, subject)
            if counted.count > counted.limit.count:
                refused = counted
                break
    if refused is not None:
        refused.check()
