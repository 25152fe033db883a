"""Crash test: SIGKILL the app server during the delivery hand-over, restart it, retry, check.

The whole way of an order runs through the JSON API of the production app server
(``manage.py serve``: granian, its workers and the background job runner, in one process
group): shoppers place orders; each merchant's staff accept, prepare and mark ready their
fulfilments; an operator runs dispatch rounds (the server's own job runner runs more); each
courier picks up the jobs on their route and hands them over with the code the shopper reads
from their order. At random moments the whole group is killed with SIGKILL and started again.
Every call that got no answer (the connection broke, or a 5xx) is sent again, with the same
Idempotency-Key and the same body, once the server is back. At the end:

- every fulfilment a ``deliver`` call acknowledged is delivered exactly once (one
  ``delivered`` event of the fulfilment and of its job, one capture per hold) and its money
  is captured exactly once (``captured_won`` is items + fee, and so are the ledger's
  captures); no other fulfilment is delivered; the shopper's order says so, with the payment
  ``captured`` (``partly_captured`` while another merchant's part is on its way);
- the right code sent again to a delivered job answers the job; a pick-up sent again with its
  key answers the job;
- no job was assigned twice; no courier is over capacity, and each courier's load is the
  weight of the jobs on their route, in distinct route positions;
- every job agrees with its fulfilment (waiting/assigned ↔ ready, picked_up ↔
  out_for_delivery, delivered ↔ delivered) and every ready fulfilment has one;
- the audit (ledger, stock and orders) finds nothing wrong.

``OKRYU_CRASH_KILLS`` sets the number of kills (5 by default; ``make crash-soak`` asks for
more) and ``OKRYU_CRASH_SEED`` replays a run's choices: the seed is in every failure message.
"""

import os
import queue
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
from typing_extensions import override

from tests.stress.http_harness import (
    SERVER_START_SECONDS_MAX,
    Answer,
    AppServer,
    StressDatabase,
    audit_violations,
    call,
    checkout_body,
    delivery_figures,
    seed,
    stress_database,
)

pytestmark = [pytest.mark.crash, pytest.mark.stress]

KILLS = int(os.environ.get("OKRYU_CRASH_KILLS", "5"))
SHOPPERS = 2
MERCHANTS = 2
PRODUCTS = 4
PRICE_WON = 500
STOCK = 1_000_000
BALANCE_WON = 4_000_000
COURIERS = 3
# Ten 300 g units: a route of a few orders fills a motorbike, so dispatch must mind capacity.
COURIER_CAPACITY_GRAMS = 3_000
# A shopper waits while this many parts of their orders are not yet delivered.
ORDERS_OPEN_MAX = 6
RUN_SECONDS_MIN = 0.2
RUN_SECONDS_MAX = 0.8
REQUEST_TIMEOUT_SECONDS = 10
# A call is sent again until it is answered, at most this long: a restart takes about 3 s on
# an idle machine, but as long as the harness lets a server take to start on a busy one.
ANSWER_WAIT_SECONDS = SERVER_START_SECONDS_MAX + 30
SERVER_UP_WAIT_SECONDS = SERVER_START_SECONDS_MAX
IDLE_SECONDS = 0.05
# Most kills wait for a hand-over on its way, the others for a pick-up.
HAND_OVER_SHARE = 0.75
CALL_IN_FLIGHT_WAIT_SECONDS = 8
KILL_DELAY_SECONDS_MAX = 0.08
DRAIN_ROUNDS_MAX = 20
DISPATCH_EVERY_SECONDS = 0.15
ACTIVE_JOB_STATUSES = ("assigned", "picked_up")
FULFILMENT_STATUS_OF_JOB = {
    "waiting": "ready",
    "assigned": "ready",
    "picked_up": "out_for_delivery",
    "delivered": "delivered",
}


class Stopped(Exception):
    """The test is over (or gave up on the server) while a call still waited for an answer."""


