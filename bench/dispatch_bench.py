"""Dispatch benchmark: a simulated day at 1,000 to 50,000 orders, and the time dispatch takes.

Run: ``.venv/bin/python -m bench.dispatch_bench [--orders 1000 5000 ...] [--seed 7]``.
Prepares var/bench/dispatch.sqlite3 with the demo data (its districts, merchants and
products are the map), then simulates each day in memory with one courier for every 16
orders (``suggested_courier_count``) and prints the wall-clock time spent inside
``okryu.delivery.rules.assign_jobs`` (total, and per dispatch round p50/p99) beside the
day's delivery times, courier utilisation, van share and the median wait for a courier of
van jobs and motorbike jobs. Writes var/bench/dispatch.json.
"""

import argparse
import os
import platform
import time
from dataclasses import asdict
from typing import Any

from bench import server

DEFAULT_ORDERS = (1_000, 5_000, 10_000, 20_000, 50_000)
DATABASE_URL = f"sqlite:///{server.BENCH_VAR / 'dispatch.sqlite3'}"


def _setup() -> None:
    server.BENCH_VAR.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.demo")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # Loads once; a second run sees the demo data and keeps it.
    with open(os.devnull, "w") as quiet:
        call_command("load_demo_data", "--no-history", stdout=quiet)


def simulate(order_count: int, seed: int) -> dict[str, Any]:
    """Simulate one day of ``order_count`` orders; return its figures and the wall time."""
    from okryu.delivery.simulation.day import DayPlan, simulate_day
    from okryu.delivery.simulation.demand import suggested_courier_count
    from okryu.delivery.simulation.figures import summarise_day
    from okryu.delivery.simulation.loading import load_city_map
    from okryu.parcels.thresholds import delivery_thresholds

    city_map = load_city_map()
    plan = DayPlan(
        order_count=order_count,
        courier_count=suggested_courier_count(city_map, order_count),
        seed=seed,
    )
    started = time.perf_counter()
    from django.conf import settings

    result = simulate_day(
        city_map,
        plan,
        thresholds=delivery_thresholds(),
        timer=time.perf_counter,
        bigger_vehicle_minutes=settings.OKRYU_DISPATCH_BIGGER_VEHICLE_MINUTES,
    )
    wall_seconds = time.perf_counter() - started
    figures = summarise_day(result)
    busiest = max(result.rounds, key=lambda r: r.job_count * r.courier_count)
    report = asdict(figures)
    del report["hours"]
    return {
        **report,
        "simulation_wall_seconds": wall_seconds,
        "largest_round_jobs": busiest.job_count,
        "largest_round_couriers": busiest.courier_count,
    }


def main() -> None:
    """Run the dispatch benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, nargs="+", default=list(DEFAULT_ORDERS))
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    _setup()
    runs = []
    print(
        f"{'orders/day':>10} {'couriers':>8} {'dispatch s':>10} {'round p50 ms':>12} "
        f"{'round p99 ms':>12} {'largest round':>14} {'deliv p50':>9} {'deliv p90':>9} "
        f"{'util %':>6} {'van jobs %':>10} {'by van %':>8} {'van wait':>8} "
        f"{'moto wait':>9} {'sim s':>6}",
        flush=True,
    )
    for order_count in options.orders:
        run = simulate(order_count, options.seed)
        runs.append(run)
        largest = f"{run['largest_round_jobs']}×{run['largest_round_couriers']}"
        print(
            f"{order_count:>10,} {run['courier_count']:>8,} "
            f"{run['dispatch_total_seconds']:>10.2f} {run['dispatch_round_p50_ms']:>12.3f} "
            f"{run['dispatch_round_p99_ms']:>12.2f} {largest:>14} "
            f"{run['delivery_minutes_p50']:>9.1f} {run['delivery_minutes_p90']:>9.1f} "
            f"{run['utilisation_percent']:>6.1f} {run['van_job_percent']:>10.1f} "
            f"{run['van_delivery_percent']:>8.1f} {run['van_job_wait_minutes_p50']:>8.1f} "
            f"{run['motorbike_job_wait_minutes_p50']:>9.1f} "
            f"{run['simulation_wall_seconds']:>6.1f}",
            flush=True,
        )
    server.save_results(
        "dispatch",
        {
            "machine": f"{platform.node()} {platform.machine()}",
            "load_average": os.getloadavg(),
            "seed": options.seed,
            "runs": runs,
        },
    )


if __name__ == "__main__":
    main()
