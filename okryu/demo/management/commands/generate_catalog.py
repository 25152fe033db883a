"""Add a large synthetic catalog for benchmarks: ``generate_catalog --products 100000``.

Each run adds: new synthetic merchants and products on top of what is there (run it twice
for twice as many). Needs the demo categories (``load_demo_data``) first.
"""

import secrets
import time
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from typing_extensions import override

from okryu.demo.synthetic import PRODUCT_COUNT_MAX, CategoriesMissing, generate_catalog

SEED_MAX = 2**31


class Command(BaseCommand):
    help = (
        "Add N synthetic products (and new synthetic merchants) for benchmarks. "
        "Every run adds to the catalog; nothing is replaced."
    )

    @override
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--products",
            type=int,
            required=True,
            help=f"how many products to add (1 to {PRODUCT_COUNT_MAX:,})",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=None,
            help="random seed, for the same names, prices and stock again (default: random)",
        )

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        product_count: int = options["products"]
        if not 0 < product_count <= PRODUCT_COUNT_MAX:
            message = f"--products must be from 1 to {PRODUCT_COUNT_MAX:,}"
            raise CommandError(message)
        seed: int = (
            options["seed"]
            if options["seed"] is not None
            else secrets.randbelow(SEED_MAX)
        )
        # OutputWrapper is a text stream over the command's stdout; rich only writes to it.
        console = Console(
            file=cast("IO[str]", self.stdout), highlight=False, soft_wrap=True
        )
        console.print(f"Adding {product_count:,} synthetic products (seed {seed}).")
        started = time.monotonic()
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("products", total=product_count)
            try:
                result = generate_catalog(
                    product_count=product_count,
                    seed=seed,
                    on_batch=lambda done: progress.advance(task, done),
                )
            except CategoriesMissing as error:
                raise CommandError(str(error)) from error
        console.print(
            f"[green]Added[/green] {result.products:,} products of {result.merchants:,} new "
            f"merchants in {time.monotonic() - started:.1f} s (seed {seed})."
        )
