"""The transaction every service runs in: durable, and retried whole when SQLite was busy.

A service that changes state is decorated with ``service_transaction``: its body runs in one
transaction, durable (outermost, committed when it returns) or joining the caller's. On
SQLite, a transaction that found the write lock taken past the short busy timeout rolled
back whole and is run again from the start, a few times: several writers with a short busy
timeout and a retry share SQLite fairly, where one long timeout let a writer starve
(DESIGN.md, pitfalls). PostgreSQL waits on row locks and is never retried.
"""

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import OperationalError, transaction

SQLITE_BUSY_RETRIES_MAX = 5

P = ParamSpec("P")
T = TypeVar("T")


def service_transaction(*, durable: bool) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Run the decorated service in one transaction, again while SQLite's write lock is taken.

    ``durable=True`` for a service that is always the outermost transaction, so what it
    wrote is committed when it returns (checkout, a fulfilment's step); ``durable=False`` for
    one that may also run inside a caller's transaction (a ledger transfer inside a checkout),
    which then joins it and is retried by that caller. Arguments are passed unchanged to
    every attempt, so they must not be consumed by one (no iterators). Whatever the service
    raises rolls its transaction back.
    """

    def decorate(service: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(service)
        def in_transaction(*args: P.args, **kwargs: P.kwargs) -> T:
            def attempt() -> T:
                with transaction.atomic(durable=durable):
                    return service(*args, **kwargs)

            return retry_when_sqlite_is_busy(attempt)

        return in_transaction

    return decorate


def retry_when_sqlite_is_busy(attempt: Callable[[], T]) -> T:
    """Run ``attempt``, an outermost transaction, again if SQLite's write lock stayed taken.

    Only on SQLite and only outside a transaction: an outermost transaction rolled back
    whole, so a new attempt starts clean. Inside a caller's transaction the caller retries.
    """
    connection = transaction.get_connection()
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return attempt()
    for _retry in range(SQLITE_BUSY_RETRIES_MAX - 1):
        try:
            return attempt()
        except OperationalError as error:
            if "database is locked" not in str(error):
                raise
    return attempt()
