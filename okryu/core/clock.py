"""The clock: one place to ask for the time, so tests can move it (time-machine)."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

PYONGYANG = ZoneInfo("Asia/Pyongyang")


def now() -> dt.datetime:
    """Return the current aware datetime (UTC)."""
    return timezone.now()


def local_now() -> dt.datetime:
    """Return the current time in Pyongyang, where opening hours and days are counted."""
    return timezone.now().astimezone(PYONGYANG)


def local_today() -> dt.date:
    """Return today's date in Pyongyang."""
    return local_now().date()
