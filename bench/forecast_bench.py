"""Forecast backtest: ETS against the seasonal-naive forecast on simulated demand histories.

Run: ``.venv/bin/python -m bench.forecast_bench [--products 60] [--seed 7]``.
Simulates each product's demand with the demo's demand model (``okryu.demo.demand``: weekly
rhythm, paydays, holidays, shortages) for 90 + 28 days, forecasts the last 28 days from the
first 90 (demand = sold + unmet, as ``okryu.insights`` does) and scores both forecasts by
MASE. Prints the mean MASE of each, how much lower the ETS one is, the share of actual days
inside the 80 % interval and the fitting time. Writes var/bench/forecast.json.
"""

import argparse
import datetime as dt
import json
import platform
import random
import statistics
import time
from typing import Any

from bench import server

HISTORY_DAYS = 90
HORIZON_DAYS = 28
START = dt.date(
    2026, 8, 31
)  # A Monday; the test window then spans the October holidays.


def backtest(products: int, seed: int) -> dict[str, Any]:
    """Backtest ``products`` simulated products; return the figures."""
    from okryu.demo.demand import ProductDemand, simulate_product
    from okryu.insights.forecast import forecast_demand, mase, seasonal_naive

    rng = random.Random(seed)
    ets_scores, naive_scores, covered, seconds = [], [], [], []
    for index in range(products):
        kind = index % 3
        base = rng.lognormvariate(1.5, 0.8)
        profile = ProductDemand(
            base_per_day=base,
            trend_per_day=rng.uniform(-0.01, 0.03) * base,
            is_dish=kind == 1,
            restock_every_days=7,
            restock_units=round(base * 7 * rng.uniform(0.8, 1.1)) if kind == 2 else 0,
        )
        days = simulate_product(
            profile,
            start=START,
            days=HISTORY_DAYS + HORIZON_DAYS,
            seed=seed * 1000 + index,
        )
        demand = [day.sold + day.unmet for day in days]
        history, actual = demand[:HISTORY_DAYS], demand[HISTORY_DAYS:]
        started = time.perf_counter()
        forecast = forecast_demand(history, horizon=HORIZON_DAYS)
        seconds.append(time.perf_counter() - started)
        naive_units = seasonal_naive(history, horizon=HORIZON_DAYS)
        ets_scores.append(mase(actual, forecast.units, history=history))
        naive_scores.append(mase(actual, naive_units, history=history))
        covered += [
            low <= value <= high
            for value, low, high in zip(
                actual, forecast.low, forecast.high, strict=True
            )
        ]
    ets, naive = statistics.mean(ets_scores), statistics.mean(naive_scores)
    return {
        "products": products,
        "seed": seed,
        "mase_ets": round(ets, 3),
        "mase_seasonal_naive": round(naive, 3),
        "ets_lower_by_percent": round(100 * (1 - ets / naive), 1),
        "products_where_ets_is_better": sum(
            e < n for e, n in zip(ets_scores, naive_scores, strict=True)
        ),
        "interval_80_coverage_percent": round(100 * sum(covered) / len(covered), 1),
        "fit_ms_p50": round(1000 * statistics.median(seconds), 1),
        "fit_ms_max": round(1000 * max(seconds), 1),
    }


def main() -> None:
    """Run the backtest and print and store its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    figures = backtest(arguments.products, arguments.seed)
    figures["machine"] = platform.platform()
    for key, value in figures.items():
        print(f"{key}: {value}")
    server.BENCH_VAR.mkdir(parents=True, exist_ok=True)
    (server.BENCH_VAR / "forecast.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