@dataclass
class Board:
    """What the clients share: who ordered what, and what each call was told."""

    server: AppServer
    server_up: threading.Event
    stop: threading.Event
    lock: threading.Lock = field(default_factory=threading.Lock)
    # order id -> shopper index; fulfilment id -> order id.
    orders: dict[int, int] = field(default_factory=dict)
    order_of_fulfilment: dict[int, int] = field(default_factory=dict)
    # fulfilment id -> (job id, code) of its acknowledged deliver call.
    delivered: dict[int, tuple[int, str]] = field(default_factory=dict)
    # job id -> the key of its acknowledged pick-up.
    picked_up: dict[int, str] = field(default_factory=dict)
    # Calls sent again because a kill (or a 5xx) left them unanswered, by route.
    retried: Counter[str] = field(default_factory=Counter)
    sent: int = 0
    # Calls on their way now, by route: the kills wait for a courier's move in flight.
    in_flight: Counter[str] = field(default_factory=Counter)
    in_flight_changed: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.in_flight_changed = threading.Condition(self.lock)

    def wait_for_call_in_flight(self, routes: tuple[str, ...], seconds: float) -> bool:
        """Wait until a call of one of ``routes`` is on its way; False after ``seconds``."""
        with self.in_flight_changed:
            return self.in_flight_changed.wait_for(
                lambda: any(self.in_flight[route] for route in routes), seconds
            )

    def open_orders(self, shopper: int) -> int:
        """Return how many fulfilments of the shopper's orders are not yet delivered."""
        with self.lock:
            return sum(
                1
                for fulfilment, order in self.order_of_fulfilment.items()
                if self.orders[order] == shopper and fulfilment not in self.delivered
            )

    def answer(
        self,
        route: str,
        method: str,
        path: str,
        *,
        token: str,
        body: Any = None,
        key: str | None = None,
    ) -> Answer:
        """Send a call until it is answered (same key, same body); return the answer."""
        deadline = time.monotonic() + ANSWER_WAIT_SECONDS
        while True:
            if not self.server_up.wait(SERVER_UP_WAIT_SECONDS):
                raise Stopped(f"the server did not come back for {route}")
            with self.lock:
                self.sent += 1
                self.in_flight[route] += 1
                self.in_flight_changed.notify_all()
            try:
                answer = call(
                    self.server.base_url,
                    method,
                    path,
                    token=token,
                    body=body,
                    key=key,
                    timeout=REQUEST_TIMEOUT_SECONDS,
                )
            except OSError:
                answer = None
            finally:
                with self.lock:
                    self.in_flight[route] -= 1
            if answer is not None and answer.status < 500:
                return answer
            with self.lock:
                self.retried[route] += 1
            if time.monotonic() > deadline:
                raise Stopped(f"{route} {path} got no answer: {self.server.log_tail()}")
            time.sleep(IDLE_SECONDS)


class Actor(threading.Thread):
    """One person at their phone or counter; ``act`` once per turn until told to stop."""

    def __init__(self, name: str, board: Board, rng_seed: int) -> None:
        super().__init__(name=name, daemon=True)
        self.board = board
        self.rng = random.Random(rng_seed)
        self.error: BaseException | None = None

    def act(self) -> bool:
        """Do one step; return whether there was anything to do."""
        raise NotImplementedError

    @override
    def run(self) -> None:
        try:
            while not self.board.stop.is_set():
                if not self.act():
                    time.sleep(IDLE_SECONDS)
        except BaseException as error:  # noqa: BLE001  (reported by the test)
            self.error = error


