"""Pure rules about merchants: when they are open."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

DAYS_PER_WEEK = 7


@dataclass(frozen=True)
class OpeningPeriod:
    """A merchant's opening period on one weekday (0 is Monday); may run past midnight."""

    weekday: int
    opens_at: dt.time
    closes_at: dt.time

    @property
    def runs_past_midnight(self) -> bool:
        return self.closes_at <= self.opens_at


def is_open_at(periods: Iterable[OpeningPeriod], moment: dt.datetime) -> bool:
    """Return whether any period covers ``moment`` (a local, naive or aware, datetime).

    A period that runs past midnight covers the early hours of the following weekday.
    """
    weekday = moment.weekday()
    time_of_day = moment.time().replace(tzinfo=None)
    yesterday = (weekday - 1) % DAYS_PER_WEEK
    for period in periods:
        assert 0 <= period.weekday < DAYS_PER_WEEK
        if period.weekday == weekday:
            if period.runs_past_midnight:
                if time_of_day >= period.opens_at:
                    return True
            elif period.opens_at <= time_of_day < period.closes_at:
                return True
        if (
            period.weekday == yesterday
            and period.runs_past_midnight
            and time_of_day < period.closes_at
        ):
            return True
    return False
