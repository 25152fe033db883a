"""Load the demo data once, then a simulated order history once, and print where to log in.

A second run sees the demo operator and keeps what is there; the history
(``OKRYU_DEMO_HISTORY_DAYS`` days up to yesterday, through ``okryu.demo.history``) is
simulated only when the database has none yet (``--no-history``: not at all).
Production settings refuse the demo data: its password and PINs are published
(``--skip-in-production`` lets ``make run`` go on without it).
"""

from argparse import ArgumentParser
from typing import IO, Any, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table
from typing_extensions import override

from okryu.core.won import format_won
from okryu.demo.cards import DEMO_CARDS
from okryu.demo.history import (
    HistoryPlan,
    HistoryRefused,
    history_first_day,
    simulate_history,
)
from okryu.demo.loading import DistrictsMissing, load_demo_data
from okryu.demo.merchants import MERCHANTS
from okryu.demo.users import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = (
        "Load Okryu's demo users, merchants and catalog, in one transaction, then "
        "simulate an order history. Does neither again when it is already there."
    )

    @override
    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--skip-in-production",
            action="store_true",
            help="under production settings, load nothing and say so instead of failing",
        )
        parser.add_argument(
            "--no-history",
            action="store_true",
            help="do not simulate the demo's order history (simulate_demand does it later)",
        )

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        if settings.OKRYU_IS_PRODUCTION:
            if options["skip_in_production"]:
                self.stdout.write("Production settings: the demo data is not loaded.")
                return
            message = (
                "The demo data is for the demo only: its password and card PINs are "
                "published, and production settings refuse to start with them (okryu.E018). "
                "Run this with the demo settings (config.settings.demo)."
            )
            raise CommandError(message)
        # OutputWrapper is a text stream over the command's stdout; rich only writes to it.
        console = Console(
            file=cast("IO[str]", self.stdout), highlight=False, soft_wrap=True
        )
        try:
            result = load_demo_data()
        except DistrictsMissing as error:
            raise CommandError(str(error)) from error
        if result.is_loaded_now:
            console.print(
                f"[green]Demo data loaded:[/green] {result.users} logins, "
                f"{result.merchants} merchants, {result.categories} categories, "
                f"{result.products:,} products, {result.cards} funded cards."
            )
        else:
            console.print(
                "Demo data is already there; skipped loading, kept what is there."
            )
            if result.logins_added:
                console.print(
                    f"Added the staff logins of {result.logins_added} merchants."
                )
        if not options["no_history"]:
            self._load_history(console)
        console.print(self._logins_table())
        console.print(
            f"Every merchant also has a staff login named after its slug "
            f"({', '.join(spec.slug for spec in MERCHANTS[:3])}, … "
            f"{len(MERCHANTS)} in all), with the same password."
        )
        console.print(self._cards_table())
        console.print(f"Okryu runs at [bold]http://127.0.0.1:{settings.PORT}/[/bold]")

    def _load_history(self, console: Console) -> None:
        days = settings.OKRYU_DEMO_HISTORY_DAYS
        first_day = history_first_day()
        if first_day is not None:
            console.print(
                f"A simulated order history from {first_day:%Y-%m-%d} is there; "
                "kept it (manage.py simulate_demand adds the days since)."
            )
            return
        if days <= 0:
            return
        console.print(
            f"Simulating {days} days of orders for the insight pages "
            "(once; half a minute or more)…"
        )
        # The products of the named staff logins' merchants (store1, factory1, …), so
        # whoever signs in as one of them finds a past on the insight pages.
        plan = HistoryPlan(
            days=days,
            products=settings.OKRYU_DEMO_HISTORY_PRODUCTS,
            merchant_slugs=tuple(user.merchant for user in DEMO_USERS if user.merchant),
        )
        try:
            report = simulate_history(plan)
        except HistoryRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        console.print(
            f"[green]Order history simulated:[/green] {report.days} days, "
            f"{report.orders_placed:,} orders, {report.refused_units:,} units "
            f"refused as out of stock, {report.waitlist_entries:,} waitlist entries "
            f"({report.seconds:.0f} s, {report.orders_per_second:.0f} orders/s)."
        )

    def _logins_table(self) -> Table:
        table = Table(title=f"Demo logins (password: {DEMO_PASSWORD})")
        table.add_column("login")
        table.add_column("name")
        table.add_column("role")
        table.add_column("merchant")
        merchant_names = {spec.slug: spec.name for spec in MERCHANTS}
        for user in DEMO_USERS:
            merchant = merchant_names[user.merchant] if user.merchant else ""
            table.add_row(user.username, user.display_name, user.role.value, merchant)
        return table

    def _cards_table(self) -> Table:
        table = Table(title="Demo cards")
        table.add_column("number")
        table.add_column("holder")
        table.add_column("PIN")
        table.add_column("cash paid in", justify="right")
        for card in DEMO_CARDS:
            table.add_row(
                card.number, card.holder, card.pin, format_won(card.top_up_won)
            )
        return table
