"""Run every benchmark in turn (``make bench``); each writes var/bench/<name>.json."""

import importlib
import sys

BENCHMARKS = [
    "bench.catalog_bench",
    "bench.payments_bench",
    "bench.checkout_bench",
    "bench.dispatch_bench",
    "bench.sign_in_bench",
    "bench.forecast_bench",
]


def main() -> None:
    """Run each benchmark module's ``main`` with default arguments."""
    for name in BENCHMARKS:
        module = importlib.import_module(name)
        print(f"== {name}", flush=True)
        sys.argv = [name]
        module.main()


if __name__ == "__main__":
    main()
