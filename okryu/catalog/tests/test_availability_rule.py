"""One rule for orderable now, closed until an opening, or sold out: closed is never sold out."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from okryu.catalog.availability import Orderability, decide_availability
from okryu.core.clock import PYONGYANG
from okryu.merchants.rules import OpeningPeriod

ELEVEN_TO_NINE = [OpeningPeriod(w, dt.time(11), dt.time(21)) for w in range(7)]
MORNING = dt.datetime(2026, 12, 1, 8, 55, tzinfo=PYONGYANG)
LUNCH = dt.datetime(2026, 12, 1, 12, 0, tzinfo=PYONGYANG)


def test_a_dish_before_opening_is_closed_until_eleven_with_its_portions_left():
    standing = decide_availability(
        units=134, is_made_to_order=True, periods=ELEVEN_TO_NINE, now=MORNING
    )

    assert standing.state == Orderability.CLOSED
    assert standing.opens_at == MORNING.replace(hour=11, minute=0)
    assert standing.units == 134
    assert standing.can_be_added


def test_goods_ignore_the_hours():
    standing = decide_availability(
        units=3, is_made_to_order=False, periods=[], now=MORNING
    )

    assert standing.state == Orderability.ORDERABLE


def test_a_restaurant_opening_after_tomorrow_cannot_take_an_order_now():
    saturdays = [OpeningPeriod(5, dt.time(11), dt.time(21))]

    standing = decide_availability(
        units=10, is_made_to_order=True, periods=saturdays, now=MORNING
    )

    assert standing.state == Orderability.CLOSED
    assert standing.opens_at is None
    assert not standing.can_be_added


@given(
    units=st.integers(-5, 200),
    made_to_order=st.booleans(),
    minute=st.integers(0, 24 * 60 - 1),
)
def test_closed_is_never_sold_out_and_sold_out_means_nothing_left(
    units, made_to_order, minute
):
    now = MORNING.replace(hour=0, minute=0) + dt.timedelta(minutes=minute)
    open_now = 11 * 60 <= minute < 21 * 60

    standing = decide_availability(
        units=units, is_made_to_order=made_to_order, periods=ELEVEN_TO_NINE, now=now
    )

    if made_to_order and not open_now:
        assert standing.state == Orderability.CLOSED
    elif units <= 0:
        assert (standing.state, standing.units) == (Orderability.SOLD_OUT, 0)
    else:
        assert standing.state == Orderability.ORDERABLE
        assert standing.can_be_added


def test_a_sold_out_dish_at_lunch_is_sold_out():
    standing = decide_availability(
        units=0, is_made_to_order=True, periods=ELEVEN_TO_NINE, now=LUNCH
    )

    assert standing.state == Orderability.SOLD_OUT
