"""Checkout benchmark: end-to-end ``POST /api/v1/orders`` per second through the app server.

Run: ``.venv/bin/python -m bench.checkout_bench [--databases sqlite postgres]
[--seconds 10] [--pins production fast]``. Needs wrk (``apt-get install -y wrk``).

For each database and each kind of PIN hash, a fresh database is migrated and seeded (8
shoppers with funded cards and their tokens, 2 merchants with 20 products each, one hot
product), the production app server is started (granian, 2 workers) and wrk drives it with 8
connections (wrk's 2 threads), each request from the next of 8 shoppers in turn:

- ``checkout``: baskets of 3 lines from 2 merchants (2 + 1 products drawn at random), each
  request with its own Idempotency-Key;
- ``flash sale``: every request orders 1 unit of the same hot product.

``production`` runs the app server with the demo settings (Argon2 for passwords), its rate
limits lifted (bench.settings: one address and eight accounts place thousands of orders), and
``fast`` with tests.stress.settings (MD5 for passwords); PIN records are keyed MACs under both
(docs/adr/0006-pin-verification-values.md), so their PIN checks cost the same. Afterwards
the audit must be clean, and one worker's ``place_order`` loop is profiled with cProfile to
tell where the time goes.

Figures are printed as a table and saved to var/bench/checkout.json.
"""

import argparse
import json
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import server
from tests.stress.http_harness import (
    PIN,
    SETTINGS_MODULE,
    StressDatabase,
    audit_violations,
    call,
    running_app_server,
    seed,
    server_environment,
    stress_database,
)

CLIENTS = 8
PRODUCTS_PER_MERCHANT = 20
PRICE_WON = 100
STOCK = 1_000_000
BALANCE_WON = 4_000_000
PRODUCTION_SETTINGS = "bench.settings"
PROFILE_CHECKOUTS = {"production": 300, "fast": 300}

LUA_SCRIPT = """
local tokens = {%(tokens)s}
local cards = {%(cards)s}
local first = {%(first)s}
local second = {%(second)s}
local hot = %(hot)d
local flash = %(flash)s
local run = "%(run)s"
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

function init(args)
  counter = 0
  placed = 0
  refused = 0
  math.randomseed(id * 7919 + 17)
end

local function line(product, quantity)
  return string.format('{"product":%%d,"quantity":%%d}', product, quantity)
end

function request()
  counter = counter + 1
  -- wrk runs 2 threads of 4 connections: consecutive requests of a thread go to other
  -- shoppers, so the 8 requests in flight use 8 different cards, as 8 people would.
  local shopper = ((counter * 2 + id) %% #tokens) + 1
  local lines
  if flash then
    lines = line(hot, 1)
  else
    local a = math.random(#first)
    local b = (a %% #first) + 1
    local ids = {first[a], first[b], second[math.random(#second)]}
    table.sort(ids)
    lines = line(ids[1], 1) .. "," .. line(ids[2], 2) .. "," .. line(ids[3], 1)
  end
  local body = '{"lines":[' .. lines .. '],"address":{"district":"Central",' ..
    '"detail":"Apartment 3-201"},"card":"' .. cards[shopper] .. '","pin":"%(pin)s"}'
  local headers = {}
  headers["Content-Type"] = "application/json"
  headers["Authorization"] = "Bearer " .. tokens[shopper]
  headers["Idempotency-Key"] = run .. "-" .. id .. "-" .. counter
  return wrk.format("POST", "/api/v1/orders", headers, body)
end

function response(status, headers, body)
  if status == 201 then placed = placed + 1 else refused = refused + 1 end
end
"""