class Shopper(Actor):
    """Places orders of one to three products of either merchant, one key each."""

    def __init__(
        self,
        index: int,
        board: Board,
        *,
        seeded: dict[str, Any],
        ready_queues: dict[int, "queue.Queue[int]"],
        rng_seed: int,
    ) -> None:
        super().__init__(f"shopper-{index}", board, rng_seed)
        self.index = index
        self.seeded = seeded
        self.ready_queues = ready_queues
        self.number = 0

    @override
    def act(self) -> bool:
        if self.board.open_orders(self.index) >= ORDERS_OPEN_MAX:
            return False
        products = self.rng.sample(range(PRODUCTS), self.rng.randint(1, 3))
        lines = [(product, self.rng.randint(1, 2)) for product in sorted(products)]
        key = f"order-{self.index}-{self.number}"
        self.number += 1
        answer = self.board.answer(
            "orders.place",
            "POST",
            "/api/v1/orders",
            token=self.seeded["shoppers"][self.index]["token"],
            body=checkout_body(self.seeded, lines, shopper=self.index),
            key=key,
        )
        assert answer.status == 201, (key, answer.status, answer.body)
        order_id = answer.body["id"]
        with self.board.lock:
            assert order_id not in self.board.orders, f"{key} answered a known order"
            self.board.orders[order_id] = self.index
            for fulfilment in answer.body["fulfilments"]:
                self.board.order_of_fulfilment[fulfilment["id"]] = order_id
        for fulfilment in answer.body["fulfilments"]:
            self.ready_queues[fulfilment["merchant"]].put(fulfilment["id"])
        return True


class MerchantStaff(Actor):
    """Accepts, prepares and marks ready each new fulfilment of their merchant."""

    def __init__(
        self,
        index: int,
        board: Board,
        *,
        token: str,
        fulfilments: "queue.Queue[int]",
        rng_seed: int,
    ) -> None:
        super().__init__(f"staff-{index}", board, rng_seed)
        self.token = token
        self.fulfilments = fulfilments

    @override
    def act(self) -> bool:
        try:
            fulfilment_id = self.fulfilments.get(timeout=IDLE_SECONDS)
        except queue.Empty:
            return True
        for move, status in (
            ("accept", "accepted"),
            ("preparing", "preparing"),
            ("ready", "ready"),
        ):
            answer = self.board.answer(
                f"merchant.{move}",
                "POST",
                f"/api/v1/merchant/fulfilments/{fulfilment_id}/{move}",
                token=self.token,
                key=f"{move}-{fulfilment_id}",
            )
            assert (answer.status, answer.body["status"]) == (200, status), (
                move,
                fulfilment_id,
                answer.body,
            )
        return True


class Operator(Actor):
    """Runs a dispatch round now and then, as the logistics office's button does."""

    def __init__(self, board: Board, *, token: str, rng_seed: int) -> None:
        super().__init__("operator", board, rng_seed)
        self.token = token
        self.number = 0

    @override
    def act(self) -> bool:
        answer = self.board.answer(
            "ops.dispatch",
            "POST",
            "/api/v1/ops/dispatch",
            token=self.token,
            key=f"dispatch-{self.number}",
        )
        self.number += 1
        assert answer.status == 200, answer.body
        time.sleep(self.rng.uniform(0, DISPATCH_EVERY_SECONDS * 2))
        return True


