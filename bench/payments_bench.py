"""Transfers per second through the payments service layer, at 1 and 8 concurrent clients.

Each client is a thread with its own database connection, its own funded card and its own
merchant account, so the figure is the ledger's throughput rather than one hot row's. A
"pair" is a hold and its capture (two transfers); a "single" is one direct card payment. Every
transfer also writes its SMS to the outbox (and a hold its expiry job), as in production.

    .venv/bin/python -m bench.payments_bench --database-url postgres://postgres@127.0.0.1/okryu_bench

With ``--http``, the same database is then loaded through the running app server: teller
top-ups (``POST /api/v1/teller/cards/{number}/topups``, a fresh Idempotency-Key per request,
set by a wrk Lua script) at 1 and 8 connections. Every top-up debits the bank's one cash
account, so on PostgreSQL they queue on that row: the figure is the hot-row ceiling of the
counter, not the ledger's.

The statements per transfer are pinned by ``okryu/payments/tests/test_ledger_statements.py``.
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
PREPARE_THRESHOLD = 2


def _setup(database_url: str, *, prepared: bool = False) -> None:
    if database_url.startswith("postgres"):
        from bench.server import ensure_postgres_database

        ensure_postgres_database(database_url)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.demo")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if prepared and database_url.startswith("postgres"):
        # Server-side binding lets psycopg 3 prepare a statement after it ran
        # ``prepare_threshold`` times on a connection: PostgreSQL then skips parsing and
        # planning it. Set before the first connection opens; never with pgbouncer.
        options = settings.DATABASES["default"].setdefault("OPTIONS", {})
        options["server_side_binding"] = True
        options["prepare_threshold"] = PREPARE_THRESHOLD

    call_command("migrate", verbosity=0)
    # The bench pays far more per card and day than a shopper may; lift the limits here only.
    settings.OKRYU_CARD_TRANSFER_LIMIT_WON = 10**9
    settings.OKRYU_CARD_DAILY_LIMIT_WON = 10**15


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


TOP_UP_SCRIPT = """
local thread_count = 0
function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
end
local sent = 0
function request()
  sent = sent + 1
  local key = "%(run)s-" .. thread_number .. "-" .. sent
  return wrk.format("POST", "%(path)s", {
    ["Authorization"] = "Bearer %(token)s",
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = key,
  }, '{"amount": 1000}')
end
"""


def _wrk(url: str, *, connections: int, seconds: int, script: str) -> tuple[float, int]:
    """Run wrk with as many threads as connections allow (at most 2); return rate, errors."""
    import re
    import shutil
    import subprocess

    wrk = shutil.which("wrk")
    if wrk is None:
        message = "wrk is missing: apt-get install -y wrk"
        raise RuntimeError(message)
    threads = min(2, connections)
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "-s",
        script,
        url,
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    assert rate is not None, output
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return float(rate.group(1)), int(errors.group(1)) if errors else 0


def _measure_http(
    database_url: str, *, seconds: float, run: str
) -> list[dict[str, object]]:
    """Top up one card through the API at 1 and 8 connections; return the rates."""
    import tempfile

    from bench.server import running_server
    from okryu.accounts.models import Role, RoleGrant, User
    from okryu.api.tokens import issue_token
    from okryu.payments.cards import issue_card

    teller = User.objects.create_user(username=f"bench-teller-{run}")
    RoleGrant.objects.create(user=teller, role=Role.TELLER)
    holder = User.objects.create_user(username=f"bench-holder-{run}")
    card = issue_card(holder=holder, phone="010-0000-0000", pin="1234")
    token = issue_token(user=teller).token
    path = f"/api/v1/teller/cards/{card.number}/topups"
    results: list[dict[str, object]] = []
    with running_server(database_url) as base_url:
        for connections_count in CLIENT_COUNTS:
            with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
                script.write(
                    TOP_UP_SCRIPT
                    % {
                        "run": f"{run}-{connections_count}",
                        "path": path,
                        "token": token,
                    }
                )
                script.flush()
                rate, errors = _wrk(
                    base_url + path,
                    connections=connections_count,
                    seconds=max(int(seconds), 1),
                    script=script.name,
                )
            results.append(
                {
                    "clients": connections_count,
                    "operation": "HTTP top-up",
                    "transfers_per_second": rate,
                    "errors": errors,
                }
            )
    return results


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
    parser.add_argument(
        "--prepared",
        action="store_true",
        help="PostgreSQL: server-side binding with psycopg's prepared statements",
    )
    parser.add_argument(
        "--http",
        action="store_true",
        help="also load teller top-ups through the app server's JSON API (needs wrk)",
    )
    arguments = parser.parse_args()
    _setup(arguments.database_url, prepared=arguments.prepared)

    from django.db import connection
    from rich.console import Console
    from rich.table import Table

    from okryu.payments.audit import audit_ledger

    kind = "processes" if arguments.processes else "threads"
    if arguments.prepared:
        kind += ", prepared statements"
    table = Table(
        title=f"payments service layer on {connection.vendor}, clients as {kind}"
    )
    for column in ("clients", "operation", "transfers/s"):
        table.add_column(column, justify="right")
    run = str(int(time.time()))
    results: list[dict[str, object]] = []
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
    if arguments.http:
        for result in _measure_http(
            arguments.database_url, seconds=arguments.seconds, run=run
        ):
            table.add_row(
                str(result["clients"]),
                f"{result['operation']} ({result['errors']} errors)",
                f"{result['transfers_per_second']:,.0f}",
            )
            results.append(result)
    output = Path("var/bench")
    output.mkdir(parents=True, exist_ok=True)
    result_file = (
        output
        / f"payments-{connection.vendor}-{kind.replace(', ', '-').replace(' ', '-')}.json"
    )
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
