"""Delivery slots offered at checkout: as soon as possible, or an hour later today or tomorrow.

Pure computation on the time given, so the offer can be tested for any moment of the day.
Slots are counted in Pyongyang time, where the merchants keep their hours.
"""

import datetime as dt
from dataclasses import dataclass

from okryu.core.clock import PYONGYANG

ASAP = "asap"
# Deliveries run from the first to the last slot hour of a day (local time).
FIRST_SLOT_HOUR = 9
LAST_SLOT_HOUR = 21
# A slot later today starts at least this long from now, so a merchant can prepare it.
SLOT_LEAD = dt.timedelta(hours=1)
SLOTS_MAX = 2 * (LAST_SLOT_HOUR - FIRST_SLOT_HOUR + 1)


@dataclass(frozen=True)
class Slot:
    """One delivery slot: its start (aware, Pyongyang time) and whether it is tomorrow."""

    starts_at: dt.datetime
    is_tomorrow: bool

    @property
    def value(self) -> str:
        """The slot as a form value: its start in ISO format with the offset."""
        return self.starts_at.isoformat(timespec="minutes")


def list_slots(now: dt.datetime) -> list[Slot]:
    """Return the hourly slots from ``now`` plus the lead time to the end of tomorrow."""
    assert now.tzinfo is not None, "slots are computed from an aware time"
    local = now.astimezone(PYONGYANG)
    earliest = local + SLOT_LEAD
    slots: list[Slot] = []
    for days_ahead in (0, 1):
        day = local.date() + dt.timedelta(days=days_ahead)
        for hour in range(FIRST_SLOT_HOUR, LAST_SLOT_HOUR + 1):
            starts_at = dt.datetime.combine(day, dt.time(hour), tzinfo=PYONGYANG)
            if starts_at >= earliest:
                slots.append(Slot(starts_at=starts_at, is_tomorrow=days_ahead == 1))
    assert len(slots) <= SLOTS_MAX
    return slots


def find_slot(value: str, *, now: dt.datetime) -> Slot | None:
    """Return the offered slot whose value is ``value``, or None when it is not offered now."""
    for slot in list_slots(now):
        if slot.value == value:
            return slot
    return None