class Courier(Actor):
    """Works through their route: picks each job up, then hands it over with its code."""

    def __init__(
        self,
        index: int,
        board: Board,
        *,
        seeded: dict[str, Any],
        rng_seed: int,
    ) -> None:
        super().__init__(f"courier-{index}", board, rng_seed)
        self.seeded = seeded
        self.token: str = seeded["couriers"][index]["token"]

    @override
    def act(self) -> bool:
        return self.work_route(until_stopped=True)

    def work_route(self, *, until_stopped: bool) -> bool:
        """Pick up or hand over each job on the route; return whether there was one."""
        route = self.board.answer(
            "courier.jobs", "GET", "/api/v1/courier/jobs", token=self.token
        )
        assert route.status == 200, route.body
        jobs = route.body["items"]
        if not jobs:
            return False
        # Pick-ups and hand-overs in any order, as a courier who takes one more parcel on
        # the way.
        self.rng.shuffle(jobs)
        for job in jobs:
            if until_stopped and self.board.stop.is_set():
                break
            if job["status"] == "assigned":
                self.pick_up(job["id"])
            else:
                self.hand_over(job)
        return True

    def pick_up(self, job_id: int) -> None:
        key = f"pickup-{job_id}"
        answer = self.board.answer(
            "courier.pickup",
            "POST",
            f"/api/v1/courier/jobs/{job_id}/pickup",
            token=self.token,
            key=key,
        )
        assert (answer.status, answer.body["status"]) == (200, "picked_up"), (
            job_id,
            answer.body,
        )
        with self.board.lock:
            self.board.picked_up[job_id] = key

    def code_of(self, fulfilment_id: int) -> str:
        """Return the code the shopper reads from their order (their own token)."""
        with self.board.lock:
            order_id = self.board.order_of_fulfilment[fulfilment_id]
            shopper = self.board.orders[order_id]
        answer = self.board.answer(
            "orders.get",
            "GET",
            f"/api/v1/orders/{order_id}",
            token=self.seeded["shoppers"][shopper]["token"],
        )
        assert answer.status == 200, answer.body
        (fulfilment,) = [
            part for part in answer.body["fulfilments"] if part["id"] == fulfilment_id
        ]
        code: str = fulfilment["delivery"]["confirmation_code"]
        assert code, fulfilment
        return code

    def hand_over(self, job: dict[str, Any]) -> None:
        assert job["status"] == "picked_up", job
        code = self.code_of(job["fulfilment"])
        answer = self.board.answer(
            "courier.deliver",
            "POST",
            f"/api/v1/courier/jobs/{job['id']}/deliver",
            token=self.token,
            body={"code": code},
            key=f"deliver-{job['id']}",
        )
        assert (answer.status, answer.body["status"]) == (200, "delivered"), (
            job["id"],
            answer.body,
        )
        with self.board.lock:
            assert job["fulfilment"] not in self.board.delivered
            self.board.delivered[job["fulfilment"]] = (job["id"], code)


def crash_and_check(database: StressDatabase, rng: random.Random) -> None:
    """Drive orders to the door through KILLS crashes, then check (see module docstring)."""
    seeded = seed(
        database,
        {
            "shoppers": SHOPPERS,
            "balance": BALANCE_WON,
            "merchants": MERCHANTS,
            "products": [
                {"merchant": index % MERCHANTS, "price": PRICE_WON, "stock": STOCK}
                for index in range(PRODUCTS)
            ],
            "merchant_staff": True,
            "couriers": [
                {"vehicle": "motorbike", "capacity": COURIER_CAPACITY_GRAMS}
                for _courier in range(COURIERS)
            ],
        },
    )
    server = AppServer(database, workers=2)
    board = Board(server=server, server_up=threading.Event(), stop=threading.Event())
    ready_queues: dict[int, queue.Queue[int]] = {
        staff["merchant"]: queue.Queue() for staff in seeded["merchant_staff"]
    }
    actors: list[Actor] = [
        Shopper(
            index,
            board,
            seeded=seeded,
            ready_queues=ready_queues,
            rng_seed=rng.randrange(2**32),
        )
        for index in range(SHOPPERS)
    ]
    actors += [
        MerchantStaff(
            index,
            board,
            token=staff["token"],
            fulfilments=ready_queues[staff["merchant"]],
            rng_seed=rng.randrange(2**32),
        )
        for index, staff in enumerate(seeded["merchant_staff"])
    ]
    actors.append(
        Operator(board, token=seeded["operator_token"], rng_seed=rng.randrange(2**32))
    )
    actors += [
        Courier(index, board, seeded=seeded, rng_seed=rng.randrange(2**32))
        for index in range(COURIERS)
    ]
    try:
        server.start()
        board.server_up.set()
        for actor in actors:
            actor.start()
        for _kill in range(KILLS):
            time.sleep(rng.uniform(RUN_SECONDS_MIN, RUN_SECONDS_MAX))
            # Mostly while a hand-over is on its way, else a pick-up; a moment after it
            # left, so that some die before, some inside and some after its transaction.
            target = (
                "courier.deliver"
                if rng.random() < HAND_OVER_SHARE
                else "courier.pickup"
            )
            board.wait_for_call_in_flight((target,), CALL_IN_FLIGHT_WAIT_SECONDS)
            time.sleep(rng.uniform(0, KILL_DELAY_SECONDS_MAX))
            board.server_up.clear()
            server.kill()
            server.start()
            board.server_up.set()
        time.sleep(rng.uniform(RUN_SECONDS_MIN, RUN_SECONDS_MAX))
        board.stop.set()
        for actor in actors:
            actor.join(timeout=ANSWER_WAIT_SECONDS + REQUEST_TIMEOUT_SECONDS)
            assert not actor.is_alive(), f"{actor.name} did not stop"
            assert actor.error is None, f"{actor.name}: {actor.error!r}"
        check_answers(server, seeded, board)
        # The jobs as the crashes left them, then every one of them taken to the door.
        check_figures(delivery_figures(database), board)
        drain(board, seeded, [actor for actor in actors if isinstance(actor, Courier)])
    finally:
        board.stop.set()
        board.server_up.set()
        if server.process is not None:
            server.stop()
    read = delivery_figures(database)
    check_figures(read, board)
    undelivered = [job for job in read["jobs"] if job["status"] != "delivered"]
    assert not undelivered, f"jobs left after the drain: {undelivered}"
    statuses = Counter(job["status"] for job in read["jobs"])
    print(  # noqa: T201  (shown with -s: what the run went through)
        f"{database.vendor}: {KILLS} kills, {board.sent} calls, retried "
        f"{dict(board.retried)}; {len(board.orders)} orders, jobs {dict(statuses)}, "
        f"{len(board.delivered)} hand-overs acknowledged"
    )


