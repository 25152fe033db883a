"""Transfers per second through the payments service layer, at 1 and 8 concurrent clients.

Each client is a thread with its own database connection, its own funded card and its own
merchant account, so the figure is the ledger's throughput rather than one hot row's. A
"pair" is a hold and its capture (two transfers); a "single" is one direct card payment. Every
transfer also writes its SMS to the outbox (and a hold its expiry job), as in production.

    .venv/bin/python -m bench.payments_bench --database-url postgres://postgres@127.0.0.1/okryu_bench
"""

import argparse
import itertools
import json
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

DEFAULT_URL = "sqlite:///var/bench-payments.sqlite3"
CLIENT_COUNTS = (1, 8)


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # The bench pays far more per card and day than a shopper may; lift the limits here only.
    settings.OKRYU_CARD_TRANSFER_LIMIT_WON = 10**9
    settings.OKRYU_CARD_DAILY_LIMIT_WON = 10**15
    settings.OKRYU_PIN_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


def _prepare_clients(count: int, run: str) -> list[tuple[str, int]]:
    from okryu.accounts.models import User
    from okryu.payments import ledger
    from okryu.payments.cards import issue_card
    from okryu.payments.models import LedgerAccountKind

    clients = []
    for index in range(count):
        user = User.objects.create_user(username=f"bench-{run}-{index}")
        card = issue_card(holder=user, phone="010-0000-0000", pin="1234")
        ledger.top_up(
            card_number=card.number,
            amount_won=10**10,
            transfer_id=f"{run}-fund-{index}",
        )
        merchant = ledger.open_ledger_account(
            kind=LedgerAccountKind.MERCHANT, owner_reference=f"bench:{run}:{index}"
        )
        clients.append((card.number, merchant.pk))
    return clients


def _pair(card_number: str, merchant_id: int, transfer_id: str) -> int:
    from okryu.payments import ledger

    ledger.hold_funds(
        card_number=card_number,
        pin=None,
        amount_won=1_000,
        credit_account_id=merchant_id,
        transfer_id=f"{transfer_id}-h",
    )
    ledger.capture_hold(
        hold_transfer_id=f"{transfer_id}-h",
        amount_won=900,
        transfer_id=f"{transfer_id}-c",
    )
    return 2


def _single(card_number: str, merchant_id: int, transfer_id: str) -> int:
    from okryu.payments import ledger

    ledger.transfer_funds(
        card_number=card_number,
        pin=None,
        amount_won=1_000,
        credit_account_id=merchant_id,
        transfer_id=transfer_id,
    )
    return 1


OPERATIONS: dict[str, Callable[[str, int, str], int]] = {
    "hold+capture": _pair,
    "single": _single,
}


def _client_loop(job: tuple[str, str, int, str, float, float]) -> int:
    """Run one client until the deadline; return how many transfers it made."""
    from django.db import connection

    operation_name, card_number, merchant_id, run, start_at, deadline = job
    operation = OPERATIONS[operation_name]
    time.sleep(max(start_at - time.monotonic(), 0))  # All clients start together.
    done = 0
    try:
        for step in itertools.count():
            if time.monotonic() >= deadline:
                return done
            done += operation(card_number, merchant_id, f"{run}-{step}")
    finally:
        connection.close()
    return done


def _measure(
    operation_name: str,
    clients: list[tuple[str, int]],
    *,
    seconds: float,
    run: str,
    processes: bool,
) -> float:
    from django.db import connections

    start_at = time.monotonic() + 0.5
    jobs = [
        (operation_name, card, merchant, f"{run}-{index}", start_at, start_at + seconds)
        for index, (card, merchant) in enumerate(clients)
    ]
    if processes:
        # Forked children must not share the parent's socket to the database.
        connections.close_all()
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=len(jobs), mp_context=context) as pool:
            transfers = sum(pool.map(_client_loop, jobs))
    else:
        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            transfers = sum(pool.map(_client_loop, jobs))
    return transfers / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument(
        "--processes",
        action="store_true",
        help="one process per client instead of one thread (no shared interpreter lock)",
    )
    arguments = parser.parse_args()
    _setup(arguments.database_url)

    from django.db import connection
    from rich.console import Console
    from rich.table import Table

    from okryu.payments.audit import audit_ledger

    kind = "processes" if arguments.processes else "threads"
    table = Table(
        title=f"payments service layer on {connection.vendor}, clients as {kind}"
    )
    for column in ("clients", "operation", "transfers/s"):
        table.add_column(column, justify="right")
    run = str(int(time.time()))
    results = []
    for count in CLIENT_COUNTS:
        clients = _prepare_clients(count, f"{run}-{count}")
        for name in OPERATIONS:
            rate = _measure(
                name,
                clients,
                seconds=arguments.seconds,
                run=f"{run}-{count}-{name}",
                processes=arguments.processes,
            )
            table.add_row(str(count), name, f"{rate:,.0f}")
            results.append(
                {"clients": count, "operation": name, "transfers_per_second": rate}
            )
    output = Path("var/bench")
    output.mkdir(parents=True, exist_ok=True)
    result_file = output / f"payments-{connection.vendor}-{kind}.json"
    result_file.write_text(json.dumps(results, indent=2))
    console = Console()
    console.print(table)
    audit = audit_ledger()
    console.print(
        f"audit after the bench: {audit.violations} violations, "
        f"sum of balances {audit.sum_of_balances}, {audit.transfers:,} transfers"
    )


if __name__ == "__main__":
    main()
