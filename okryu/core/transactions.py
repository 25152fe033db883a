"""The transaction every service runs in: durable, and retried whole when the database asks.

A service that changes state is a named function decorated with ``service_transaction``: its
body runs in one transaction, durable (outermost, committed when it returns) or joining the
caller's. On SQLite, an outermost transaction that found the write lock taken past the short
busy timeout rolled back whole and is run again from the start, a few times: several writers
with a short busy timeout and a retry share SQLite fairly, where one long timeout let a
writer starve (DESIGN.md, pitfalls). PostgreSQL waits on row locks; when two transactions
wait on each other's rows (a checkout locks a product's stock, then the shopper's account,
while a cancellation of the same shopper locks them the other way round), it ends one of them
with a deadlock error, and that outermost transaction is run again from the start too, rather
than answered as a server error.

A refusal that must commit what led to it (a counted wrong PIN or code, a used chip
counter, a ledger refusal kept for the transfer id) is returned from the transaction as a
value, not raised, and raised by the caller after the commit with ``raise_if_refused``.
"""

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import OperationalError, transaction

from okryu.core.errors import DomainError

SQLITE_BUSY_RETRIES_MAX = 5
POSTGRESQL_DEADLOCK_RETRIES_MAX = 3
# PostgreSQL's SQLSTATE for a transaction ended to break a deadlock.
DEADLOCK_DETECTED = "40P01"

P = ParamSpec("P")
T = TypeVar("T")


def service_transaction(*, durable: bool) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Run the decorated service in one transaction, again while SQLite's write lock is taken.

    ``durable=True`` for a service that is always the outermost transaction, so what it
    wrote is committed when it returns (checkout, a fulfilment's step); ``durable=False`` for
    one that may also run inside a caller's transaction (a ledger transfer inside a checkout),
    which then joins it (as a savepoint) and is retried by that caller. Arguments are passed
    unchanged to every attempt, so they must not be consumed by one (no iterators), and the
    body must do nothing outside the database that a second attempt would repeat. Whatever
    the service raises rolls its transaction back.
    """

    def decorate(service: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(service)
        def in_transaction(*args: P.args, **kwargs: P.kwargs) -> T:
            connection = transaction.get_connection()
            # Only an outermost transaction is retried: it rolled back whole, so a new attempt
            # starts clean. Inside a caller's transaction the caller retries.
            attempts = (
                1 if connection.in_atomic_block else _ATTEMPTS.get(connection.vendor, 1)
            )
            for attempt in range(1, attempts + 1):
                try:
                    with transaction.atomic(durable=durable):
                        return service(*args, **kwargs)
                except OperationalError as error:
                    if attempt == attempts or not _is_worth_retrying(
                        error, connection.vendor
                    ):
                        raise
            raise AssertionError("unreachable: the last attempt returns or raises")

        return in_transaction

    return decorate


_ATTEMPTS = {
    "sqlite": SQLITE_BUSY_RETRIES_MAX,
    "postgresql": POSTGRESQL_DEADLOCK_RETRIES_MAX,
}


def _is_worth_retrying(error: OperationalError, vendor: str) -> bool:
    """Whether the database ended the transaction for a reason a new attempt may not meet."""
    if vendor == "sqlite":
        return "database is locked" in str(error)  # The write lock stayed taken.
    return getattr(error.__cause__, "sqlstate", None) == DEADLOCK_DETECTED


def raise_if_refused(outcome: T | DomainError) -> T:
    """Return a service transaction's outcome, or raise the refusal it returned to commit."""
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome
