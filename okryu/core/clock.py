"""The clock: one place to ask for the time, so tests can move it (time-machine).

A simulation (``manage.py simulate_demand``) runs the real services at simulated times: inside
``simulated(start)`` this thread's ``now()`` is the simulated clock's, which only the
simulation moves. Columns filled by the database or by ``auto_now_add`` keep the real time
they were written at.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from zoneinfo import ZoneInfo

from django.utils import timezone

PYONGYANG = ZoneInfo("Asia/Pyongyang")


class SimulatedClock:
    """A clock that stands still until it is moved forward."""

    def __init__(self, start: dt.datetime) -> None:
        assert start.tzinfo is not None, "a simulated time is aware"
        self._now = start

    def now(self) -> dt.datetime:
        """Return the simulated time."""
        return self._now

    def move_to(self, moment: dt.datetime) -> None:
        """Move the clock forward to ``moment`` (never back: time does not run backwards)."""
        assert moment.tzinfo is not None
        assert moment >= self._now, "a simulated clock only moves forward"
        self._now = moment


_simulated: ContextVar[SimulatedClock | None] = ContextVar(
    "okryu_simulated_clock", default=None
)


@contextmanager
def simulated(start: dt.datetime) -> Iterator[SimulatedClock]:
    """Run the block on a simulated clock starting at ``start``; yield it to move it."""
    simulated_clock = SimulatedClock(start)
    token = _simulated.set(simulated_clock)
    try:
        yield simulated_clock
    finally:
        _simulated.reset(token)


def now() -> dt.datetime:
    """Return the current aware datetime (UTC, or the simulated clock's time)."""
    simulated_clock = _simulated.get()
    if simulated_clock is not None:
        return simulated_clock.now()
    return timezone.now()


def local_now() -> dt.datetime:
    """Return the current time in Pyongyang, where opening hours and days are counted."""
    return now().astimezone(PYONGYANG)


def local_today() -> dt.date:
    """Return today's date in Pyongyang."""
    return local_now().date()
