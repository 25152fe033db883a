"""Daily demand forecasts with an interval, and the measures of a backtest.

The model (docs/adr/0014-forecasts-with-statsmodels-ets.md says why): the weekday's effect
and, given eight weeks of history, the calendar's (the days after a payday, a holiday and its
eve: ``okryu.insights.calendar``, known in advance) are estimated together by least squares
with a linear trend and taken out of the history; statsmodels' ETS (exponential smoothing
state space: additive error, damped additive trend, no season) forecasts what is left; the
effects of the forecast's own days are then put back. The same is fitted twice: on the units
(effects added to the level) and on ``log(1 + units)`` (effects in proportion to the level, as
a week's rhythm is when sales grow). Neither is right for every product, and a few units a
day do not tell them apart reliably, so the forecast is the plain average of the two. Picking
one by likelihood, weighing them by likelihood, and weighing them by their errors on the
history's last four weeks were each less accurate on the backtest's histories
(docs/benchmarks.md): estimated weights add noise of their own, which is why a plain average
of reasonable forecasts is so hard to beat. Its price: a series that is exactly one of the
two is forecast a little less exactly (within 2-3 % of an additive week; a week in proportion
to a level growing sixfold keeps about three quarters of its swing).

Each day's point forecast is the median of its predictive distribution, not the mean: a day's
sales are a small count, skewed to the right (most days a few units, some days many), so the
mean is pulled above most days, and the median is what an absolute error (the MASE a backtest
scores) is smallest for. Each fit's median is its forecast moved by the median of its one-step
errors on the history, on the scale it was fitted on. Totals (the suggested quantity, a week)
add up the means (``Forecast.expected``): a sum of many days is as likely above its mean as
below, and a sum of medians would fall short of it.

The prediction interval spans both fits' own intervals (each the ETS model's, moved by the
effects, and turned back from logs: quantiles survive a monotone transform), so it carries the
doubt about which fit is right as well as each fit's own. Shorter histories get a model they
can support: fewer than two weeks, ETS with no trend and no season on the units; fewer than
``HISTORY_DAYS_MIN`` days, the mean. Units cannot be negative, so forecasts and bounds are
clipped at zero.
"""

import datetime as dt
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from okryu.insights.calendar import is_after_payday, is_holiday_or_eve

SEASON_DAYS = 7
HISTORY_DAYS_MIN = 4
# Paydays and holidays are regressors only with this many days of history: in a shorter
# one a payday's few days are too few to tell its lift from the weekday's and the noise.
CALENDAR_HISTORY_DAYS_MIN = 56
DEFAULT_LEVEL = 0.8


