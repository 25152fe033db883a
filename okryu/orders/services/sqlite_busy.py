"""Retrying an outermost transaction that found SQLite's write lock taken.

As the ledger engine does (``okryu.payments.ledger.engine``): only on SQLite and only for an
outermost transaction, which rolled back whole, so a new attempt starts clean. Several
writers with a short busy timeout and a retry share SQLite fairly, where one long timeout
let a writer starve (DESIGN.md, pitfalls).
"""

from collections.abc import Callable
from typing import TypeVar

from django.db import OperationalError, connection

SQLITE_BUSY_RETRIES_MAX = 5

T = TypeVar("T")


def retry_when_sqlite_is_busy(action: Callable[[], T]) -> T:
    """Run ``action`` (which opens its own transaction), again if SQLite stayed locked."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return action()
    for _attempt in range(SQLITE_BUSY_RETRIES_MAX - 1):
        try:
            return action()
        except OperationalError as error:
            if "database is locked" not in str(error):
                raise
    return action()