PROFILE_SCRIPT = r"""
import cProfile, json, pstats, sys, time
from django.test import Client
from okryu.orders.services import CheckoutLine, CheckoutOrder, place_order
from okryu.accounts.models import District

spec = json.loads(sys.argv[1])
district = District.objects.get(name_en__iexact="Central").pk
lines = tuple(CheckoutLine(product_id=pk, quantity=1) for pk in sorted(spec["products"]))
client = Client(HTTP_HOST="127.0.0.1")
body = json.dumps({
    "lines": [{"product": pk, "quantity": 1} for pk in sorted(spec["products"])],
    "address": {"district": "Central", "detail": "Apartment 3-201"},
    "card": spec["card"], "pin": spec["pin"],
})

def one(index):
    place_order(
        shopper_id=spec["shopper"],
        checkout=CheckoutOrder(
            lines=lines, district_id=district, address_detail="Apartment 3-201",
            slot_starts_at=None, card_number=spec["card"], pin=spec["pin"],
        ),
        idempotency_key=f"profile-{spec['run']}-{index}",
    )

def one_request(index):
    # The whole request as a worker serves it (middleware, routing, schema, reply), but
    # without the app server: Django's test client in this process.
    response = client.post(
        "/api/v1/orders", body, content_type="application/json",
        HTTP_AUTHORIZATION="Bearer " + spec["token"],
        HTTP_IDEMPOTENCY_KEY=f"profile-http-{spec['run']}-{index}",
    )
    assert response.status_code == 201, response.content

def profiled(function, count):
    function(-1)  # warm the connection and the caches
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for index in range(count):
        function(index)
    profile.disable()
    return profile, time.perf_counter() - started

def cumulative(stats, match):
    return sum(row[3] for key, row in stats.stats.items() if match(*key))

figures = {}
with open(spec["report"], "w") as report:
    for name, function in (("service", one), ("request", one_request)):
        profile, elapsed = profiled(function, spec["count"])
        stats = pstats.Stats(profile, stream=report)
        pin = cumulative(
            stats, lambda f, l, n: f.endswith("payments/pins.py") and n == "is_pin_correct"
        )
        database = cumulative(
            stats,
            lambda f, l, n: f.endswith("django/db/backends/utils.py") and n == "_execute",
        )
        total = cumulative(stats, lambda f, l, n: n == function.__name__)
        count = spec["count"]
        figures[name] = {
            "ms": round(elapsed * 1000 / count, 2),
            "pin_ms": round(pin * 1000 / count, 2),
            "database_ms": round(database * 1000 / count, 2),
            "python_ms": round((total - pin - database) * 1000 / count, 2),
        }
        report.write(f"\n===== {name}: {figures[name]} =====\n")
        stats.sort_stats("tottime").print_stats(25)
        # The project's own functions by cumulative time: which step costs what.
        stats.sort_stats("cumulative").print_stats("okryu", 40)
print(json.dumps({"checkouts": spec["count"], **figures}))
"""


def _lua_list(values: list[Any]) -> str:
    return ", ".join(json.dumps(value) for value in values)


def _write_script(path: Path, seeded: dict[str, Any], *, flash: bool, run: str) -> None:
    products = seeded["products"]
    shoppers = seeded["shoppers"][:CLIENTS]
    path.write_text(
        LUA_SCRIPT
        % {
            "tokens": _lua_list([shopper["token"] for shopper in shoppers]),
            "cards": _lua_list([shopper["card"] for shopper in shoppers]),
            "first": _lua_list([p["id"] for p in products[:PRODUCTS_PER_MERCHANT]]),
            "second": _lua_list(
                [
                    p["id"]
                    for p in products[PRODUCTS_PER_MERCHANT : 2 * PRODUCTS_PER_MERCHANT]
                ]
            ),
            "hot": products[-1]["id"],
            "flash": "true" if flash else "false",
            "run": run,
            "pin": PIN,
        }
    )


def _spec() -> dict[str, Any]:
    products = [
        {"merchant": merchant, "price": PRICE_WON, "stock": STOCK}
        for merchant in (0, 1)
        for _index in range(PRODUCTS_PER_MERCHANT)
    ]
    products.append({"merchant": 0, "price": PRICE_WON, "stock": STOCK})
    # One more shopper than clients: the profile's, so its card's lock is not contended.
    return {
        "shoppers": CLIENTS + 1,
        "balance": BALANCE_WON,
        "merchants": 2,
        "products": products,
    }


