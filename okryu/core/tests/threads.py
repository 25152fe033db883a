"""Racing real threads against the database, for the concurrency tests of every app."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.db import connection

from okryu.core.errors import DomainError

RACERS_MAX = 128


def race(work: Callable[[int], object], count: int) -> list[object]:
    """Run ``work(0)`` … ``work(count - 1)`` on ``count`` threads released at one instant.

    Returns each call's result in order, or the stable code of the domain error it raised
    (a refusal is an answer, not a crash). Each thread closes its own database connection.
    """
    assert 0 < count <= RACERS_MAX
    start = threading.Barrier(count)

    def run(index: int) -> object:
        try:
            start.wait()
            return work(index)
        except DomainError as error:
            return error.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))