@dataclass(frozen=True)
class Forecast:
    """Units expected on each future day, with the interval at ``level``.

    ``units`` is each day's median (the point forecast), ``expected`` its mean (for totals).
    """

    units: tuple[float, ...]
    expected: tuple[float, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    level: float
    method: str


@dataclass(frozen=True)
class _Fit:
    units: np.ndarray
    low: np.ndarray
    high: np.ndarray
    # The median of the fit's one-step errors on the history, on the fit's own scale: the
    # forecast plus it is the predictive median.
    median_error: float


def forecast_demand(
    history: Sequence[float],
    *,
    horizon: int,
    level: float = DEFAULT_LEVEL,
    first_day: dt.date | None = None,
) -> Forecast:
    """Forecast ``horizon`` days after ``history`` (one value a day, oldest first).

    ``first_day`` is the calendar day of ``history[0]``; without it the weekdays are counted
    from the history's first day and no payday or holiday is known.
    """
    assert horizon > 0
    assert 0 < level < 1
    values = np.asarray(history, dtype=float)
    if len(values) < HISTORY_DAYS_MIN:
        return _flat(values, horizon=horizon, level=level)
    if len(values) < 2 * SEASON_DAYS:
        fit = _ets(values, horizon=horizon, level=level, trend=False)
        return _forecast(
            median=fit.units + fit.median_error,
            expected=fit.units,
            low=fit.low,
            high=fit.high,
            level=level,
            method="ets-simple",
        )
    past, future = _calendar(len(values), horizon=horizon, first_day=first_day)
    linear = _calendar_ets(values, past, future, horizon=horizon, level=level)
    logged = _calendar_ets(np.log1p(values), past, future, horizon=horizon, level=level)
    # The log fit's errors are normal on the log scale, so its units are log-normal: their
    # mean is exp(mean + variance / 2) - 1, the variance read from the interval's width.
    spread = (logged.high - logged.low) / (2 * _normal_quantile(0.5 + level / 2))
    return _forecast(
        median=(
            linear.units
            + linear.median_error
            + np.expm1(logged.units + logged.median_error)
        )
        / 2,
        expected=(linear.units + np.expm1(logged.units + spread * spread / 2)) / 2,
        low=np.minimum(linear.low, np.expm1(logged.low)),
        high=np.maximum(linear.high, np.expm1(logged.high)),
        level=level,
        method="ets-damped-weekly-calendar-combined",
    )


def _forecast(
    *,
    median: np.ndarray,
    expected: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    level: float,
    method: str,
) -> Forecast:
    low = np.clip(low, 0, None)
    high = np.clip(high, 0, None)
    return Forecast(
        # The median stays inside the interval however skewed the history's errors were.
        units=tuple(float(v) for v in np.clip(median, low, high)),
        expected=tuple(float(v) for v in np.clip(expected, 0, None)),
        low=tuple(float(v) for v in low),
        high=tuple(float(v) for v in high),
        level=level,
        method=method,
    )


def _calendar(
    days: int, *, horizon: int, first_day: dt.date | None
) -> tuple[np.ndarray, np.ndarray]:
    """Return the regressors of the history's days and of the forecast's: one column per
    weekday, then (with dates and a long enough history) one for the days after a payday
    and one for holidays and their eves."""
    with_calendar = days >= CALENDAR_HISTORY_DAYS_MIN
    rows = []
    for index in range(days + horizon):
        weekday = [0.0] * SEASON_DAYS
        if first_day is None:
            weekday[index % SEASON_DAYS] = 1.0
            rows.append(weekday)
            continue
        day = first_day + dt.timedelta(days=index)
        weekday[day.weekday()] = 1.0
        calendar = (
            [float(is_after_payday(day)), float(is_holiday_or_eve(day))]
            if with_calendar
            else []
        )
        rows.append([*weekday, *calendar])
    matrix = np.asarray(rows)
    return matrix[:days], matrix[days:]


def _calendar_ets(
    values: np.ndarray,
    past: np.ndarray,
    future: np.ndarray,
    *,
    horizon: int,
    level: float,
) -> _Fit:
    """Take the weekday and calendar effects out, forecast the rest, put them back."""
    days = len(values)
    trend = np.arange(days, dtype=float)[:, None] / days
    design = np.hstack([past, trend])
    # Least squares; a calendar column that is all zeros (no holiday in the history) gets
    # the minimum-norm coefficient, zero.
    coefficients = np.linalg.lstsq(design, values, rcond=None)[0]
    effects = np.delete(coefficients, past.shape[1])  # All but the trend's.
    # Weekday effects around their mean: the level stays in what ETS forecasts.
    effects[:SEASON_DAYS] -= effects[:SEASON_DAYS].mean()
    fit = _ets(values - past @ effects, horizon=horizon, level=level, trend=True)
    shift = future @ effects
    return _Fit(
        units=fit.units + shift,
        low=fit.low + shift,
        high=fit.high + shift,
        median_error=fit.median_error,
    )


def _ets(values: np.ndarray, *, horizon: int, level: float, trend: bool) -> _Fit:
    # Imported here: statsmodels takes about a second to import, which only the insight
    # pages and the backtest should pay, not every process start.
    import pandas as pd  # noqa: PLC0415
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel  # noqa: PLC0415

    model = ETSModel(
        # A pandas series: statsmodels labels the prediction's rows with its index.
        pd.Series(values),
        error="add",
        trend="add" if trend else None,
        damped_trend=trend,
        initialization_method="estimated",
    )
    with warnings.catch_warnings():
        # The optimiser's convergence notes say nothing the interval does not already.
        warnings.simplefilter("ignore")
        fitted = model.fit(disp=False, maxiter=200)
        frame = fitted.get_prediction(
            start=len(values), end=len(values) + horizon - 1
        ).summary_frame(alpha=1 - level)
    return _Fit(
        units=frame["mean"].to_numpy(),
        low=frame["pi_lower"].to_numpy(),
        high=frame["pi_upper"].to_numpy(),
        median_error=float(np.median(fitted.resid)),
    )


def _flat(values: np.ndarray, *, horizon: int, level: float) -> Forecast:
    mean = float(values.mean()) if len(values) else 0.0
    spread = float(values.std()) if len(values) > 1 else mean
    z = _normal_quantile(0.5 + level / 2)
    return Forecast(
        units=(mean,) * horizon,
        expected=(mean,) * horizon,
        low=(max(mean - z * spread, 0.0),) * horizon,
        high=(mean + z * spread,) * horizon,
        level=level,
        method="mean",
    )


def _normal_quantile(p: float) -> float:
    from scipy.stats import norm  # noqa: PLC0415

    return float(norm.ppf(p))


def seasonal_naive(history: Sequence[float], *, horizon: int) -> tuple[float, ...]:
    """Forecast each day as the same weekday of the last week of ``history``."""
    assert len(history) >= SEASON_DAYS
    last_week = list(history[-SEASON_DAYS:])
    return tuple(float(last_week[i % SEASON_DAYS]) for i in range(horizon))


def mase(
    actual: Sequence[float], predicted: Sequence[float], *, history: Sequence[float]
) -> float:
    """Mean absolute scaled error: the forecast's mean absolute error over the in-sample
    mean absolute error of the seasonal-naive forecast on ``history`` (Hyndman & Koehler)."""
    assert len(actual) == len(predicted) > 0
    values = np.asarray(history, dtype=float)
    scale = float(np.mean(np.abs(values[SEASON_DAYS:] - values[:-SEASON_DAYS])))
    error = float(np.mean(np.abs(np.asarray(actual) - np.asarray(predicted))))
    return error / scale if scale > 0 else math.inf


def safety_margin(forecast: Forecast) -> float:
    """Units to add to the forecast total so the total is covered at the forecast's level.

    Each day's interval gives its spread (half-width over the normal quantile); days are
    taken as independent, so the total's spread is the root of the summed squares.
    """
    z = _normal_quantile(0.5 + forecast.level / 2)
    if z <= 0:
        return 0.0
    spreads = [
        (high - low) / (2 * z)
        for low, high in zip(forecast.low, forecast.high, strict=True)
    ]
    return z * math.sqrt(sum(spread * spread for spread in spreads))