def _profile(
    database: StressDatabase, seeded: dict[str, Any], *, pins: str, folder: Path
) -> dict[str, Any]:
    """Profile ``place_order`` in one process (as one worker runs it); return the split."""
    server.BENCH_VAR.mkdir(parents=True, exist_ok=True)
    report = server.BENCH_VAR / f"checkout_profile_{database.vendor}_{pins}.txt"
    spec = {
        "shopper": seeded["shoppers"][-1]["id"],
        "card": seeded["shoppers"][-1]["card"],
        "token": seeded["shoppers"][-1]["token"],
        "pin": PIN,
        "products": [
            seeded["products"][0]["id"],
            seeded["products"][1]["id"],
            seeded["products"][PRODUCTS_PER_MERCHANT]["id"],
        ],
        "count": int(
            os.environ.get("OKRYU_BENCH_PROFILE_CHECKOUTS", PROFILE_CHECKOUTS[pins])
        ),
        "run": str(time.time_ns()),
        "report": str(report),
    }
    script = folder / "profile_checkout.py"
    script.write_text(
        "import django\ndjango.setup()\n" + PROFILE_SCRIPT, encoding="utf-8"
    )
    result = subprocess.run(
        [server.PYTHON, str(script), json.dumps(spec)],
        cwd=server.ROOT,
        env=server_environment(database),
        check=False,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        message = f"the profile failed:\n{result.stderr[-3000:]}"
        raise RuntimeError(message)
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    figures["report"] = str(report.relative_to(server.ROOT))
    return figures


def bench_pass(
    vendor: str, *, pins: str, seconds: int, pgbench_seconds: int = 20
) -> dict[str, Any]:
    """Run the checkout and flash-sale loads on a fresh database; return the figures."""
    settings_module = PRODUCTION_SETTINGS if pins == "production" else SETTINGS_MODULE
    postgres_url = server.POSTGRES_URL if vendor == "postgresql" else ""
    with (
        tempfile.TemporaryDirectory(prefix="okryu-checkout-bench-") as folder_name,
        stress_database(
            Path(folder_name),
            label="bench_checkout",
            postgres_url=postgres_url,
            settings_module=settings_module,
        ) as database,
    ):
        folder = Path(folder_name)
        seeded = seed(database, _spec())
        results: dict[str, Any] = {
            "database": vendor,
            "pins": pins,
            "prepared": os.environ.get("OKRYU_BENCH_PREPARED") == "1",
        }
        with running_app_server(database, workers=2) as app_server:
            for name, flash in (("checkout", False), ("flash_sale", True)):
                script = folder / f"{name}.lua"
                _write_script(
                    script, seeded, flash=flash, run=f"{name}-{time.time_ns()}"
                )
                load = server.run_wrk(
                    name,
                    app_server.base_url + "/api/v1/orders",
                    connections=CLIENTS,
                    seconds=seconds,
                    script=str(script),
                )
                results[name] = {
                    "checkouts_per_second": round(load.requests_per_second, 1),
                    "p50_ms": round(load.p50_ms, 1),
                    "p99_ms": round(load.p99_ms, 1),
                    "errors": load.errors,
                }
            audit = call(
                app_server.base_url,
                "GET",
                "/api/v1/ops/audit",
                token=seeded["operator_token"],
            )
            results["audit_violations"] = audit_violations(audit.body)
            results["server_log_tail"] = app_server.log_tail(500)
        if vendor == "postgresql":
            # The database server's own rate on this machine in the same run: what the app's
            # figure is measured against.
            tpcb = server.run_pgbench(
                postgres_url, clients=CLIENTS, seconds=pgbench_seconds
            )
            results["pgbench"] = {
                "tps": round(tpcb.transactions_per_second),
                "latency_average_ms": tpcb.latency_average_ms,
                "command": tpcb.command,
                "checkout_ratio": round(
                    results["checkout"]["checkouts_per_second"]
                    / tpcb.transactions_per_second,
                    3,
                ),
            }
        results["profile"] = _profile(database, seeded, pins=pins, folder=folder)
        return results


def main() -> None:
    """Run the checkout benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--databases",
        nargs="+",
        default=["sqlite", "postgresql"],
        choices=["sqlite", "postgresql"],
    )
    parser.add_argument(
        "--pins",
        nargs="+",
        default=["production", "fast"],
        choices=["production", "fast"],
    )
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--pgbench-seconds", type=int, default=20)
    parser.add_argument(
        "--prepared",
        action="store_true",
        help="PostgreSQL: server-side binding with psycopg's prepared statements",
    )
    arguments = parser.parse_args()
    if arguments.prepared:
        os.environ["OKRYU_BENCH_PREPARED"] = (
            "1"  # Read by bench.settings in the server.
        )
    started_at = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_before = os.getloadavg()
    passes = [
        bench_pass(
            vendor,
            pins=pins,
            seconds=arguments.seconds,
            pgbench_seconds=arguments.pgbench_seconds,
        )
        for vendor in arguments.databases
        for pins in arguments.pins
    ]
    print(
        f"{'database':<11} {'PIN hash':<11} {'load':<11} {'checkouts/s':>11} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
    )
    for figures in passes:
        for name in ("checkout", "flash_sale"):
            row = figures[name]
            print(
                f"{figures['database']:<11} {figures['pins']:<11} {name:<11} "
                f"{row['checkouts_per_second']:>11} {row['p50_ms']:>8} {row['p99_ms']:>8} "
                f"{row['errors']:>7}"
            )
    for figures in passes:
        if "pgbench" in figures:
            tpcb = figures["pgbench"]
            print(
                f"pgbench TPC-B on the same server ({tpcb['command']}): {tpcb['tps']} tps;"
                f" checkouts/TPC-B = {tpcb['checkout_ratio']}"
            )
    print(
        f"started {started_at}, load average before {load_before[0]:.2f},"
        f" after {os.getloadavg()[0]:.2f}"
    )
    print(
        "\nOne process (cProfile), ms per checkout: the service, then the whole request"
    )
    for figures in passes:
        profile = figures["profile"]
        for part in ("service", "request"):
            row = profile[part]
            print(
                f"{figures['database']:<11} {figures['pins']:<11} {part:<8} "
                f"total {row['ms']:.1f}  PIN {row['pin_ms']:.1f}"
                f"  database {row['database_ms']:.1f}  Python {row['python_ms']:.1f}"
            )
        print(f"  ({profile['report']})")
        if figures["audit_violations"]:
            print(f"AUDIT VIOLATIONS: {figures['audit_violations']}")
    path = server.save_results(
        "checkout",
        {
            "machine": {
                "python": platform.python_version(),
                "system": platform.platform(),
            },
            "started_at": started_at,
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
            "clients": CLIENTS,
            "seconds": arguments.seconds,
            "passes": passes,
        },
    )
    print(f"\nSaved to {path}")


if __name__ == "__main__":
    main()