def drain(board: Board, seeded: dict[str, Any], couriers: list["Courier"]) -> None:
    """With the server left alone, dispatch and deliver every job the crashes left open."""
    for round_number in range(DRAIN_ROUNDS_MAX):
        assigned = board.answer(
            "ops.dispatch",
            "POST",
            "/api/v1/ops/dispatch",
            token=seeded["operator_token"],
            key=f"drain-{round_number}",
        )
        assert assigned.status == 200, assigned.body
        busy = [courier.work_route(until_stopped=False) for courier in couriers]
        if not any(busy) and not assigned.body["assigned"]:
            return
    message = f"jobs still open after {DRAIN_ROUNDS_MAX} rounds"
    raise AssertionError(message)


def check_answers(server: AppServer, seeded: dict[str, Any], board: Board) -> None:
    """Ask again what was acknowledged, read the orders, and run the audit."""
    base_url = server.base_url
    assert server.starts == KILLS + 1
    assert board.delivered, f"no hand-over was acknowledged; retried {board.retried}"
    assert sum(board.retried.values()) > 0, "no kill cut a call"
    courier_tokens = [courier["token"] for courier in seeded["couriers"]]
    # The right code again answers the delivered job (whichever courier delivered it: the
    # others get 404); the pick-up key again answers the job as it stands.
    for fulfilment_id, (job_id, code) in board.delivered.items():
        answers = [
            call(
                base_url,
                "POST",
                f"/api/v1/courier/jobs/{job_id}/deliver",
                token=token,
                body={"code": code},
                key=f"deliver-{job_id}",
            )
            for token in courier_tokens
        ]
        statuses = sorted(answer.status for answer in answers)
        assert statuses == [200] + [404] * (COURIERS - 1), (fulfilment_id, answers)
        (delivered,) = [answer.body for answer in answers if answer.status == 200]
        assert (delivered["id"], delivered["fulfilment"], delivered["status"]) == (
            job_id,
            fulfilment_id,
            "delivered",
        )
    for job_id, key in board.picked_up.items():
        answers = [
            call(
                base_url,
                "POST",
                f"/api/v1/courier/jobs/{job_id}/pickup",
                token=token,
                key=key,
            )
            for token in courier_tokens
        ]
        picked = [answer.body for answer in answers if answer.status == 200]
        assert len(picked) == 1, (job_id, answers)
        assert picked[0]["id"] == job_id
    # Each shopper's order tells what was delivered, and the payment of a fully delivered
    # order is captured.
    for order_id, shopper in board.orders.items():
        answer = call(
            base_url,
            "GET",
            f"/api/v1/orders/{order_id}",
            token=seeded["shoppers"][shopper]["token"],
        )
        assert answer.status == 200, answer.body
        parts = answer.body["fulfilments"]
        delivered_parts = [part for part in parts if part["id"] in board.delivered]
        for part in delivered_parts:
            assert part["status"] == "delivered", (order_id, part)
            assert part["delivery"]["status"] == "delivered", (order_id, part)
        payment = answer.body["payment"]["status"]
        if len(delivered_parts) == len(parts):
            assert payment == "captured", (order_id, answer.body)
        elif delivered_parts:
            assert payment == "partly_captured", (order_id, answer.body)
    audit = call(base_url, "GET", "/api/v1/ops/audit", token=seeded["operator_token"])
    assert audit.status == 200, audit.body
    assert audit_violations(audit.body) == {}, audit.body


