"""Reads that tolerate lag, from the PostgreSQL streaming replica when it is well.

The ``replica`` alias (``DATABASE_REPLICA_URL``) is never a blanket router: only reads that
may be a few seconds old ask for it, by name, through ``lagging_read``: the public catalog's
listings and its search. The basket, orders, the ledger and everything a person acts on read
the primary (``default``), always.

``lagging_read`` falls back to the primary when:

- no replica is configured;
- the person wrote something in the last moments (``ReadYourWritesMiddleware`` pins their
  next reads to the primary for twice the allowed lag, plus a margin), so that nobody sees
  their own change undone;
- the read runs inside a transaction (it belongs with what that transaction writes);
- the replica is down, or behind the primary by more than ``OKRYU_REPLICA_MAX_LAG_S``
  (checked at most every ``REPLICA_CHECK_SECONDS`` per process);
- the read itself fails on the replica: it is read again from the primary, and the replica is
  left alone until the next check.
"""

import contextvars
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter

logger = logging.getLogger(__name__)

PRIMARY_ALIAS = "default"
REPLICA_ALIAS = "replica"
REPLICA_CHECK_SECONDS = 2.0
WROTE_COOKIE = "okryu_wrote"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PIN_MARGIN_SECONDS = 5

# The replica is in recovery and has replayed everything it received: no lag. Otherwise its
# lag is the age of the last transaction it replayed.
LAG_SQL = (
    "SELECT pg_is_in_recovery(), CASE "
    "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)

LAGGING_READS = Counter(
    "okryu_lagging_reads",
    "Reads that tolerate lag, by the database that served them (replica, default) and why.",
    ["alias", "reason"],
)

T = TypeVar("T")

_pinned_to_primary: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "okryu_pinned_to_primary", default=False
)


class ReplicaHealth:
    """Whether the replica may serve reads now: up, and not further behind than allowed.

    ``probe`` returns the replica's lag in seconds or raises ``DatabaseError``; its answer is
    kept for ``check_seconds``. Thread-safe: granian's threads share one per process.
    """

    def __init__(
        self,
        *,
        probe: Callable[[], float],
        max_lag_seconds: float,
        check_seconds: float = REPLICA_CHECK_SECONDS,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._probe = probe
        self._max_lag_seconds = max_lag_seconds
        self._check_seconds = check_seconds
        self._now = now
        self._lock = threading.Lock()
        self._usable = False
        self._reason = "unchecked"
        self._checked_at: float | None = None

    def usable(self) -> tuple[bool, str]:
        """Return (whether the replica may serve, why not or "healthy")."""
        with self._lock:
            current = self._now()
            if (
                self._checked_at is None
                or current - self._checked_at >= self._check_seconds
            ):
                self._usable, self._reason = self._check()
                self._checked_at = current
            return self._usable, self._reason

    def mark_down(self, reason: str) -> None:
        """Stop using the replica until the next check (a read on it just failed)."""
        with self._lock:
            self._usable, self._reason = False, reason
            self._checked_at = self._now()

    def _check(self) -> tuple[bool, str]:
        try:
            lag = self._probe()
        except DatabaseError as error:
            logger.warning("replica unavailable, reading from the primary: %s", error)
            return False, "replica_down"
        if lag > self._max_lag_seconds:
            logger.warning(
                "replica %.1f s behind (more than %s s), reading from the primary",
                lag,
                self._max_lag_seconds,
            )
            return False, "replica_behind"
        return True, "healthy"


def measure_replica_lag_seconds() -> float:
    """Return how many seconds the replica is behind the primary (0 when caught up)."""
    connection = connections[REPLICA_ALIAS]
    if connection.vendor != "postgresql":
        return 0.0
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            in_recovery, lag = cursor.fetchone()
    except DatabaseError:
        # A broken connection is not reused: the next check opens a new one.
        connection.close()
        raise
    # A server that is not in recovery is no replica (a promoted one, or a test's mirror).
    return float(lag) if in_recovery else 0.0


_health: ReplicaHealth | None = None
_health_lock = threading.Lock()


def replica_health() -> ReplicaHealth:
    """Return this process's view of the replica's health."""
    global _health  # noqa: PLW0603  (one per process, made on first use)
    with _health_lock:
        if _health is None:
            _health = ReplicaHealth(
                probe=measure_replica_lag_seconds,
                max_lag_seconds=settings.OKRYU_REPLICA_MAX_LAG_S,
            )
        return _health


def replica_configured() -> bool:
    """Return True when a replica alias is configured."""
    return REPLICA_ALIAS in settings.DATABASES


def _choose_alias(health: ReplicaHealth | None) -> tuple[str, str]:
    if health is None:
        return PRIMARY_ALIAS, "no_replica"
    if _pinned_to_primary.get():
        return PRIMARY_ALIAS, "own_write"
    if connections[PRIMARY_ALIAS].in_atomic_block:
        return PRIMARY_ALIAS, "in_transaction"
    usable, reason = health.usable()
    return (REPLICA_ALIAS, reason) if usable else (PRIMARY_ALIAS, reason)


def lagging_read(read: Callable[[str], T], *, health: ReplicaHealth | None = None) -> T:
    """Run ``read(alias)`` on the replica when it may serve, else on the primary.

    ``read`` must only read, and must send every query to the alias it is given. ``health``
    is this process's view of the configured replica unless given (tests give their own).
    """
    if health is None and replica_configured():
        health = replica_health()
    alias, reason = _choose_alias(health)
    if alias == REPLICA_ALIAS:
        try:
            result = read(alias)
        except DatabaseError as error:
            assert health is not None
            logger.warning(
                "read failed on the replica, reading from the primary: %s", error
            )
            if replica_configured():
                connections[REPLICA_ALIAS].close()
            health.mark_down("replica_failed")
            alias, reason = PRIMARY_ALIAS, "replica_failed"
        else:
            LAGGING_READS.labels(alias=alias, reason=reason).inc()
            return result
    LAGGING_READS.labels(alias=alias, reason=reason).inc()
    return read(alias)


@contextmanager
def reads_pinned_to_primary() -> Iterator[None]:
    """Within this block, ``lagging_read`` reads the primary (a person's own writes)."""
    token = _pinned_to_primary.set(True)
    try:
        yield
    finally:
        _pinned_to_primary.reset(token)


def pin_seconds() -> int:
    """How long a person's reads stay on the primary after they wrote."""
    return 2 * int(settings.OKRYU_REPLICA_MAX_LAG_S) + PIN_MARGIN_SECONDS


class ReadYourWritesMiddleware:
    """Pin a person's reads to the primary for a moment after each of their writes.

    A request that is not a GET, HEAD or OPTIONS may have written: the answer sets a short
    cookie, and while it lasts that browser's reads skip the replica. The cookie says only
    "read the primary"; a client that forges it merely reads the primary.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        wrote_recently = WROTE_COOKIE in request.COOKIES
        writes = request.method not in SAFE_METHODS
        if wrote_recently or writes:
            with reads_pinned_to_primary():
                response = self.get_response(request)
        else:
            response = self.get_response(request)
        if writes:
            response.set_cookie(
                WROTE_COOKIE,
                "1",
                max_age=pin_seconds(),
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
