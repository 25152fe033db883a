"""Pure rules about merchants: when they are open, and what a week of hours may be."""

import datetime as dt
from collections.abc import Iterable, Sequence
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


MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = DAYS_PER_WEEK * MINUTES_PER_DAY
# A merchant opens at most this many times a day (lunch and dinner, a night shift, ...).
PERIODS_PER_DAY_MAX = 4


def _week_minutes(period: OpeningPeriod) -> tuple[int, int]:
    """The period as (start, length) in minutes from Monday 00:00; a period that closes at or
    before it opens runs past midnight (00:00–00:00 is the whole day)."""
    opens = period.opens_at.hour * 60 + period.opens_at.minute
    closes = period.closes_at.hour * 60 + period.closes_at.minute
    length = (closes - opens) % MINUTES_PER_DAY or MINUTES_PER_DAY
    return period.weekday * MINUTES_PER_DAY + opens, length


def _overlap(first: tuple[int, int], second: tuple[int, int]) -> bool:
    """Whether two (start, length) spans of the week overlap (the week wraps round)."""
    (start_1, length_1), (start_2, length_2) = first, second
    return (start_2 - start_1) % MINUTES_PER_WEEK < length_1 or (
        start_1 - start_2
    ) % MINUTES_PER_WEEK < length_2


def find_hours_problem(periods: Sequence[OpeningPeriod]) -> str | None:
    """Return why ``periods`` cannot be a merchant's week, or None when they can.

    A weekday is 0 (Monday) to 6; times are whole minutes; at most ``PERIODS_PER_DAY_MAX``
    periods start on one day; no two periods overlap, also past midnight (Sunday night runs
    into Monday). An empty week is allowed: the merchant is closed.
    """
    for period in periods:
        if not 0 <= period.weekday < DAYS_PER_WEEK:
            return "weekday"
        if any(t.second or t.microsecond for t in (period.opens_at, period.closes_at)):
            return "minutes"
    per_day = [sum(p.weekday == day for p in periods) for day in range(DAYS_PER_WEEK)]
    if max(per_day, default=0) > PERIODS_PER_DAY_MAX:
        return "too_many"
    spans = [_week_minutes(period) for period in periods]
    for index, span in enumerate(spans):
        if any(_overlap(span, other) for other in spans[index + 1 :]):
            return "overlap"
    return None


# Hours are looked ahead this many days for the next opening (a week and a night).
OPENING_LOOKAHEAD_DAYS = DAYS_PER_WEEK + 1


def next_opening(
    periods: Iterable[OpeningPeriod], after: dt.datetime
) -> dt.datetime | None:
    """Return when the merchant next opens at or after ``after`` (an aware local datetime).

    None when it is open at ``after`` already, or has no period at all in the week ahead
    (closed until further notice). A period is counted from its weekday's date.
    """
    assert after.tzinfo is not None, "opening times are aware"
    periods = tuple(periods)
    if is_open_at(periods, after):
        return None
    starts = (
        dt.datetime.combine(day, period.opens_at, tzinfo=after.tzinfo)
        for offset in range(OPENING_LOOKAHEAD_DAYS)
        for day in (after.date() + dt.timedelta(days=offset),)
        for period in periods
        if period.weekday == day.weekday()
    )
    return min((start for start in starts if start >= after), default=None)
