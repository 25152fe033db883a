import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okryu.merchants.rules import OpeningPeriod, is_open_at

MONDAY = dt.date(2026, 11, 30)  # 2026-11-30 is a Monday.


def at(day_offset: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(
        MONDAY + dt.timedelta(days=day_offset), dt.time(hour, minute)
    )


LUNCH_AND_DINNER = [
    OpeningPeriod(weekday=0, opens_at=dt.time(11), closes_at=dt.time(15)),
    OpeningPeriod(weekday=0, opens_at=dt.time(17), closes_at=dt.time(21)),
]


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        pytest.param(at(0, 10, 59), False, id="a minute before opening"),
        pytest.param(at(0, 11), True, id="at opening"),
        pytest.param(at(0, 14, 59), True, id="a minute before the break"),
        pytest.param(at(0, 15), False, id="at closing the period is over"),
        pytest.param(at(0, 18), True, id="in the second period"),
        pytest.param(at(1, 12), False, id="another weekday"),
    ],
)
def test_a_merchant_is_open_only_within_its_periods_of_the_day(moment, expected):
    assert is_open_at(LUNCH_AND_DINNER, moment) is expected


def test_a_period_past_midnight_covers_the_early_hours_of_the_next_day():
    late_bar = [OpeningPeriod(weekday=4, opens_at=dt.time(18), closes_at=dt.time(2))]

    assert is_open_at(late_bar, at(4, 23, 30)) is True
    assert is_open_at(late_bar, at(5, 1, 59)) is True
    assert is_open_at(late_bar, at(5, 2)) is False
    assert is_open_at(late_bar, at(4, 17, 59)) is False


def test_a_sunday_period_past_midnight_reaches_into_monday():
    sunday_night = [
        OpeningPeriod(weekday=6, opens_at=dt.time(20), closes_at=dt.time(1))
    ]

    assert is_open_at(sunday_night, at(0, 0, 30)) is True


def test_a_merchant_with_no_hours_is_never_open():
    assert is_open_at([], at(2, 12)) is False


@given(
    weekday=st.integers(min_value=0, max_value=6),
    minute_of_day=st.integers(min_value=0, max_value=24 * 60 - 1),
)
def test_a_round_the_clock_merchant_is_always_open(weekday, minute_of_day):
    always = [
        OpeningPeriod(weekday=day, opens_at=dt.time(0), closes_at=dt.time(0))
        for day in range(7)
    ]
    moment = at(weekday, minute_of_day // 60, minute_of_day % 60)

    assert is_open_at(always, moment) is True
