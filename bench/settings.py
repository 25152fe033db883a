"""The demo settings for the benchmarks' app servers, with the rate limits lifted.

A benchmark sends thousands of requests from one loopback address and a few accounts within
seconds: it measures throughput, not abuse. Everything else is the demo's.
"""

import os

from config.settings.demo import *  # noqa: F403

OKRYU_RATE_LIMITS = {
    name: (1_000_000, window_seconds)
    for name, (_count, window_seconds) in OKRYU_RATE_LIMITS.items()  # noqa: F405
}

# ``OKRYU_BENCH_PREPARED=1``: server-side binding, so psycopg 3 prepares a statement after it
# ran ``prepare_threshold`` times on a connection and PostgreSQL skips parsing and planning
# it (measured by ``bench.checkout_bench --prepared``; never with pgbouncer).
if os.environ.get("OKRYU_BENCH_PREPARED") == "1" and DATABASES["default"][  # noqa: F405
    "ENGINE"
].endswith("postgresql"):
    DATABASES["default"]["OPTIONS"] = {  # noqa: F405
        **DATABASES["default"].get("OPTIONS", {}),  # noqa: F405
        "server_side_binding": True,
        "prepare_threshold": 5,
    }
