"""Checkouts/s and catalog requests/s through nginx with 1, 2 and 3 app servers.

Run on the cluster of ``make cluster-test`` (started with tests.cluster.settings), with the
same environment as ``deploy/cluster/cluster.sh`` (OKRYU_CLUSTER_PORT, OKRYU_CLUSTER_APP_PORTS):

    OKRYU_CLUSTER_URL=http://127.0.0.1:18700 .venv/bin/python -m tests.cluster.scaling

For N = 3, 2, 1 it makes nginx balance over the first N app servers (``cluster.sh
reload-nginx``; the others stay up, idle), then runs 10 s of signed-in checkouts (6 at a time,
each order cancelled at once) and 10 s of wrk on the catalog list with a session cookie
(which nginx neither sheds nor caches). Prints one JSON line per N and restores all servers.
"""

import json
import os
import subprocess
from pathlib import Path

import django

# The demo cards' module needs Django's apps; this process never opens the database.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
django.setup()

from okryu.demo.cards import DEMO_CARDS  # noqa: E402
from tests.cluster.test_overload import (  # noqa: E402
    Checkouts,
    _cheapest_products,
    _token,
    _wrk,
)

ROOT = Path(__file__).resolve().parents[2]
SECONDS = 10


def _balance_over(ports: list[str]) -> None:
    subprocess.run(
        ["sh", "deploy/cluster/cluster.sh", "reload-nginx"],
        cwd=ROOT,
        env={**os.environ, "OKRYU_CLUSTER_APP_PORTS": " ".join(ports)},
        check=True,
        timeout=60,
    )


def main() -> None:
    """Measure with 3, 2 and 1 app servers behind nginx; print the figures."""
    ports = os.environ.get("OKRYU_CLUSTER_APP_PORTS", "18701 18702 18703").split()
    shoppers = [
        (_token(card.holder), card.number, card.pin)
        for card in DEMO_CARDS
        if card.top_up_won >= 500_000
    ]
    products = _cheapest_products(3)
    try:
        for count in (3, 2, 1):
            _balance_over(ports[:count])
            checkouts = Checkouts(shoppers, products)
            figures = checkouts.run(SECONDS)
            catalog = _wrk(16, SECONDS, "/api/v1/products", cookie="sessionid=bench")
            print(  # noqa: T201 - the benchmark's output
                json.dumps(
                    {
                        "app_servers": count,
                        "checkouts": figures,
                        "catalog_rps": catalog["requests_per_second"],
                        "catalog_non_2xx": catalog["non_2xx"],
                        "load_average": os.getloadavg(),
                    }
                ),
                flush=True,
            )
    finally:
        _balance_over(ports)


if __name__ == "__main__":
    main()
