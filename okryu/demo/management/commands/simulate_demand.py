"""Write a simulated order history through the real services: ``simulate_demand --days 90``.

Simulated shoppers order the demo's products on a simulated clock, day after day up to
yesterday (``okryu.demo.history`` says what happens in a day); the insight pages then have a
history to show and the forecasts one to learn from. Runs again safely: days already
simulated are skipped, and a day an earlier run left half done is refused with a message.
Production settings refuse it, as they refuse the demo data.
"""

import datetime as dt
from argparse import ArgumentParser
from typing import IO, Any, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table
from typing_extensions import override

from okryu.demo.history import (
    HistoryPlan,
    HistoryRefused,
    HistoryReport,
    simulate_history,
)

DAYS_MAX = 400
PRODUCTS_MAX = 200
SHOPPERS_MAX = 1_000
SEED_MAX = 2**31


class Command(BaseCommand):
    help = (
        "Simulate shoppers ordering the demo's products for --days days up to yesterday, "
        "through the real checkout, stock, waitlist, counter and delivery services."
    )

    @override
    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--days", type=int, default=90, help=f"days to simulate (1 to {DAYS_MAX})"
        )
        parser.add_argument(
            "--products",
            type=int,
            default=12,
            help=f"products that sell (1 to {PRODUCTS_MAX}; default 12)",
        )
        parser.add_argument(
            "--shoppers",
            type=int,
            default=40,
            help=f"simulated shoppers (1 to {SHOPPERS_MAX}; default 40)",
        )
        parser.add_argument(
            "--merchant",
            action="append",
            default=[],
            help=(
                "this merchant's products (its slug, e.g. ryomyong-grocery; may be given "
                "several times: each gets a share; default: every Pyongyang merchant)"
            ),
        )
        parser.add_argument(
            "--seed", type=int, default=7, help="random seed (default 7)"
        )
        parser.add_argument(
            "--until",
            type=dt.date.fromisoformat,
            default=None,
            help="the history's last day, YYYY-MM-DD (default: yesterday)",
        )

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        if settings.OKRYU_IS_PRODUCTION:
            message = (
                "The simulated history is for the demo only: its shoppers' PIN is "
                "published. Run this with the demo settings (config.settings.demo)."
            )
            raise CommandError(message)
        plan = _plan_from_options(options)
        console = Console(
            file=cast("IO[str]", self.stdout), highlight=False, soft_wrap=True
        )
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=options["verbosity"] == 0,
        ) as progress:
            task = progress.add_task("simulated days", total=plan.days)

            def on_day(_day: dt.date) -> None:
                progress.advance(task)

            try:
                report = simulate_history(plan, on_day=on_day)
            except HistoryRefused as refusal:
                raise CommandError(str(refusal)) from refusal
        if options["verbosity"]:
            console.print(_report_table(report))


def _plan_from_options(options: dict[str, Any]) -> HistoryPlan:
    """Return the plan the options ask for, or raise CommandError saying what is wrong."""
    limits = {
        "days": DAYS_MAX,
        "products": PRODUCTS_MAX,
        "shoppers": SHOPPERS_MAX,
    }
    for name, maximum in limits.items():
        if not 1 <= options[name] <= maximum:
            message = f"--{name} must be from 1 to {maximum:,}"
            raise CommandError(message)
    if not 0 <= options["seed"] < SEED_MAX:
        message = f"--seed must be from 0 to {SEED_MAX - 1:,}"
        raise CommandError(message)
    return HistoryPlan(
        days=options["days"],
        seed=options["seed"],
        products=options["products"],
        shoppers=options["shoppers"],
        merchant_slugs=tuple(options["merchant"]),
        last_day=options["until"],
    )


def _report_table(report: HistoryReport) -> Table:
    if report.first_day is None:
        table = Table(title="Nothing to simulate")
        table.add_column("figure")
        table.add_column("value", justify="right")
        table.add_row("days already simulated", f"{report.skipped_days:,}")
        return table
    table = Table(
        title=f"Simulated history {report.first_day:%Y-%m-%d} – {report.last_day:%Y-%m-%d}"
    )
    table.add_column("figure")
    table.add_column("value", justify="right")
    rows = [
        ("days simulated", f"{report.days:,}"),
        ("days skipped (simulated before)", f"{report.skipped_days:,}"),
        ("products", f"{len(report.product_ids):,}"),
        ("orders placed", f"{report.orders_placed:,}"),
        ("units sold", f"{report.units_sold:,}"),
        ("deliveries handed over", f"{report.deliveries:,}"),
        ("units refused as out of stock", f"{report.refused_units:,}"),
        ("waitlist entries", f"{report.waitlist_entries:,}"),
        ("waitlist offers ordered", f"{report.offers_taken:,}"),
        ("views of sold-out products", f"{report.sold_out_views:,}"),
        ("searches that found nothing", f"{report.empty_searches:,}"),
        ("stock receipts", f"{report.receipts:,}"),
        ("cash top-ups at the counter", f"{report.top_ups:,}"),
        ("wall time", f"{report.seconds:.1f} s"),
        ("orders per second", f"{report.orders_per_second:.1f}"),
    ]
    rows += [
        (f"other refusals: {name}", f"{count:,}")
        for name, count in sorted(report.other_refusals.items())
    ]
    for label, value in rows:
        table.add_row(label, value)
    return table
