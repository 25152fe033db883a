"""A flash sale through HTTP: 64 buyers, each its own OS process, race for 20 units.

The app server is the production one (``manage.py serve``, granian with 2 worker processes)
on its own database, SQLite or PostgreSQL (``OKRYU_TEST_DATABASE_URL``). Every buyer has its
own account, card and Idempotency-Key and posts one order at the same moment.
"""

import multiprocessing
import time
from multiprocessing.synchronize import Event
from typing import Any

import pytest

from tests.stress.http_harness import (
    audit_violations,
    call,
    checkout_body,
    figures,
    running_app_server,
    seed,
    stress_database,
)

pytestmark = [pytest.mark.stress]

BUYERS = 64
UNITS = 20
PRICE_WON = 7_000
BALANCE_WON = 100_000
START_WAIT_SECONDS = 60
ANSWER_TIMEOUT_SECONDS = 60


def buy(
    base_url: str,
    token: str,
    body: dict[str, Any],
    key: str,
    start: Event,
    answers: "multiprocessing.Queue[tuple[str, int, Any]]",
) -> None:
    """One buyer: wait for the start, post one order, report the answer."""
    start.wait(START_WAIT_SECONDS)
    try:
        answer = call(
            base_url,
            "POST",
            "/api/v1/orders",
            token=token,
            body=body,
            key=key,
            timeout=ANSWER_TIMEOUT_SECONDS,
        )
        answers.put((key, answer.status, answer.body))
    except OSError as error:
        answers.put((key, 0, repr(error)))


def test_sixty_four_buyers_over_http_get_exactly_twenty_orders_and_a_clean_audit(
    tmp_path,
):
    with stress_database(tmp_path, label="flash") as database:
        seeded = seed(
            database,
            {
                "shoppers": BUYERS,
                "balance": BALANCE_WON,
                "merchants": 1,
                "products": [{"merchant": 0, "price": PRICE_WON, "stock": UNITS}],
            },
        )
        with running_app_server(database, workers=2) as server:
            # Fork: a buyer needs nothing but the standard library, and 64 interpreters would
            # each take longer to start than the whole sale.
            context = multiprocessing.get_context("fork")
            start = context.Event()
            answers: multiprocessing.Queue[tuple[str, int, Any]] = context.Queue()
            buyers = [
                context.Process(
                    target=buy,
                    args=(
                        server.base_url,
                        seeded["shoppers"][index]["token"],
                        checkout_body(seeded, [(0, 1)], shopper=index),
                        f"flash-{index}",
                        start,
                        answers,
                    ),
                )
                for index in range(BUYERS)
            ]
            for buyer in buyers:
                buyer.start()
            # Let every process import and block on the event, then fire them together.
            time.sleep(1.0)
            start.set()
            outcomes = [answers.get(timeout=ANSWER_TIMEOUT_SECONDS) for _ in buyers]
            for buyer in buyers:
                buyer.join(timeout=ANSWER_TIMEOUT_SECONDS)
            audit = call(
                server.base_url,
                "GET",
                "/api/v1/ops/audit",
                token=seeded["operator_token"],
            )
            product = call(
                server.base_url,
                "GET",
                f"/api/v1/products/{seeded['products'][0]['id']}",
            )
            log = server.log_tail()
        after = figures(database)

    statuses = sorted(status for _key, status, _body in outcomes)
    placed = [body for _key, status, body in outcomes if status == 201]
    refused = [body for _key, status, body in outcomes if status != 201]
    assert len(placed) == UNITS, (statuses, log)
    assert len(refused) == BUYERS - UNITS, statuses
    assert {body["code"] for body in refused} == {"out_of_stock"}, refused[:3]
    assert {status for _key, status, _body in outcomes if status != 201} == {409}
    assert len({body["id"] for body in placed}) == UNITS
    # The money held is exactly twenty units' price plus each order's delivery fee.
    assert all(
        body["payment"] == {"status": "held", "amount": body["total"]}
        for body in placed
    )
    assert sum(body["items_total"] for body in placed) == UNITS * PRICE_WON
    assert all(
        body["total"] == body["items_total"] + body["delivery_fee"] for body in placed
    )
    assert product.body["available"] == 0
    assert after == {
        "orders": UNITS,
        "fulfilments": UNITS,
        "order_totals_won": sum(body["total"] for body in placed),
        "held_won": sum(body["total"] for body in placed),
        "reserved": UNITS,
    }
    assert audit.status == 200, audit.body
    assert audit_violations(audit.body) == {}, audit.body
