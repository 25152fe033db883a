"""Purging what has outlived its use: idempotency records, finished jobs, sent SMS.

The purges are named in ``settings.OKRYU_PURGES`` (an explicit mapping, like the job handlers),
so this module calls the apps above it without importing them. Every job worker runs them at
most once per ``OKRYU_PURGE_INTERVAL_SECONDS``; ``manage.py purge`` runs them at once (for a
timer or by hand). Each is one bounded DELETE by age, safe to run from several workers at once.
"""

import logging
from collections.abc import Callable, Mapping

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

Purge = Callable[[], int]


def load_purges() -> dict[str, Purge]:
    """Return the purges declared in settings, by name."""
    declared: Mapping[str, str] = settings.OKRYU_PURGES
    return {name: import_string(path) for name, path in declared.items()}


def run_purges(purges: Mapping[str, Purge] | None = None) -> dict[str, int]:
    """Run every purge and return how many rows each deleted."""
    deleted: dict[str, int] = {}
    for name, purge in (purges if purges is not None else load_purges()).items():
        deleted[name] = purge()
        if deleted[name]:
            logger.info("purged %s %s", deleted[name], name)
    return deleted


class PurgeSchedule:
    """Says when a long-running worker is due to purge again (monotonic, in-process)."""

    def __init__(self, *, interval_seconds: float, now: Callable[[], float]) -> None:
        assert interval_seconds > 0
        self._interval_seconds = interval_seconds
        self._now = now
        self._next: float | None = None

    def is_due(self) -> bool:
        """Return True (and schedule the next time) when the worker should purge now."""
        current = self._now()
        if self._next is not None and current < self._next:
            return False
        self._next = current + self._interval_seconds
        return True
