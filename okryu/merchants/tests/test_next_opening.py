"""When a closed merchant opens next: the time a shopper is told ("11:00에 엽니다")."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from okryu.core.clock import PYONGYANG
from okryu.merchants.rules import OpeningPeriod, is_open_at, next_opening


def every_day(opens: str, closes: str) -> list[OpeningPeriod]:
    return [
        OpeningPeriod(w, dt.time.fromisoformat(opens), dt.time.fromisoformat(closes))
        for w in range(7)
    ]


# 2026-12-01 is a Tuesday.
TUESDAY = dt.date(2026, 12, 1)


def at(day: dt.date, time: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(time), tzinfo=PYONGYANG)


def test_before_opening_it_opens_the_same_morning():
    assert next_opening(every_day("11:00", "21:00"), at(TUESDAY, "08:55")) == at(
        TUESDAY, "11:00"
    )


def test_after_closing_it_opens_the_next_morning():
    assert next_opening(every_day("11:00", "21:00"), at(TUESDAY, "21:00")) == at(
        TUESDAY + dt.timedelta(days=1), "11:00"
    )


def test_between_lunch_and_dinner_it_opens_for_dinner():
    periods = [*every_day("11:00", "14:30"), *every_day("17:00", "21:30")]

    assert next_opening(periods, at(TUESDAY, "15:00")) == at(TUESDAY, "17:00")


def test_a_day_off_is_skipped():
    periods = [p for p in every_day("11:00", "21:00") if p.weekday != 2]  # Wednesdays.

    assert next_opening(periods, at(TUESDAY, "22:00")) == at(
        TUESDAY + dt.timedelta(days=2), "11:00"
    )


def test_an_open_merchant_has_no_next_opening():
    assert next_opening(every_day("11:00", "21:00"), at(TUESDAY, "12:00")) is None


def test_a_merchant_without_hours_never_opens():
    assert next_opening([], at(TUESDAY, "12:00")) is None


def test_the_night_after_a_late_evening_is_still_open():
    assert next_opening(every_day("10:00", "01:00"), at(TUESDAY, "00:30")) is None


@given(
    opens=st.integers(0, 23),
    length=st.integers(1, 12),
    minute=st.integers(0, 7 * 24 * 60 - 1),
)
def test_the_next_opening_is_open_and_nothing_before_it_is(opens, length, minute):
    periods = every_day(f"{opens:02d}:00", f"{(opens + length) % 24:02d}:00")
    moment = at(TUESDAY, "00:00") + dt.timedelta(minutes=minute)

    opening = next_opening(periods, moment)

    if opening is None:
        assert is_open_at(periods, moment)
    else:
        assert opening > moment
        assert is_open_at(periods, opening)
        assert not is_open_at(periods, opening - dt.timedelta(minutes=1))
