"""Losing one process at a time under load, on the cluster of ``make cluster-test``.

Through nginx, signed-in checkouts with Idempotency-Keys and anonymous browsing run while the
test SIGKILLs one app server, then a job runner, starts them again, then stops the replica:
every acknowledged order exists exactly once (asking again with its key answers the same
order), every request was answered, the audit is clean, and a session made by the app server
that was killed still signs its person in through the others (sessions live in Redis).

Needs the cluster's environment (``OKRYU_CLUSTER_URL``, ``OKRYU_CLUSTER_APP_PORTS``, and
``OKRYU_CLUSTER_DIR`` if not the default) to find its processes.
"""

import contextlib
import http.client
import http.cookiejar
import os
import re
import signal
import subprocess
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Self

import pytest

from okryu.demo.cards import DEMO_CARDS
from tests.cluster.test_overload import PASSWORD, URL, _call, _cheapest_products, _token

pytestmark = pytest.mark.stress

ROOT = Path(__file__).resolve().parents[2]
STATE = Path(os.environ.get("OKRYU_CLUSTER_DIR", ROOT / "var" / "cluster"))
APP_PORTS = os.environ.get("OKRYU_CLUSTER_APP_PORTS", "18701 18702 18703").split()
CLUSTER = ["sh", str(ROOT / "deploy" / "cluster" / "cluster.sh")]
POSTGRES = ["sh", str(ROOT / "deploy" / "cluster" / "postgres.sh")]


def _sigkill(name: str) -> None:
    """SIGKILL a cluster process and its children (each leads its own process group)."""
    pid = int((STATE / "run" / f"{name}.pid").read_text())
    os.killpg(pid, signal.SIGKILL)


def _sign_in_on(port: str) -> str:
    """Sign in through the pages of one app server, bypassing nginx; return the session id."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    page = opener.open(f"{base}/accounts/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token.group(1),
            "username": "shopper2",
            "password": PASSWORD,
        }
    ).encode()
    opener.open(
        urllib.request.Request(
            f"{base}/accounts/login/", data=form, headers={"Referer": f"{base}/"}
        ),
        timeout=30,
    ).read()
    session = next((cookie.value for cookie in jar if cookie.name == "sessionid"), None)
    assert session, "signing in made a session"
    return session


def _profile_status(session: str) -> int:
    parts = urllib.parse.urlsplit(URL)
    connection = http.client.HTTPConnection(
        parts.hostname or "", parts.port, timeout=30
    )
    try:
        connection.request(
            "GET", "/accounts/profile/", headers={"Cookie": f"sessionid={session}"}
        )
        return connection.getresponse().status
    finally:
        connection.close()


class MixedLoad:
    """Checkouts with keys (each remembered with its answer) and anonymous browsing."""

    def __init__(
        self, shoppers: list[tuple[str, str, str]], products: list[int]
    ) -> None:
        self.shoppers = shoppers
        self.products = products
        self.acknowledged: list[tuple[str, str, dict[str, Any], int]] = []
        self.statuses: dict[int, int] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def _checkouts(self, index: int) -> None:
        token, card, pin = self.shoppers[index % len(self.shoppers)]
        while not self._stop.is_set():
            key = uuid.uuid4().hex
            body = {
                "lines": [
                    {
                        "product": self.products[index % len(self.products)],
                        "quantity": 1,
                    }
                ],
                "address": {"district": "Central", "detail": "Apartment 3-201"},
                "card": card,
                "pin": pin,
            }
            headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
            try:
                status, answer = _call("POST", "/api/v1/orders", body, headers)
            except OSError:
                status, answer = 0, None
            with self._lock:
                self.statuses[status] = self.statuses.get(status, 0) + 1
                if status == 201:
                    self.acknowledged.append((token, key, body, int(answer["id"])))
            if status == 201:
                # Cancelled at once (a merchant-free step that gives the hold back), so that
                # two cards last the whole test.
                with contextlib.suppress(OSError):
                    _call(
                        "POST",
                        f"/api/v1/orders/{answer['id']}/cancel",
                        {},
                        {
                            "Authorization": f"Bearer {token}",
                            "Idempotency-Key": key + "-c",
                        },
                    )
            time.sleep(0.2)

    def _browsing(self) -> None:
        while not self._stop.is_set():
            for path in ("/", "/api/v1/products?page=1", "/api/v1/categories"):
                with contextlib.suppress(OSError):
                    _call("GET", path)
            time.sleep(0.2)

    def __enter__(self) -> Self:
        self._threads = [
            threading.Thread(target=self._checkouts, args=(index,), daemon=True)
            for index in range(4)
        ] + [threading.Thread(target=self._browsing, daemon=True) for _ in range(2)]
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)


@pytest.fixture(scope="module")
def cluster():
    try:
        status, _body = _call("GET", "/health/")
    except OSError:
        pytest.skip(f"no cluster answers at {URL} (make cluster-test starts one)")
    assert status == 200
    shoppers = [
        (_token(card.holder), card.number, card.pin)
        for card in DEMO_CARDS
        if card.top_up_won >= 500_000
    ]
    return shoppers, _cheapest_products(3), _token("operator")


def test_losing_an_app_server_a_worker_and_the_replica_loses_no_order_and_no_session(
    cluster,
):
    shoppers, products, operator = cluster
    victim = APP_PORTS[0]
    session = _sign_in_on(victim)
    with MixedLoad(shoppers, products) as load:
        time.sleep(5)
        _sigkill(f"app-{victim}")
        time.sleep(5)
        # The session made by the dead server signs its person in through the others.
        assert _profile_status(session) == 200
        subprocess.run([*CLUSTER, "start-app", victim], check=True, timeout=120)
        _sigkill("jobs-1")
        time.sleep(5)
        subprocess.run([*CLUSTER, "start-worker", "jobs-1"], check=True, timeout=60)
        subprocess.run([*POSTGRES, "stop-replica"], check=True, timeout=120)
        try:
            time.sleep(8)
        finally:
            subprocess.run([*POSTGRES, "start-replica"], check=True, timeout=300)

    assert load.acknowledged, load.statuses
    # Only a checkout in flight on the killed server may have been cut (502, then retried by
    # nginx with its key); nothing else is refused.
    assert set(load.statuses) <= {201, 502}, load.statuses
    ids = [order for _token, _key, _body, order in load.acknowledged]
    assert len(ids) == len(set(ids)), "every acknowledged order is its own"
    for token, key, body, order in load.acknowledged:
        headers = {"Authorization": f"Bearer {token}"}
        status, answer = _call("GET", f"/api/v1/orders/{order}", headers=headers)
        assert status == 200, (order, answer)
        again, repeated = _call(
            "POST", "/api/v1/orders", body, {**headers, "Idempotency-Key": key}
        )
        assert (again, repeated["id"]) == (201, order), "the key answers the same order"
    _status, audit = _call(
        "GET", "/api/v1/ops/audit", headers={"Authorization": f"Bearer {operator}"}
    )
    assert audit["ledger"]["sum_of_balances"] == 0
    assert audit["ledger"]["negative_shopper_accounts"] == 0
    assert all(value == 0 for value in audit["stock"].values()), audit["stock"]
    assert audit["orders"]["paid_not_equal_captured"] == 0
    assert _profile_status(session) == 200
