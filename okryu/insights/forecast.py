"""Daily demand forecasts with an interval, and the measures of a backtest.

The model is statsmodels' ETS (exponential smoothing state space: additive error, damped
additive trend, additive weekly season; docs/adr/0014-forecasts-with-statsmodels-ets.md says
why). Its prediction interval is the model's own. Shorter histories get a model they can
support: fewer than two weeks, no season; fewer than ``HISTORY_DAYS_MIN`` days, the mean.
Units cannot be negative, so forecasts and bounds are clipped at zero.
"""

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SEASON_DAYS = 7
HISTORY_DAYS_MIN = 4
DEFAULT_LEVEL = 0.8


@dataclass(frozen=True)
class Forecast:
    """Units expected on each future day, with the interval at ``level``."""

    units: tuple[float, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    level: float
    method: str


def forecast_demand(
    history: Sequence[float], *, horizon: int, level: float = DEFAULT_LEVEL
) -> Forecast:
    """Forecast ``horizon`` days after ``history`` (one value a day, oldest first)."""
    assert horizon > 0
    assert 0 < level < 1
    values = np.asarray(history, dtype=float)
    if len(values) < HISTORY_DAYS_MIN:
        return _flat(values, horizon=horizon, level=level)
    # The heuristic initialisation needs ten days at least and two seasons with one.
    seasonal = len(values) >= 2 * SEASON_DAYS
    # Imported here: statsmodels takes about a second to import, which only the insight
    # pages and the backtest should pay, not every process start.
    import pandas as pd  # noqa: PLC0415
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel  # noqa: PLC0415

    model = ETSModel(
        # A pandas series: statsmodels labels the prediction's rows with its index.
        pd.Series(values),
        error="add",
        trend="add" if seasonal else None,
        damped_trend=seasonal,
        seasonal="add" if seasonal else None,
        seasonal_periods=SEASON_DAYS if seasonal else None,
        # Initial states from the first seasons (Hyndman et al. 2.6) rather than estimated
        # with the rest: eight times faster here, and as accurate in the backtest.
        initialization_method="heuristic" if seasonal else "estimated",
    )
    with warnings.catch_warnings():
        # The optimiser's convergence notes say nothing the interval does not already.
        warnings.simplefilter("ignore")
        fitted = model.fit(disp=False, maxiter=200)
        frame = fitted.get_prediction(
            start=len(values), end=len(values) + horizon - 1
        ).summary_frame(alpha=1 - level)
    units = np.clip(frame["mean"].to_numpy(), 0, None)
    low = np.clip(frame["pi_lower"].to_numpy(), 0, None)
    high = np.clip(frame["pi_upper"].to_numpy(), 0, None)
    return Forecast(
        units=tuple(float(v) for v in units),
        low=tuple(float(v) for v in low),
        high=tuple(float(v) for v in high),
        level=level,
        method="ets-damped-weekly" if seasonal else "ets-simple",
    )


def _flat(values: np.ndarray, *, horizon: int, level: float) -> Forecast:
    mean = float(values.mean()) if len(values) else 0.0
    spread = float(values.std()) if len(values) > 1 else mean
    z = _normal_quantile(0.5 + level / 2)
    return Forecast(
        units=(mean,) * horizon,
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
