"""Simulate a day of delivery on the real map: ``simulate_day --orders 1000 --chart day.png``.

Reads the districts, merchants and products from the database (``load_demo_data`` first),
runs the day in memory on a simulated clock (nothing is written to the database) and prints
delivery-time percentiles, courier utilisation, the motorbike/van split and the time the
dispatch rule took. With ``--chart`` it also draws delivery time by hour of the day as a PNG.
"""

import secrets
import time
from pathlib import Path
from typing import IO, Any, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table
from typing_extensions import override

from okryu.delivery.simulation.chart import draw_delivery_chart
from okryu.delivery.simulation.city_map import CityMap, minimum_courier_count
from okryu.delivery.simulation.day import DayPlan, simulate_day
from okryu.delivery.simulation.demand import (
    COURIER_COUNT_MAX,
    DAY_SECONDS,
    HOUR_SECONDS,
    ORDER_COUNT_MAX,
    suggested_courier_count,
)
from okryu.delivery.simulation.figures import DayFigures, summarise_day
from okryu.delivery.simulation.loading import load_city_map
from okryu.parcels.thresholds import delivery_thresholds

SEED_MAX = 2**31


class Command(BaseCommand):
    help = (
        "Simulate a day of orders and couriers on the real map, in memory, and print "
        "delivery times, courier utilisation, the vehicle split and dispatch time."
    )

    @override
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--orders",
            type=int,
            default=1_000,
            help=f"orders in the day (1 to {ORDER_COUNT_MAX:,}; default 1,000)",
        )
        parser.add_argument(
            "--couriers",
            type=int,
            default=None,
            help="couriers on duty (default: one for every 16 orders)",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=None,
            help="random seed, for the same day again (default: random)",
        )
        parser.add_argument(
            "--chart", default=None, help="write delivery time by hour to this PNG file"
        )

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        city_map = load_city_map()
        if not city_map.merchants:
            message = (
                "No active merchant sells an active product: "
                "run manage.py load_demo_data first."
            )
            raise CommandError(message)
        plan = _plan_from_options(city_map, options)
        chart = _chart_path(options["chart"])
        # OutputWrapper is a text stream over the command's stdout; rich only writes to it.
        console = Console(
            file=cast("IO[str]", self.stdout), highlight=False, soft_wrap=True
        )
        console.print(
            f"Simulating {plan.order_count:,} orders with {plan.courier_count:,} couriers "
            f"on {len(city_map.merchants)} merchants in "
            f"{len(city_map.cities_with_merchants())} cities (seed {plan.seed})."
        )
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task(
                "simulated hours", total=DAY_SECONDS // HOUR_SECONDS
            )
            result = simulate_day(
                city_map,
                plan,
                thresholds=delivery_thresholds(),
                timer=time.perf_counter,
                on_hour=lambda hour: progress.update(task, completed=hour),
                bigger_vehicle_minutes=settings.OKRYU_DISPATCH_BIGGER_VEHICLE_MINUTES,
            )
        figures = summarise_day(result)
        console.print(_figures_table(figures))
        if result.undelivered_order_ids:
            console.print(
                f"[red]{len(result.undelivered_order_ids):,} orders were never handed "
                "over[/red]: too few couriers."
            )
        if chart is not None:
            with chart.open("wb") as into:
                draw_delivery_chart(
                    figures,
                    title=(
                        f"A simulated day: {plan.order_count:,} orders, "
                        f"{plan.courier_count:,} couriers (seed {plan.seed})"
                    ),
                    into=into,
                )
            console.print(f"Chart written to {chart}.")


def _plan_from_options(city_map: CityMap, options: dict[str, Any]) -> DayPlan:
    """Return the day the options ask for, or raise CommandError saying what is wrong."""
    order_count: int = options["orders"]
    if not 0 < order_count <= ORDER_COUNT_MAX:
        message = f"--orders must be from 1 to {ORDER_COUNT_MAX:,}"
        raise CommandError(message)
    courier_count: int = (
        options["couriers"]
        if options["couriers"] is not None
        else suggested_courier_count(city_map, order_count)
    )
    fewest = minimum_courier_count(city_map)
    if not fewest <= courier_count <= COURIER_COUNT_MAX:
        message = (
            f"--couriers must be from {fewest} (one per city with a merchant) "
            f"to {COURIER_COUNT_MAX:,}"
        )
        raise CommandError(message)
    seed: int = (
        options["seed"] if options["seed"] is not None else secrets.randbelow(SEED_MAX)
    )
    if not 0 <= seed < SEED_MAX:
        message = f"--seed must be from 0 to {SEED_MAX - 1:,}"
        raise CommandError(message)
    return DayPlan(order_count=order_count, courier_count=courier_count, seed=seed)


def _chart_path(value: str | None) -> Path | None:
    """Return where to write the chart, or raise CommandError when it cannot be written."""
    if value is None:
        return None
    path = Path(value)
    if path.suffix.lower() != ".png":
        message = f"--chart must name a .png file, not {value!r}"
        raise CommandError(message)
    if not path.parent.is_dir():
        message = f"--chart's folder {str(path.parent)!r} does not exist"
        raise CommandError(message)
    return path


def _figures_table(figures: DayFigures) -> Table:
    table = Table(title="A simulated day")
    table.add_column("figure")
    table.add_column("value", justify="right")
    rows = [
        ("orders delivered", f"{figures.delivered_count:,} of {figures.order_count:,}"),
        (
            "delivery time p50 / p90 / p99",
            (
                f"{figures.delivery_minutes_p50:.1f} / "
                f"{figures.delivery_minutes_p90:.1f} / "
                f"{figures.delivery_minutes_p99:.1f} min"
            ),
        ),
        (
            "couriers (vans)",
            f"{figures.courier_count:,} ({figures.van_courier_count:,})",
        ),
        ("courier utilisation", f"{figures.utilisation_percent:.1f} %"),
        ("jobs that need a van", f"{figures.van_job_percent:.1f} %"),
        ("jobs carried by van", f"{figures.van_delivery_percent:.1f} %"),
        (
            "wait for a courier p50: van jobs / motorbike jobs",
            (
                f"{figures.van_job_wait_minutes_p50:.1f} / "
                f"{figures.motorbike_job_wait_minutes_p50:.1f} min"
            ),
        ),
        ("trips", f"{figures.trip_count:,}"),
        ("dispatch rounds", f"{figures.dispatch_round_count:,}"),
        ("dispatch time, total", f"{figures.dispatch_total_seconds:.3f} s"),
        (
            "dispatch round p50 / p99 / max",
            (
                f"{figures.dispatch_round_p50_ms:.2f} / "
                f"{figures.dispatch_round_p99_ms:.2f} / "
                f"{figures.dispatch_round_max_ms:.2f} ms"
            ),
        ),
    ]
    for label, value in rows:
        table.add_row(label, value)
    return table
