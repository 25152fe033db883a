"""A real app server for the HTTP stress and crash tests: its database, its data, its life.

The tests talk to ``manage.py serve`` (granian, several worker processes) over loopback only,
exactly as phones and counters do. Each test gets its own database: a SQLite file under the
test's temporary folder, or, when ``OKRYU_TEST_DATABASE_URL`` is set, a PostgreSQL database of
its own on that server (created here and dropped afterwards). The database is migrated and
seeded by subprocesses, so the test process itself never opens it.

The module doubles as the seeding script: ``python -m tests.stress.http_harness seed SPEC``
creates the people, cards, merchants and products the test asks for and prints their ids,
tokens and card numbers as JSON.
"""

import contextlib
import dataclasses
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
SETTINGS_MODULE = "tests.stress.settings"
# A loaded 2-core machine (CI beside other runs) has taken over 30 s to start granian.
SERVER_START_SECONDS_MAX = 90
SERVER_STOP_SECONDS_MAX = 10
REQUEST_TIMEOUT_SECONDS = 10
SETUP_TIMEOUT_SECONDS = 120
READY_PATH = "/api/v1/categories"
PIN = "2580"
DISTRICT_NAME_EN = "Central"


@dataclasses.dataclass(frozen=True)
class StressDatabase:
    """The test's own database and the folder for its server's files (keys, cache, logs)."""

    url: str
    var_dir: Path
    settings_module: str = SETTINGS_MODULE

    @property
    def vendor(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return "sqlite" if self.url.startswith("sqlite") else "postgresql"


def _postgres_url_with_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def _run_admin_sql(admin_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(statement)


@contextlib.contextmanager
def stress_database(
    tmp_path: Path,
    *,
    label: str,
    postgres_url: str | None = None,
    settings_module: str = SETTINGS_MODULE,
) -> Iterator[StressDatabase]:
    """Yield a new, migrated, empty database for one test; drop it afterwards (PostgreSQL).

    PostgreSQL is used when ``postgres_url`` (by default ``OKRYU_TEST_DATABASE_URL``) is set:
    its host and user, with a database named ``okryu_<label>_<pid>``; SQLite otherwise.
    """
    var_dir = tmp_path / "var"
    var_dir.mkdir(parents=True, exist_ok=True)
    if postgres_url is None:
        postgres_url = os.environ.get("OKRYU_TEST_DATABASE_URL", "")
    if not postgres_url:
        database = StressDatabase(
            url=f"sqlite:///{tmp_path / 'stress.sqlite3'}",
            var_dir=var_dir,
            settings_module=settings_module,
        )
        migrate(database)
        yield database
        return
    name = f"okryu_{label}_{os.getpid()}"
    admin_url = _postgres_url_with_name(postgres_url, "postgres")
    _run_admin_sql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _run_admin_sql(admin_url, f'CREATE DATABASE "{name}"')
    try:
        database = StressDatabase(
            url=_postgres_url_with_name(postgres_url, name),
            var_dir=var_dir,
            settings_module=settings_module,
        )
        migrate(database)
        yield database
    finally:
        _run_admin_sql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_environment(database: StressDatabase) -> dict[str, str]:
    """Return the environment of the server and of the setup subprocesses."""
    environment = {
        **os.environ,
        "DATABASE_URL": database.url,
        "DJANGO_SETTINGS_MODULE": database.settings_module,
        "OKRYU_VAR_DIR": str(database.var_dir),
        "PYTHONPATH": str(ROOT),
    }
    # The cache is the test's own (a file cache in its folder), never a shared Redis.
    environment.pop("REDIS_URL", None)
    return environment


def migrate(database: StressDatabase) -> None:
    """Apply every migration to the test's database."""
    result = subprocess.run(
        [PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=server_environment(database),
        check=False,
        capture_output=True,
        text=True,
        timeout=SETUP_TIMEOUT_SECONDS,
    )
    if result.returncode != 0:
        message = f"migrate failed:\n{result.stderr[-4000:]}"
        raise RuntimeError(message)


def seed(database: StressDatabase, spec: dict[str, Any]) -> dict[str, Any]:
    """Create what ``spec`` asks for in a subprocess (see ``_seed``) and return its ids."""
    result = subprocess.run(
        [PYTHON, "-m", "tests.stress.http_harness", "seed", json.dumps(spec)],
        cwd=ROOT,
        env=server_environment(database),
        check=False,
        capture_output=True,
        text=True,
        timeout=SETUP_TIMEOUT_SECONDS,
    )
    if result.returncode != 0:
        message = f"seeding failed:\n{result.stderr[-4000:]}"
        raise RuntimeError(message)
    seeded: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return seeded


_PORTS_GIVEN: set[int] = set()


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now.

    ``OKRYU_PORT_RANGE`` (``"18400-18499"``) keeps the servers of one machine's several
    test and benchmark runs apart: a free port of the range not handed out before (once all
    were, they are handed out again); any free port without it.
    """
    first, _, last = os.environ.get("OKRYU_PORT_RANGE", "").partition("-")
    if not (first and last):
        return _bound_port(0) or 0
    candidates = range(int(first), int(last) + 1)
    for skip_given in (True, False):
        for candidate in candidates:
            if skip_given and candidate in _PORTS_GIVEN:
                continue  # Handed to a caller that may not listen on it yet.
            if _bound_port(candidate):
                _PORTS_GIVEN.add(candidate)
                return candidate
        _PORTS_GIVEN.clear()
    message = f"no free port in OKRYU_PORT_RANGE={first}-{last}"
    raise RuntimeError(message)


def _bound_port(port: int) -> int | None:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return None
        return int(probe.getsockname()[1])


class AppServer:
    """``manage.py serve`` in its own process group, so that SIGKILL reaches every worker."""

    def __init__(self, database: StressDatabase, *, workers: int = 2) -> None:
        self.database = database
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.starts = 0
        self.log_path = database.var_dir / "server.log"

    @property
    def base_url(self) -> str:
        """The URL of the server as last started."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> str:
        """Start the server on a new free port and wait until it answers; return its URL."""
        assert self.process is None, "stop or kill the server first"
        self.port = free_port()
        self.starts += 1
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    PYTHON,
                    "manage.py",
                    "serve",
                    "--port",
                    str(self.port),
                    "--workers",
                    str(self.workers),
                ],
                cwd=ROOT,
                env=server_environment(self.database),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_until_ready()
        except RuntimeError:
            # A server that never answered must not outlive the test that started it.
            self.kill()
            raise
        return self.base_url

    def _wait_until_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + SERVER_START_SECONDS_MAX
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                message = f"the app server exited: {self.log_tail()}"
                raise RuntimeError(message)
            try:
                with urllib.request.urlopen(
                    self.base_url + READY_PATH, timeout=2
                ) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        message = f"the app server did not answer in time: {self.log_tail()}"
        raise RuntimeError(message)

    def kill(self) -> None:
        """SIGKILL the whole process group (granian's main process and its workers)."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=SERVER_STOP_SECONDS_MAX)
        self._wait_for_group_gone(self.process.pid)
        self.process = None

    def stop(self) -> None:
        """Stop the server gracefully (SIGTERM), or kill it if it does not stop in time."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=SERVER_STOP_SECONDS_MAX)
        except subprocess.TimeoutExpired:
            self.kill()
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self._wait_for_group_gone(self.process.pid)
        self.process = None

    @staticmethod
    def _wait_for_group_gone(group_id: int) -> None:
        deadline = time.monotonic() + SERVER_STOP_SECONDS_MAX
        while time.monotonic() < deadline:
            try:
                os.killpg(group_id, 0)
            except ProcessLookupError:
                return
            time.sleep(0.02)
        message = f"process group {group_id} outlived SIGKILL"
        raise RuntimeError(message)

    def log_tail(self, characters: int = 3000) -> str:
        """Return the end of the server's log, for failure messages."""
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")[-characters:]


@contextlib.contextmanager
def running_app_server(
    database: StressDatabase, *, workers: int = 2
) -> Iterator[AppServer]:
    """Yield a started AppServer; stop it however the block ends."""
    server = AppServer(database, workers=workers)
    try:
        server.start()
        yield server
    finally:
        if server.process is not None:
            server.stop()


@dataclasses.dataclass(frozen=True)
class Answer:
    """An HTTP answer: its status and its JSON body."""

    status: int
    body: Any


def call(  # noqa: PLR0913  (a request: where, what, and its optional parts by keyword)
    base_url: str,
    method: str,
    path: str,
    *,
    token: str | None = None,
    body: Any = None,
    key: str | None = None,
    timeout: float = REQUEST_TIMEOUT_SECONDS,
) -> Answer:
    """Send one JSON request; return the answer, or raise OSError when none came back."""
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if key is not None:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(
        base_url + path, data=data, headers=headers, method=method
    )
    try:
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return Answer(response.status, json.loads(response.read() or b"null"))
        except urllib.error.HTTPError as error:
            status, content = error.code, error.read()
    except http.client.HTTPException as error:
        # A server killed mid-answer leaves a short body or a bad status line: no answer.
        raise ConnectionError(repr(error)) from error
    try:
        parsed = json.loads(content) if content else None
    except ValueError:
        parsed = {"raw": content.decode(errors="replace")}
    return Answer(status, parsed)


def audit_violations(audit: dict[str, Any]) -> dict[str, int]:
    """Return the non-zero fault counts of an audit body (totals are not faults)."""
    totals = {"transfers", "accounts", "sum_of_balances"}
    faults = {
        f"{part}.{name}": value
        for part, figures in audit.items()
        for name, value in figures.items()
        if name not in totals and value != 0
    }
    if audit["ledger"]["sum_of_balances"] != 0:
        faults["ledger.sum_of_balances"] = audit["ledger"]["sum_of_balances"]
    return faults


def checkout_body(
    seeded: dict[str, Any], lines: list[tuple[int, int]], *, shopper: int
) -> dict[str, Any]:
    """Return the JSON of a checkout of ``lines`` (product index, quantity) by a shopper."""
    return {
        "lines": [
            {"product": seeded["products"][index]["id"], "quantity": quantity}
            for index, quantity in lines
        ],
        "address": {"district": DISTRICT_NAME_EN, "detail": "Apartment 3-201"},
        "card": seeded["shoppers"][shopper]["card"],
        "pin": PIN,
    }


def _seed(spec: dict[str, Any]) -> dict[str, Any]:
    """Create the test's data through the services; return ids, tokens and card numbers.

    ``spec``: ``shoppers`` (count), ``balance`` (won on each card), ``merchants`` (count)
    and ``products``: a list of ``{"merchant": index, "price": won, "stock": units}``.
    Optional: ``merchant_staff`` (true: one staff member per merchant, their tokens under
    ``merchant_staff``) and ``couriers``: a list of ``{"vehicle", "capacity": grams}``,
    on duty in the district (ids and tokens under ``couriers``).
    """
    import django

    django.setup()
    from django.conf import settings

    from okryu.accounts.models import District, Role, RoleGrant, User
    from okryu.api.tokens import issue_token
    from okryu.catalog.models import Category, Product
    from okryu.catalog.services import receive_stock
    from okryu.merchants.models import Merchant, MerchantKind
    from okryu.merchants.services import open_settlement_account
    from okryu.payments import ledger
    from okryu.payments.cards import issue_card

    # The migrations load the real districts; a bare database gets the one needed here.
    district = District.objects.filter(name_en__iexact=DISTRICT_NAME_EN).first()
    if district is None:
        district = District.objects.create(
            code="central",
            name="중구역",
            name_en=DISTRICT_NAME_EN,
            city="평양",
            city_en="Pyongyang",
            latitude=39.0392,
            longitude=125.7625,
        )
    category = Category.objects.create(slug="food", name="식료품", name_en="Food")
    merchants = []
    for index in range(int(spec.get("merchants", 1))):
        merchant = Merchant.objects.create(
            slug=f"store-{index}",
            kind=MerchantKind.STORE,
            name=f"상점{index}",
            name_en=f"Store {index}",
            district=district,
            address="중구역 1동",
        )
        open_settlement_account(merchant_id=merchant.pk)
        merchants.append(merchant)
    products = []
    for index, product_spec in enumerate(spec["products"]):
        product = Product.objects.create(
            merchant=merchants[int(product_spec.get("merchant", 0))],
            category=category,
            name=f"상품{index}",
            name_en=f"Product {index}",
            unit="개",
            unit_en="piece",
            price_won=int(product_spec["price"]),
            weight_grams=300,
        )
        if product_spec["stock"]:
            receive_stock(
                product_id=product.pk,
                quantity=int(product_spec["stock"]),
                changed_by=None,
            )
        products.append(
            {
                "id": product.pk,
                "price": product.price_won,
                "merchant": product.merchant_id,
            }
        )
    shoppers = []
    for index in range(int(spec["shoppers"])):
        user = User.objects.create_user(
            username=f"buyer{index}", password="okryu-stress", display_name="구매자"
        )
        RoleGrant.objects.create(user=user, role=Role.SHOPPER)
        card = issue_card(holder=user, phone="01012345678", pin=PIN)
        # Funded as cash top-ups no larger than a teller may book alone: a larger one needs a
        # supervisor's approval, and the audit counts any booked without it.
        remaining_won = int(spec.get("balance") or 0)
        part = 0
        while remaining_won > 0:
            amount_won = min(remaining_won, settings.OKRYU_TOPUP_APPROVAL_WON)
            ledger.top_up(
                card_number=card.number,
                amount_won=amount_won,
                transfer_id=f"seed-top-up-{index}-{part}",
            )
            remaining_won -= amount_won
            part += 1
        shoppers.append(
            {"id": user.pk, "token": issue_token(user=user).token, "card": card.number}
        )
    operator = User.objects.create_user(
        username="operator", password="okryu-stress", display_name="운영자"
    )
    RoleGrant.objects.create(user=operator, role=Role.OPERATOR)
    seeded: dict[str, Any] = {
        "district": district.pk,
        "products": products,
        "shoppers": shoppers,
        "operator_token": issue_token(user=operator).token,
    }
    if spec.get("merchant_staff"):
        seeded["merchant_staff"] = _seed_merchant_staff(merchants)
    if spec.get("couriers"):
        seeded["couriers"] = _seed_couriers(spec["couriers"], district_id=district.pk)
    return seeded


def _seed_merchant_staff(merchants: list[Any]) -> list[dict[str, Any]]:
    """Give each merchant one staff member; return their tokens, in merchant order."""
    from okryu.accounts.models import Role, RoleGrant, User
    from okryu.api.tokens import issue_token
    from okryu.merchants.models import MerchantStaff

    staff = []
    for index, merchant in enumerate(merchants):
        user = User.objects.create_user(
            username=f"staff{index}", password="okryu-stress", display_name="직원"
        )
        RoleGrant.objects.create(user=user, role=Role.MERCHANT)
        MerchantStaff.objects.create(merchant=merchant, user=user)
        staff.append({"merchant": merchant.pk, "token": issue_token(user=user).token})
    return staff


def _seed_couriers(
    specs: list[dict[str, Any]], *, district_id: int
) -> list[dict[str, Any]]:
    """Register couriers (``{"vehicle", "capacity"}`` in grams), on duty in the district."""
    from okryu.accounts.models import Role, RoleGrant, User
    from okryu.api.tokens import issue_token
    from okryu.delivery.services import register_courier, start_duty

    couriers = []
    for index, courier_spec in enumerate(specs):
        user = User.objects.create_user(
            username=f"courier{index}", password="okryu-stress", display_name="배달원"
        )
        RoleGrant.objects.create(user=user, role=Role.COURIER)
        courier = register_courier(
            user_id=user.pk,
            vehicle=str(courier_spec.get("vehicle", "motorbike")),
            capacity_grams=int(courier_spec["capacity"]),
            district_id=district_id,
        )
        start_duty(courier_user_id=user.pk)
        couriers.append(
            {
                "id": courier.pk,
                "token": issue_token(user=user).token,
                "capacity": courier.capacity_grams,
            }
        )
    return couriers


def _figures() -> dict[str, Any]:
    """Return the figures a stress test checks, read straight from the tables."""
    import django

    django.setup()
    from django.db.models import Sum

    from okryu.catalog.models import Product
    from okryu.orders.models import Fulfilment, Order
    from okryu.payments.models import LedgerAccount, LedgerAccountKind

    shoppers = LedgerAccount.objects.filter(kind=LedgerAccountKind.SHOPPER)
    return {
        "orders": Order.objects.count(),
        "fulfilments": Fulfilment.objects.count(),
        "order_totals_won": Order.objects.aggregate(total=Sum("total_won"))["total"]
        or 0,
        "held_won": shoppers.aggregate(total=Sum("held_won"))["total"] or 0,
        "reserved": Product.objects.aggregate(total=Sum("stock_reserved"))["total"]
        or 0,
    }


def _delivery_figures() -> dict[str, Any]:
    """Return every fulfilment, delivery job and courier as the delivery crash test checks them.

    A fulfilment: its status, what it owes and captured, its capture transfers in the ledger
    and its ``delivered`` events. A job: its state, courier, weight and events by kind. A
    courier: load and capacity.
    """
    import django

    django.setup()
    from django.db import connection, transaction

    # One snapshot, although the server's job runner may be dispatching meanwhile.
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return _read_delivery_figures()


def _read_delivery_figures() -> dict[str, Any]:
    from django.db.models import Count, Q

    from okryu.delivery.models import Courier, DeliveryJob, JobEventKind
    from okryu.orders.models import Fulfilment
    from okryu.payments.models import Transfer, TransferKind

    fulfilments = []
    for fulfilment in Fulfilment.objects.annotate(
        delivered_events=Count("events", filter=Q(events__to_status="delivered"))
    ).order_by("pk"):
        holds = [
            hold
            for hold in (
                fulfilment.items_hold_transfer_id,
                fulfilment.fee_hold_transfer_id,
            )
            if hold
        ]
        captures = Transfer.objects.filter(
            kind=TransferKind.CAPTURE, pending__transfer_id__in=holds
        )
        fulfilments.append(
            {
                "id": fulfilment.pk,
                "order": fulfilment.order_id,
                "status": fulfilment.status,
                "due_won": fulfilment.items_total_won + fulfilment.delivery_fee_won,
                "captured_won": fulfilment.captured_won,
                "holds": len(holds),
                "captures": captures.count(),
                "captures_won": sum(c.amount_won for c in captures),
                "delivered_events": fulfilment.delivered_events,
            }
        )
    jobs = []
    for job in DeliveryJob.objects.order_by("pk"):
        kinds = list(job.events.values_list("kind", flat=True))
        jobs.append(
            {
                "id": job.pk,
                "fulfilment": job.fulfilment_id,
                "status": job.status,
                "courier": job.courier_id,
                "route_position": job.route_position,
                "weight_grams": job.weight_grams,
                "events": {kind: kinds.count(kind) for kind in JobEventKind.values},
            }
        )
    couriers = [
        {
            "id": courier.pk,
            "load_grams": courier.load_grams,
            "capacity_grams": courier.capacity_grams,
        }
        for courier in Courier.objects.order_by("pk")
    ]
    return {"fulfilments": fulfilments, "jobs": jobs, "couriers": couriers}


def delivery_figures(database: StressDatabase) -> dict[str, Any]:
    """Return the fulfilments, delivery jobs and couriers of the test's database."""
    result = subprocess.run(
        [PYTHON, "-m", "tests.stress.http_harness", "delivery-figures"],
        cwd=ROOT,
        env=server_environment(database),
        check=True,
        capture_output=True,
        text=True,
        timeout=SETUP_TIMEOUT_SECONDS,
    )
    read: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return read


def figures(database: StressDatabase) -> dict[str, Any]:
    """Return counts and sums of the test's database (orders, holds, reserved stock)."""
    result = subprocess.run(
        [PYTHON, "-m", "tests.stress.http_harness", "figures"],
        cwd=ROOT,
        env=server_environment(database),
        check=True,
        capture_output=True,
        text=True,
        timeout=SETUP_TIMEOUT_SECONDS,
    )
    read: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return read


if __name__ == "__main__":
    match sys.argv[1:]:
        case ["seed", spec]:
            sys.stdout.write(json.dumps(_seed(json.loads(spec))) + "\n")
        case ["figures"]:
            sys.stdout.write(json.dumps(_figures()) + "\n")
        case ["delivery-figures"]:
            sys.stdout.write(json.dumps(_delivery_figures()) + "\n")
        case _:
            sys.exit(
                "usage: python -m tests.stress.http_harness "
                "seed SPEC | figures | delivery-figures"
            )
