"""Forecasts of daily demand: a known series falls within the interval, and the measures."""

import datetime as dt
import math

import numpy as np
import pytest

from okryu.insights.forecast import (
    Forecast,
    forecast_demand,
    mase,
    safety_margin,
    seasonal_naive,
)

WEEKLY = (0.0, -4.0, -3.0, -1.0, 2.0, 9.0, 6.0)  # Monday to Sunday, around the trend.


def trend_and_week(days: int, *, noise: float, seed: int = 7) -> list[float]:
    rng = np.random.default_rng(seed)
    noises = rng.normal(0, noise, days)
    return [
        float(30 + 0.25 * day + WEEKLY[day % 7] + noises[day]) for day in range(days)
    ]


def test_a_series_of_trend_and_weekly_season_falls_within_the_forecast_interval():
    series = trend_and_week(90 + 28, noise=1.5)
    history, future = series[:90], series[90:]

    forecast = forecast_demand(history, horizon=28, level=0.95)

    inside = [
        low <= actual <= high
        for actual, low, high in zip(future, forecast.low, forecast.high, strict=True)
    ]
    assert sum(inside) >= 26, list(
        zip(future, forecast.low, forecast.high, strict=True)
    )
    # The average of the fit on the units and the fit on their logs.
    assert forecast.method == "ets-damped-weekly-calendar-combined"
    assert all(
        low <= units <= high
        for units, low, high in zip(
            forecast.units, forecast.low, forecast.high, strict=True
        )
    )


def test_the_forecast_keeps_the_weekly_shape_and_beats_the_seasonal_naive_one():
    series = trend_and_week(90 + 28, noise=1.5, seed=11)
    history, future = series[:90], series[90:]

    forecast = forecast_demand(history, horizon=28)
    naive = seasonal_naive(history, horizon=28)

    # Day 0 of the history is a Monday, so day 90 (the forecast's first) is a Sunday.
    tuesday, saturday = 2, 6
    assert forecast.units[saturday] - forecast.units[tuesday] > 8
    assert mase(future, forecast.units, history=history) < mase(
        future, naive, history=history
    )


def test_a_week_in_proportion_to_a_growing_level_keeps_its_proportions():
    rng = np.random.default_rng(3)
    factors = (0.8, 0.7, 0.8, 0.9, 1.0, 1.4, 1.6)
    series = [
        float(rng.poisson(10 * 1.02**day * factors[day % 7])) for day in range(90)
    ]

    forecast = forecast_demand(series, horizon=14)

    sunday, tuesday = 0, 2  # Day 90 is a Sunday.
    # The true swing is 1.6 / 0.7 = 2.3; the fit on logs alone gives 2.1, the fit on the
    # units alone, adding one week's shape to a level six times higher, 1.35. Their average
    # keeps most of the swing.
    assert forecast.units[sunday] > 1.6 * forecast.units[tuesday]


def test_paydays_known_from_the_calendar_lift_the_forecast_of_the_days_after_them():
    # 2026-08-31 is a Monday; the paydays (1st and 15th) lift their day and the next two.
    first_day = dt.date(2026, 8, 31)
    rng = np.random.default_rng(5)
    series = []
    for index in range(90 + 28):
        day = first_day + dt.timedelta(days=index)
        lift = 8.0 if day.day in (1, 2, 3, 15, 16, 17) else 0.0
        series.append(20.0 + lift + WEEKLY[day.weekday()] + rng.normal(0, 1.0))

    forecast = forecast_demand(series[:90], horizon=28, first_day=first_day)

    # Day 90 is 2026-11-29: 2 December is day 3 of the forecast, 9 December day 10
    # (both Wednesdays).
    assert forecast.units[3] - forecast.units[10] > 6
    assert mase(series[90:], forecast.units, history=series[:90]) < 0.5


def test_two_weeks_with_a_payday_in_them_are_forecast_near_their_level():
    # Too few paydays to tell their lift from the weekdays': the calendar is left out.
    history = [6, 6, 0, 1, 6, 7, 7, 3, 6, 10, 7, 2, 2, 6]

    forecast = forecast_demand(history, horizon=14, first_day=dt.date(2026, 11, 23))

    mean = sum(history) / len(history)
    assert min(forecast.units) > mean / 3
    assert max(forecast.units) < mean * 2


def test_a_noiseless_exact_series_is_forecast_almost_exactly():
    series = trend_and_week(90 + 14, noise=0.0)

    forecast = forecast_demand(series[:90], horizon=14)

    # Within 3 % of each day: the fit on logs, half of the forecast, bends a season that is
    # exactly added to the level by up to 2 % (the price of the average, which wins on the
    # noisy counts shops really sell, docs/benchmarks.md).
    assert np.allclose(forecast.units, series[90:], rtol=0.03, atol=0)


def test_units_are_never_forecast_below_zero():
    history = [0, 0, 1, 0, 0, 0, 3] * 4

    forecast = forecast_demand(history, horizon=7)

    assert min(forecast.low) >= 0
    assert min(forecast.units) >= 0


def test_a_short_history_gets_a_model_it_can_support():
    assert forecast_demand([3, 4, 5, 4, 3, 4], horizon=3).method == "ets-simple"
    flat = forecast_demand([2, 4], horizon=3)
    assert flat.method == "mean"
    assert flat.units == (3.0, 3.0, 3.0)


def test_seasonal_naive_repeats_the_last_week():
    assert seasonal_naive(list(range(14)), horizon=9) == (7, 8, 9, 10, 11, 12, 13, 7, 8)


def test_mase_scales_the_error_by_the_seasonal_naive_in_sample_error():
    history = [1, 2, 3, 4, 5, 6, 7, 3, 4, 5, 6, 7, 8, 9]  # Each week 2 above the last.

    assert mase([10, 10], [9, 11], history=history) == pytest.approx(0.5)


def test_the_safety_margin_covers_the_total_at_the_forecasts_level():
    z80 = 1.2815515655446004
    forecast = Forecast(
        units=(10.0,) * 4,
        expected=(10.0,) * 4,
        low=(10 - z80 * 2,) * 4,
        high=(10 + z80 * 2,) * 4,
        level=0.8,
        method="test",
    )

    assert safety_margin(forecast) == pytest.approx(z80 * math.sqrt(4 * 2 * 2))
