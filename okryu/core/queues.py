"""What an operator watches of the background queues: how much waits, and for how long.

Each queue (the jobs here, the SMS outbox in notifications) names a function in
``settings.OKRYU_QUEUES`` that returns its ``QueueState``; the health check and the metrics read
them through that mapping, so this layer never imports the apps above it.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class QueueState:
    """How many items are due and not yet done, and how long the oldest has waited."""

    waiting: int
    oldest_wait_seconds: float


def load_queue_states() -> dict[str, Callable[[], QueueState]]:
    """Return the queues declared in settings, by name."""
    declared: Mapping[str, str] = settings.OKRYU_QUEUES
    return {name: import_string(path) for name, path in declared.items()}
