"""Forecast backtest: the forecast against the seasonal-naive one, on two demand histories.

Run: ``.venv/bin/python -m bench.forecast_bench [--products 60] [--seed 7]
[--demo-products 12] [--skip-demo-history]``.

1. *Synthetic*: each product's demand is drawn from the demo's demand model
   (``okryu.demo.demand``: weekly rhythm, paydays, holidays, shortages) for 90 + 28 days.
2. *Demo history*: ``simulate_demand`` writes 90 + 28 days of orders, refusals and waitlist
   entries through the real services into var/bench/demand-history.sqlite3 (kept between
   runs: a second run only reads it), and each simulated product's demand is read back the
   way the insight pages read it (``okryu.insights.series``: sold + unmet per day).

Both forecast the last 28 days from the first 90 (``okryu.insights.forecast``) and score the
forecast and the seasonal-naive one by MASE. Prints the mean MASE of each, how much lower the
forecast's is, the share of actual days inside the 80 % interval and the fitting time.
Writes var/bench/forecast.json.
"""

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import random
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bench import server

HISTORY_DAYS = 90
HORIZON_DAYS = 28
# A Monday; the test window (2026-11-29 to 12-26) holds two paydays and a holiday's eve.
START = dt.date(2026, 8, 31)
# The demo history's last day: its test window (2026-09-20 to 10-17) holds two paydays and
# the Party Foundation Day; its first 90 days the Victory Day and the Foundation Day.
DEMO_LAST_DAY = dt.date(2026, 10, 17)
DEMO_DATABASE = server.BENCH_VAR / "demand-history.sqlite3"
DEMO_STAMP = server.BENCH_VAR / "demand-history.json"


@dataclass
class Scores:
    """Each product's MASE for both forecasts, the days inside the interval, fit times."""

    forecast: list[float] = field(default_factory=list)
    naive: list[float] = field(default_factory=list)
    covered: list[bool] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    methods: dict[str, int] = field(default_factory=dict)
    skipped: int = 0

    def add(self, demand: Sequence[float], *, first_day: dt.date) -> None:
        """Backtest one product's ``HISTORY_DAYS + HORIZON_DAYS`` days of demand."""
        from okryu.insights.forecast import (
            SEASON_DAYS,
            forecast_demand,
            mase,
            seasonal_naive,
        )

        if not self.seconds:
            # statsmodels is imported at the first fit (a second or more): not a fit's time.
            forecast_demand([1.0, 2.0] * SEASON_DAYS, horizon=1)
        history, actual = demand[:HISTORY_DAYS], demand[HISTORY_DAYS:]
        if all(a == b for a, b in zip(history[SEASON_DAYS:], history, strict=False)):
            self.skipped += 1  # No in-sample error to scale by: MASE is undefined.
            return
        started = time.perf_counter()
        forecast = forecast_demand(history, horizon=HORIZON_DAYS, first_day=first_day)
        self.seconds.append(time.perf_counter() - started)
        self.methods[forecast.method] = self.methods.get(forecast.method, 0) + 1
        naive = seasonal_naive(history, horizon=HORIZON_DAYS)
        self.forecast.append(mase(actual, forecast.units, history=history))
        self.naive.append(mase(actual, naive, history=history))
        self.covered += [
            low <= value <= high
            for value, low, high in zip(
                actual, forecast.low, forecast.high, strict=True
            )
        ]

    def figures(self) -> dict[str, Any]:
        """Return the mean MASE of both, how much lower, coverage and fit times."""
        ours, naive = statistics.mean(self.forecast), statistics.mean(self.naive)
        return {
            "products": len(self.forecast),
            "products_skipped_constant": self.skipped,
            "mase_forecast": round(ours, 3),
            "mase_seasonal_naive": round(naive, 3),
            "forecast_lower_by_percent": round(100 * (1 - ours / naive), 1),
            "products_where_forecast_is_better": sum(
                f < n for f, n in zip(self.forecast, self.naive, strict=True)
            ),
            "interval_80_coverage_percent": round(
                100 * sum(self.covered) / len(self.covered), 1
            ),
            "fit_ms_p50": round(1000 * statistics.median(self.seconds), 1),
            "fit_ms_max": round(1000 * max(self.seconds), 1),
            "methods": self.methods,
        }


