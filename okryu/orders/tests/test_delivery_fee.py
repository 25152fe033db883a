import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okryu.core.clock import PYONGYANG
from okryu.orders.rules import (
    DELIVERY_BASE_FEE_WON,
    SlotRefusal,
    check_slot,
    delivery_fee_won,
    road_distance_meters,
)

distances = st.integers(min_value=0, max_value=500_000)
weights = st.integers(min_value=0, max_value=2_000_000)


@pytest.mark.parametrize(
    ("distance_meters", "weight_grams", "fee_won"),
    [
        pytest.param(0, 0, 1_000, id="nothing at all"),
        pytest.param(3_000, 5_000, 1_000, id="at both base limits"),
        pytest.param(3_001, 5_000, 1_500, id="one metre past the base distance"),
        pytest.param(5_000, 5_000, 1_500, id="a whole distance step"),
        pytest.param(5_001, 5_000, 2_000, id="a second distance step begun"),
        pytest.param(3_000, 5_001, 1_300, id="one gram past the base weight"),
        pytest.param(7_500, 12_000, 3_100, id="both past the base"),
    ],
)
def test_the_delivery_fee_follows_the_table(distance_meters, weight_grams, fee_won):
    assert delivery_fee_won(distance_meters, weight_grams) == fee_won


@given(distances, distances, weights, weights)
def test_the_delivery_fee_never_falls_when_the_trip_grows(d1, d2, w1, w2):
    """Farther or heavier never costs less, and nothing costs less than the base fee."""
    low = delivery_fee_won(min(d1, d2), min(w1, w2))
    high = delivery_fee_won(max(d1, d2), max(w1, w2))

    assert DELIVERY_BASE_FEE_WON <= low <= high


def test_the_road_distance_is_the_great_circle_times_the_road_factor():
    # One degree of latitude is about 111.2 km.
    assert road_distance_meters((39.0, 125.7), (40.0, 125.7)) == pytest.approx(
        111_195 * 1.3, rel=1e-3
    )
    assert road_distance_meters((39.0, 125.7), (39.0, 125.7)) == 0


NOW = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)  # 12:00 in Pyongyang.


@pytest.mark.parametrize(
    ("starts_at", "refusal"),
    [
        pytest.param(NOW + dt.timedelta(hours=1), None, id="later today"),
        pytest.param(NOW + dt.timedelta(hours=35), None, id="tomorrow night"),
        pytest.param(NOW, SlotRefusal.IN_PAST, id="now"),
        pytest.param(NOW - dt.timedelta(hours=1), SlotRefusal.IN_PAST, id="past"),
        pytest.param(NOW + dt.timedelta(hours=36), SlotRefusal.TOO_FAR, id="after"),
        pytest.param(
            dt.datetime(2026, 12, 1, 18, 0),  # noqa: DTZ001  (naive on purpose)
            SlotRefusal.NOT_AWARE,
            id="naive",
        ),
    ],
)
def test_a_slot_is_later_today_or_tomorrow(starts_at, refusal):
    assert check_slot(starts_at, now=NOW, local_zone=PYONGYANG) == refusal
