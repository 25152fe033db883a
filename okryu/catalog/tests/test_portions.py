"""A dish's day of portions: the Pyongyang day, turning at the reset hour in the morning."""

import datetime as dt

import pytest

from okryu.catalog.portions import portions_day_at

PYONGYANG_OFFSET = dt.timezone(dt.timedelta(hours=9))


@pytest.mark.parametrize(
    ("local_time", "day"),
    [
        pytest.param(dt.time(4, 59), dt.date(2026, 11, 30), id="before-the-reset"),
        pytest.param(dt.time(5, 0), dt.date(2026, 12, 1), id="at-the-reset"),
        pytest.param(dt.time(23, 59), dt.date(2026, 12, 1), id="late-evening"),
        pytest.param(dt.time(0, 30), dt.date(2026, 11, 30), id="after-midnight"),
    ],
)
def test_the_portions_day_turns_at_five_in_the_pyongyang_morning(
    settings, local_time, day
):
    settings.OKRYU_PORTIONS_RESET_HOUR = 5
    moment = dt.datetime.combine(dt.date(2026, 12, 1), local_time, PYONGYANG_OFFSET)

    assert portions_day_at(moment.astimezone(dt.UTC)) == day


def test_a_reset_at_midnight_is_the_calendar_day(settings):
    settings.OKRYU_PORTIONS_RESET_HOUR = 0
    moment = dt.datetime(2026, 12, 1, 0, 10, tzinfo=PYONGYANG_OFFSET)

    assert portions_day_at(moment) == dt.date(2026, 12, 1)