def backtest(products: int, seed: int) -> dict[str, Any]:
    """Backtest ``products`` products simulated by the demand model alone."""
    from okryu.demo.demand import ProductDemand, simulate_product

    rng = random.Random(seed)
    scores = Scores()
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
        scores.add([day.sold + day.unmet for day in days], first_day=START)
    return {"seed": seed, **scores.figures()}


def demo_history_backtest(products: int, seed: int) -> dict[str, Any]:
    """Simulate the demo history (when not there yet) and backtest its products.

    Runs inside Django (``manage.py shell``) against the demo-history database.
    """
    from okryu.catalog.audit import audit_stock
    from okryu.delivery.audit import audit_delivery
    from okryu.demo.history import HistoryPlan, simulate_history
    from okryu.insights.series import daily_series
    from okryu.orders.audit import audit_orders
    from okryu.payments.audit import audit_ledger
    from okryu.payments.counter_audit import audit_counter

    days = HISTORY_DAYS + HORIZON_DAYS
    report = simulate_history(
        HistoryPlan(days=days, seed=seed, products=products, last_day=DEMO_LAST_DAY)
    )
    first_day = DEMO_LAST_DAY - dt.timedelta(days=days - 1)
    scores = Scores()
    for product_id in _simulated_product_ids(first_day):
        series = daily_series(product_id=product_id, start=first_day, end=DEMO_LAST_DAY)
        scores.add(series.demand, first_day=first_day)
    # Every rule's count of rows breaking it; the stock audit's fields are all such counts.
    violations = sum(dataclasses.astuple(audit_stock())) + sum(
        audit.violations
        for audit in (audit_ledger(), audit_orders(), audit_delivery(), audit_counter())
    )
    simulation: dict[str, Any] = {"audit_violations": violations}
    if report.days:
        simulation |= {
            "days_simulated_now": report.days,
            "orders": report.orders_placed,
            "units_sold": report.units_sold,
            "units_refused": report.refused_units,
            "waitlist_entries": report.waitlist_entries,
            "seconds": round(report.seconds, 1),
            "orders_per_second": round(report.orders_per_second, 1),
        }
    return {"seed": seed, "simulation": simulation, **scores.figures()}


def _simulated_product_ids(first_day: dt.date) -> list[int]:
    from okryu.catalog.models import UnmetDemand
    from okryu.demo.history import SHOPPER_PREFIX
    from okryu.orders.models import OrderLine

    sold = OrderLine.objects.filter(
        fulfilment__order__shopper__username__startswith=SHOPPER_PREFIX
    ).values_list("product_id", flat=True)
    unmet = UnmetDemand.objects.filter(at__date__gte=first_day).values_list(
        "product_id", flat=True
    )
    return sorted(set(sold) | set(unmet))


def run_demo_history(products: int, seed: int) -> dict[str, Any]:
    """Prepare the demo-history database and run its backtest in a Django process."""
    wanted = {"products": products, "seed": seed, "last_day": DEMO_LAST_DAY.isoformat()}
    if DEMO_STAMP.exists() and json.loads(DEMO_STAMP.read_text()) != wanted:
        DEMO_DATABASE.unlink(missing_ok=True)  # Another history was asked for.
    url = f"sqlite:///{DEMO_DATABASE}"
    server.manage(url, "migrate", "--no-input", "-v", "0")
    server.manage(url, "load_demo_data", "--no-history")
    DEMO_STAMP.write_text(json.dumps(wanted))
    output = server.manage(
        url,
        "shell",
        "-c",
        "import json; from bench.forecast_bench import demo_history_backtest; "
        f"print(json.dumps(demo_history_backtest({products}, {seed})))",
    )
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def main() -> None:
    """Run both backtests and print and store their figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--demo-products", type=int, default=12)
    parser.add_argument("--skip-demo-history", action="store_true")
    arguments = parser.parse_args()
    figures: dict[str, Any] = {
        "machine": platform.platform(),
        "load_average": os.getloadavg(),
        "synthetic": backtest(arguments.products, arguments.seed),
    }
    if not arguments.skip_demo_history:
        server.BENCH_VAR.mkdir(parents=True, exist_ok=True)
        figures["demo_history"] = run_demo_history(
            arguments.demo_products, arguments.seed
        )
    for key, value in figures.items():
        print(f"{key}: {value}")
    server.BENCH_VAR.mkdir(parents=True, exist_ok=True)
    (server.BENCH_VAR / "forecast.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