def check_figures(figures: dict[str, Any], board: Board) -> None:
    """Check the delivered money, the jobs and the couriers' loads, read from the tables."""
    fulfilments = {part["id"]: part for part in figures["fulfilments"]}
    jobs_of = {job["fulfilment"]: job for job in figures["jobs"]}
    assert len(jobs_of) == len(figures["jobs"]), "a fulfilment has two jobs"
    # Delivered exactly once, captured exactly once: the acknowledged ones and no other.
    delivered = {
        fid for fid, part in fulfilments.items() if part["status"] == "delivered"
    }
    assert delivered == set(board.delivered), sorted(delivered ^ set(board.delivered))
    for fulfilment_id in delivered:
        part = fulfilments[fulfilment_id]
        job = jobs_of[fulfilment_id]
        assert part["delivered_events"] == 1, part
        assert part["captured_won"] == part["due_won"], part
        assert part["captures"] == part["holds"], part
        assert part["captures_won"] == part["due_won"], part
        assert job["events"]["delivered"] == 1, job
        assert job["id"] == board.delivered[fulfilment_id][0], job
    for part in fulfilments.values():
        if part["status"] != "delivered":
            assert (part["captured_won"], part["captures"]) == (0, 0), part
    # Each job agrees with its fulfilment; each ready fulfilment has its job.
    for job in figures["jobs"]:
        part = fulfilments[job["fulfilment"]]
        assert FULFILMENT_STATUS_OF_JOB[job["status"]] == part["status"], (job, part)
        assert (job["courier"] is None) == (job["status"] == "waiting"), job
        assert (job["route_position"] is not None) == (
            job["status"] in ACTIVE_JOB_STATUSES
        ), job
        # Assigned once (nobody unassigns here), picked up at most once.
        events = job["events"]
        assert events["assigned"] - events["unassigned"] == (
            0 if job["status"] == "waiting" else 1
        ), job
        assert events["assigned"] <= 1, job
        assert events["picked_up"] == (
            1 if job["status"] in ("picked_up", "delivered") else 0
        ), job
    for fulfilment_id, part in fulfilments.items():
        if part["status"] in ("ready", "out_for_delivery"):
            assert fulfilment_id in jobs_of, part
    # No courier over capacity; each load is the weight of their route, positions distinct.
    for courier in figures["couriers"]:
        route = [
            job
            for job in figures["jobs"]
            if job["courier"] == courier["id"] and job["status"] in ACTIVE_JOB_STATUSES
        ]
        assert courier["load_grams"] == sum(job["weight_grams"] for job in route), (
            courier,
            route,
        )
        assert courier["load_grams"] <= courier["capacity_grams"], courier
        positions = [job["route_position"] for job in route]
        assert len(positions) == len(set(positions)), (courier, route)


def test_killing_the_server_during_hand_overs_delivers_and_captures_each_order_once(
    tmp_path,
):
    run_seed = int(
        os.environ.get("OKRYU_CRASH_SEED") or random.SystemRandom().randrange(2**32)
    )
    with stress_database(tmp_path, label="crashdel") as database:
        try:
            crash_and_check(database, random.Random(run_seed))
        except AssertionError as error:
            message = (
                f"delivery crash test failed with OKRYU_CRASH_SEED={run_seed} "
                f"on {database.vendor}: {error}"
            )
            raise AssertionError(message) from error
