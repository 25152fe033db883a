"""The demand model: weekly rhythm, paydays, holidays, meal times and shortages."""

import datetime as dt

import pytest

from okryu.demo.demand import ProductDemand, expected_units, simulate_product

MONDAY = dt.date(2026, 9, 7)


def test_sunday_is_busier_than_tuesday():
    product = ProductDemand(base_per_day=10)
    sunday = MONDAY + dt.timedelta(days=6)
    tuesday = MONDAY + dt.timedelta(days=1)

    assert expected_units(product, sunday, 0) > expected_units(product, tuesday, 0)


def test_paydays_and_the_eve_of_a_holiday_lift_demand():
    product = ProductDemand(base_per_day=10)
    # 2026-09-08 is the eve of the Foundation Day (9 September); 09-01 is a payday.
    ordinary = expected_units(product, dt.date(2026, 9, 22), 0)  # a Tuesday
    eve = expected_units(product, dt.date(2026, 9, 8), 0)  # a Tuesday
    payday = expected_units(product, dt.date(2026, 9, 1), 0)  # a Tuesday

    assert eve == pytest.approx(ordinary * 1.5)
    assert payday == pytest.approx(ordinary * 1.2)


def test_dishes_are_wanted_at_meal_times():
    days = simulate_product(
        ProductDemand(base_per_day=40, is_dish=True), start=MONDAY, days=7, seed=1
    )

    hours = [hour for day in days for hour in day.hours]
    assert set(hours) <= {11, 12, 13, 17, 18, 19, 20}


def test_an_empty_shelf_turns_the_rest_of_the_wishes_into_unmet_demand():
    days = simulate_product(
        ProductDemand(base_per_day=10, restock_every_days=7, restock_units=40),
        start=MONDAY,
        days=28,
        seed=3,
    )

    assert all(day.sold + day.unmet == day.wanted for day in days)
    assert sum(day.sold for day in days) <= 4 * 40
    assert sum(day.unmet for day in days) > 0


def test_the_same_seed_gives_the_same_history():
    product = ProductDemand(base_per_day=5, trend_per_day=0.1)

    assert simulate_product(product, start=MONDAY, days=30, seed=9) == simulate_product(
        product, start=MONDAY, days=30, seed=9
    )
