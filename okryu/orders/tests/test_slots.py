import datetime as dt

import pytest

from okryu.core.clock import PYONGYANG
from okryu.orders.rules import SlotRefusal, check_slot

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
