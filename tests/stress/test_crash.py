"""Crash test: SIGKILL the app server during checkouts, restart it, retry, and check.

Several clients post checkouts, each with its own Idempotency-Key, to the production app server
(``manage.py serve``: granian and its workers, in their own process group). At random moments
the whole group is killed with SIGKILL and started again. A request that got no answer (the
connection broke, or a 5xx) is retried later with the same key and the same body. At the end:

- every acknowledged order (201) exists, once: each shopper's order list is exactly the set of
  order ids their keys were answered with, and the database holds no other order;
- no key made two orders: a key always answers the same order id, also when repeated now;
- the audit (ledger, stock and orders) finds nothing wrong.

``OKRYU_CRASH_KILLS`` sets the number of kills (5 by default; ``make crash-soak`` asks for
more) and ``OKRYU_CRASH_SEED`` replays a run: the seed is in every failure message.
"""

import os
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from typing_extensions import override

from tests.stress.http_harness import (
    SERVER_START_SECONDS_MAX,
    AppServer,
    StressDatabase,
    audit_violations,
    call,
    checkout_body,
    figures,
    seed,
    stress_database,
)

pytestmark = [pytest.mark.crash, pytest.mark.stress]

KILLS = int(os.environ.get("OKRYU_CRASH_KILLS", "5"))
CLIENTS = 4
# Shoppers per client grow with the kills so that long soaks stay under the cards' daily limit.
SHOPPERS_PER_CLIENT = max(1, KILLS // 10)
PRODUCTS = 6
MERCHANTS = 2
PRICE_WON = 500
STOCK = 1_000_000
BALANCE_WON = 4_000_000
RUN_SECONDS_MIN = 0.2
RUN_SECONDS_MAX = 0.8
REQUEST_TIMEOUT_SECONDS = 10
SERVER_UP_WAIT_SECONDS = SERVER_START_SECONDS_MAX
FINAL_RETRIES_MAX = 5
PAGE_SIZE = 100
REPLAYS_SAMPLED = 20


@dataclass
class Attempt:
    """One checkout a client means to place once: its key, its shopper and its body."""

    key: str
    shopper: int
    body: dict[str, Any]


@dataclass
class Ledger:
    """What one client was told: order ids by key, refusals by key, keys left unanswered."""

    placed: dict[str, int] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    unanswered: dict[str, Attempt] = field(default_factory=dict)
    attempts: dict[str, Attempt] = field(default_factory=dict)
    # Keys that went unanswered at least once: the ones a crash could have doubled.
    retried: set[str] = field(default_factory=set)
    sent: int = 0


def send(base_url: str, token: str, attempt: Attempt, ledger: Ledger) -> bool:
    """Post ``attempt`` once; record a definite answer and return whether there was one."""
    ledger.sent += 1
    ledger.attempts[attempt.key] = attempt
    try:
        answer = call(
            base_url,
            "POST",
            "/api/v1/orders",
            token=token,
            body=attempt.body,
            key=attempt.key,
            timeout=REQUEST_TIMEOUT_SECONDS,
        )
    except OSError:
        ledger.unanswered[attempt.key] = attempt
        ledger.retried.add(attempt.key)
        return False
    if answer.status >= 500:
        ledger.unanswered[attempt.key] = attempt
        ledger.retried.add(attempt.key)
        return False
    ledger.unanswered.pop(attempt.key, None)
    if answer.status == 201:
        first = ledger.placed.setdefault(attempt.key, answer.body["id"])
        assert first == answer.body["id"], f"key {attempt.key} answered two orders"
    else:
        ledger.refused[attempt.key] = answer.body["code"]
    return True


class Client(threading.Thread):
    """Posts checkouts until told to stop; after a failure it waits for the server."""

    def __init__(
        self,
        index: int,
        *,
        seeded: dict[str, Any],
        server: AppServer,
        server_up: threading.Event,
        stop: threading.Event,
        rng_seed: int,
    ) -> None:
        super().__init__(name=f"client-{index}", daemon=True)
        self.index = index
        self.seeded = seeded
        self.server = server
        self.server_up = server_up
        self.stop = stop
        self.rng = random.Random(rng_seed)
        self.ledger = Ledger()
        self.error: BaseException | None = None

    def shopper_indexes(self) -> list[int]:
        return [
            self.index * SHOPPERS_PER_CLIENT + offset
            for offset in range(SHOPPERS_PER_CLIENT)
        ]

    def new_attempt(self, number: int) -> Attempt:
        shopper = self.rng.choice(self.shopper_indexes())
        products = self.rng.sample(range(PRODUCTS), self.rng.randint(1, 3))
        lines = [(product, self.rng.randint(1, 2)) for product in sorted(products)]
        return Attempt(
            key=f"crash-{self.index}-{number}",
            shopper=shopper,
            body=checkout_body(self.seeded, lines, shopper=shopper),
        )

    def token(self, attempt: Attempt) -> str:
        token: str = self.seeded["shoppers"][attempt.shopper]["token"]
        return token

    @override
    def run(self) -> None:
        try:
            number = 0
            while not self.stop.is_set():
                if not self.server_up.wait(SERVER_UP_WAIT_SECONDS):
                    return
                # Now and then a client retries a lost request at once, as phones do.
                if self.ledger.unanswered and self.rng.random() < 0.5:
                    attempt = next(iter(self.ledger.unanswered.values()))
                else:
                    attempt = self.new_attempt(number)
                    number += 1
                send(self.server.base_url, self.token(attempt), attempt, self.ledger)
        except BaseException as error:  # noqa: BLE001  (reported by the test)
            self.error = error


def list_order_ids(base_url: str, token: str) -> list[int]:
    """Return the ids of every order of the token's shopper, through the paginated list."""
    ids: list[int] = []
    page = 1
    while True:
        answer = call(
            base_url,
            "GET",
            f"/api/v1/orders?page={page}&page_size={PAGE_SIZE}",
            token=token,
        )
        assert answer.status == 200, answer.body
        ids.extend(order["id"] for order in answer.body["items"])
        if answer.body["next"] is None:
            return ids
        page += 1


def crash_and_check(database: StressDatabase, rng: random.Random) -> None:
    """Drive checkouts through KILLS crashes, then retry and check (see module docstring)."""
    seeded = seed(
        database,
        {
            "shoppers": CLIENTS * SHOPPERS_PER_CLIENT,
            "balance": BALANCE_WON,
            "merchants": MERCHANTS,
            "products": [
                {"merchant": index % MERCHANTS, "price": PRICE_WON, "stock": STOCK}
                for index in range(PRODUCTS)
            ],
        },
    )
    server = AppServer(database, workers=2)
    server_up = threading.Event()
    stop = threading.Event()
    clients = [
        Client(
            index,
            seeded=seeded,
            server=server,
            server_up=server_up,
            stop=stop,
            rng_seed=rng.randrange(2**32),
        )
        for index in range(CLIENTS)
    ]
    try:
        server.start()
        server_up.set()
        for client in clients:
            client.start()
        for _kill in range(KILLS):
            time.sleep(rng.uniform(RUN_SECONDS_MIN, RUN_SECONDS_MAX))
            server_up.clear()
            server.kill()
            server.start()
            server_up.set()
        time.sleep(rng.uniform(RUN_SECONDS_MIN, RUN_SECONDS_MAX))
        stop.set()
        for client in clients:
            client.join(timeout=REQUEST_TIMEOUT_SECONDS * 2)
            assert not client.is_alive(), f"{client.name} did not stop"
            assert client.error is None, repr(client.error)
        check_after_crashes(server, seeded, clients)
    finally:
        stop.set()
        server_up.set()
        if server.process is not None:
            server.stop()
    after = figures(database)
    placed = sum(len(client.ledger.placed) for client in clients)
    assert after["orders"] == placed, (after, placed)
    assert after["held_won"] == after["order_totals_won"], after


def check_after_crashes(
    server: AppServer, seeded: dict[str, Any], clients: list[Client]
) -> None:
    """Retry what got no answer, then check every acknowledged order and the audit."""
    base_url = server.base_url
    for client in clients:
        for _round in range(FINAL_RETRIES_MAX):
            for attempt in list(client.ledger.unanswered.values()):
                send(base_url, client.token(attempt), attempt, client.ledger)
        assert not client.ledger.unanswered, (
            f"still unanswered: {list(client.ledger.unanswered)[:5]}; {server.log_tail()}"
        )
    acknowledged: dict[str, int] = {}
    attempts: dict[str, Attempt] = {}
    for client in clients:
        acknowledged.update(client.ledger.placed)
        attempts.update(client.ledger.attempts)
    assert server.starts == KILLS + 1
    assert acknowledged, "no checkout was acknowledged"
    assert any(client.ledger.retried for client in clients), "no kill cut a request"
    # No order answers two keys.
    assert len(set(acknowledged.values())) == len(acknowledged)
    # Each shopper's orders are exactly the ones their keys were told of: none lost, none
    # made twice by a retried key.
    for index, shopper in enumerate(seeded["shoppers"]):
        listed = list_order_ids(base_url, shopper["token"])
        expected = {
            order_id
            for key, order_id in acknowledged.items()
            if attempts[key].shopper == index
        }
        assert len(listed) == len(set(listed)), f"shopper {index} sees an order twice"
        assert set(listed) == expected, (index, sorted(listed), sorted(expected))
    # A key repeated now still answers its one order: every key a crash interrupted, and a
    # sample of the others.
    rng = random.Random(len(acknowledged))
    for client in clients:
        placed = client.ledger.placed
        keys = [key for key in placed if key in client.ledger.retried]
        others = sorted(set(placed) - client.ledger.retried)
        keys += rng.sample(others, min(REPLAYS_SAMPLED, len(others)))
        for key in keys:
            order_id = placed[key]
            attempt = client.ledger.attempts[key]
            again = call(
                base_url,
                "POST",
                "/api/v1/orders",
                token=client.token(attempt),
                body=attempt.body,
                key=key,
            )
            assert (again.status, again.body["id"]) == (201, order_id), again.body
    audit = call(base_url, "GET", "/api/v1/ops/audit", token=seeded["operator_token"])
    assert audit.status == 200, audit.body
    assert audit_violations(audit.body) == {}, audit.body


def test_killing_the_server_during_checkouts_loses_and_doubles_no_order(tmp_path):
    run_seed = int(
        os.environ.get("OKRYU_CRASH_SEED") or random.SystemRandom().randrange(2**32)
    )
    with stress_database(tmp_path, label="crash") as database:
        try:
            crash_and_check(database, random.Random(run_seed))
        except AssertionError as error:
            message = (
                f"crash test failed with OKRYU_CRASH_SEED={run_seed} "
                f"on {database.vendor}: {error}"
            )
            raise AssertionError(message) from error
