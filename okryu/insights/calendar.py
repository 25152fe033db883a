"""The days known in advance that lift demand: paydays and the national holidays.

A forecast may use them as regressors because they are in the calendar before they come (the
lift itself is estimated from each product's own history, ``okryu.insights.forecast``). The
assumptions here are the trade's common knowledge: wages (the 1st and the 15th) are spent in
the first ``PAYDAY_WINDOW_DAYS`` days after them; people buy for a holiday on its eve and on
the day itself.
"""

import datetime as dt

# (month, day): New Year, the Day of the Shining Star, the Day of the Sun, May Day, Victory
# Day, the Foundation Day, the Party Foundation Day, the Constitution Day.
HOLIDAYS = frozenset(
    {(1, 1), (2, 16), (4, 15), (5, 1), (7, 27), (9, 9), (10, 10), (12, 27)}
)
PAYDAYS = (1, 15)
PAYDAY_WINDOW_DAYS = 3


def is_after_payday(day: dt.date) -> bool:
    """Whether ``day`` is a payday or one of the days just after it."""
    return any(
        0 <= (day - day.replace(day=payday)).days < PAYDAY_WINDOW_DAYS
        for payday in PAYDAYS
    )


def is_holiday_or_eve(day: dt.date) -> bool:
    """Whether ``day`` is a national holiday or the day before one."""
    tomorrow = day + dt.timedelta(days=1)
    return (day.month, day.day) in HOLIDAYS or (
        tomorrow.month,
        tomorrow.day,
    ) in HOLIDAYS
