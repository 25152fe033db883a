"""A merchant's week of opening hours: what it may be, and its staff replacing it."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okryu.accounts.tests.factories import UserFactory
from okryu.core import clock
from okryu.core.errors import InvalidInput, NotFound
from okryu.merchants.models import MerchantStaff, OpeningHours
from okryu.merchants.rules import (
    MINUTES_PER_DAY,
    PERIODS_PER_DAY_MAX,
    OpeningPeriod,
    find_hours_problem,
    is_open_at,
)
from okryu.merchants.services import set_opening_hours
from okryu.merchants.tests.factories import MerchantFactory


def period(weekday: int, opens: str, closes: str) -> OpeningPeriod:
    return OpeningPeriod(
        weekday=weekday,
        opens_at=dt.time.fromisoformat(opens),
        closes_at=dt.time.fromisoformat(closes),
    )


@st.composite
def disjoint_weeks(draw: st.DrawFn) -> list[OpeningPeriod]:
    """Periods cut from increasing minutes of the week, so none overlaps another."""
    cuts = sorted(
        draw(
            st.lists(st.integers(0, 7 * MINUTES_PER_DAY - 1), unique=True, max_size=14)
        )
    )
    periods = []
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        day, opens = divmod(start, MINUTES_PER_DAY)
        closes = end - day * MINUTES_PER_DAY
        if closes >= MINUTES_PER_DAY:
            continue  # would run past midnight into a day already cut
        periods.append(
            OpeningPeriod(
                weekday=day,
                opens_at=dt.time(opens // 60, opens % 60),
                closes_at=dt.time(closes // 60, closes % 60),
            )
        )
    per_day: dict[int, int] = {}
    kept = []
    for each in periods:
        per_day[each.weekday] = per_day.get(each.weekday, 0) + 1
        if per_day[each.weekday] <= PERIODS_PER_DAY_MAX:
            kept.append(each)
    return kept


@given(disjoint_weeks())
def test_periods_that_never_overlap_make_a_week(periods):
    """Any periods cut from the week without overlapping are accepted."""
    assert find_hours_problem(periods) is None


@given(disjoint_weeks(), st.data())
def test_any_period_given_twice_overlaps(periods, data):
    """Repeating a period of a week makes it overlap itself: refused."""
    roomy = [
        each
        for each in periods
        if sum(p.weekday == each.weekday for p in periods) < PERIODS_PER_DAY_MAX
    ]
    if not roomy:
        return
    repeated = data.draw(st.sampled_from(roomy))

    assert find_hours_problem([*periods, repeated]) == "overlap"


@pytest.mark.parametrize(
    ("periods", "problem"),
    [
        pytest.param(
            [period(0, "11:00", "14:30"), period(0, "17:00", "21:30")],
            None,
            id="lunch-and-dinner",
        ),
        pytest.param([period(0, "00:00", "00:00")], None, id="round-the-clock"),
        pytest.param(
            [period(0, "10:00", "15:00"), period(0, "14:00", "20:00")],
            "overlap",
            id="overlap",
        ),
        pytest.param(
            [period(6, "22:00", "02:00"), period(0, "01:00", "09:00")],
            "overlap",
            id="sunday-night-into-monday",
        ),
        pytest.param(
            [period(6, "22:00", "02:00"), period(0, "02:00", "09:00")],
            None,
            id="touching",
        ),
        pytest.param([period(7, "09:00", "18:00")], "weekday", id="weekday"),
        pytest.param([period(0, "09:00:30", "18:00")], "minutes", id="seconds"),
        pytest.param(
            [period(1, f"{h:02}:00", f"{h:02}:30") for h in range(5)],
            "too_many",
            id="five-a-day",
        ),
        pytest.param([], None, id="closed-all-week"),
    ],
)
def test_a_week_of_hours_is_checked(periods, problem):
    assert find_hours_problem(periods) == problem


@pytest.fixture
def shop():
    merchant = MerchantFactory.create()
    staff = UserFactory.create()
    MerchantStaff.objects.create(merchant=merchant, user=staff)
    OpeningHours.objects.create(
        merchant=merchant, weekday=0, opens_at=dt.time(9), closes_at=dt.time(18)
    )
    return merchant, staff


def hours_of(merchant) -> list[tuple[int, str, str]]:
    return [
        (
            row.weekday,
            row.opens_at.isoformat("minutes"),
            row.closes_at.isoformat("minutes"),
        )
        for row in OpeningHours.objects.filter(merchant=merchant).order_by(
            "weekday", "opens_at"
        )
    ]


@pytest.mark.django_db
def test_staff_replace_the_week_of_their_merchant(shop):
    merchant, staff = shop
    week = [
        period(2, "17:00", "21:30"),
        period(2, "11:00", "14:30"),
        period(5, "22:00", "02:00"),
    ]

    saved = set_opening_hours(
        staff_user_id=staff.pk, merchant_id=merchant.pk, periods=week
    )

    assert saved == [week[1], week[0], week[2]]
    assert hours_of(merchant) == [
        (2, "11:00", "14:30"),
        (2, "17:00", "21:30"),
        (5, "22:00", "02:00"),
    ]
    # Sunday 01:00 is still open: Saturday's night period runs past midnight.
    sunday_night = dt.datetime(2026, 12, 13, 1, 0, tzinfo=clock.PYONGYANG)
    assert is_open_at(saved, sunday_night) is True


@pytest.mark.django_db
def test_overlapping_hours_are_refused_and_change_nothing(shop):
    merchant, staff = shop

    with pytest.raises(InvalidInput) as refused:
        set_opening_hours(
            staff_user_id=staff.pk,
            merchant_id=merchant.pk,
            periods=[period(1, "10:00", "15:00"), period(1, "14:00", "20:00")],
        )

    assert (refused.value.code, refused.value.field) == ("invalid", "periods")
    assert refused.value.detail == "영업 시간이 서로 겹칩니다."
    assert hours_of(merchant) == [(0, "09:00", "18:00")]


@pytest.mark.django_db
def test_someone_not_of_the_merchants_staff_finds_no_merchant(shop):
    merchant, _staff = shop
    stranger = UserFactory.create()
    MerchantStaff.objects.create(merchant=MerchantFactory.create(), user=stranger)

    with pytest.raises(NotFound):
        set_opening_hours(
            staff_user_id=stranger.pk, merchant_id=merchant.pk, periods=[]
        )

    assert hours_of(merchant) == [(0, "09:00", "18:00")]
