"""Shared pieces of the benchmarks: a prepared database, a running app server, wrk."""

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.stress.http_harness import free_port

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BENCH_VAR = ROOT / "var" / "bench"
SQLITE_URL = f"sqlite:///{BENCH_VAR / 'bench.sqlite3'}"
POSTGRES_URL = os.environ.get(
    "OKRYU_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/okryu_bench"
)
SERVER_START_SECONDS_MAX = 60


def manage(database_url: str, *arguments: str) -> str:
    """Run a management command against ``database_url`` and return its output."""
    environment = {**os.environ, "DATABASE_URL": database_url}
    environment["DJANGO_SETTINGS_MODULE"] = "config.settings.demo"
    if arguments[0] == "shell":
        # Django's shell announces its automatic imports; only the script's output is wanted.
        arguments = ("shell", "--no-imports", *arguments[1:])
    result = subprocess.run(
        [PYTHON, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def ensure_postgres_database(database_url: str) -> None:
    """Create the PostgreSQL benchmark database if it does not exist."""
    name = database_url.rsplit("/", 1)[-1]
    import psycopg

    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def prepare_database(database_url: str, *, products: int) -> None:
    """Migrate, load the demo data and grow the catalog to about ``products`` products."""
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    if database_url.startswith("postgres"):
        ensure_postgres_database(database_url)
    manage(database_url, "migrate", "--no-input", "-v", "0")
    manage(database_url, "load_demo_data", "--no-history")
    count = int(
        manage(
            database_url,
            "shell",
            "-c",
            "from okryu.catalog.models import Product; print(Product.objects.count())",
        ).strip()
    )
    if count < products:
        manage(
            database_url,
            "generate_catalog",
            "--products",
            str(products - count),
            "--seed",
            "7",
        )


@contextlib.contextmanager
def running_server(database_url: str, *, workers: int = 2) -> Iterator[str]:
    """Start the production app server on a free port; yield its base URL; stop it."""
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.demo",
    }
    manage(database_url, "collectstatic", "--no-input", "-v", "0")
    process = subprocess.Popen(
        [
            PYTHON,
            "manage.py",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-workers",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS_MAX
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(base_url + "/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            message = "the app server did not start"
            raise RuntimeError(message)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass(frozen=True)
class LoadResult:
    """What wrk measured for one URL pattern."""

    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def _milliseconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    assert match, text
    value, unit = float(match.group(1)), match.group(2)
    return {"us": value / 1000, "ms": value, "s": value * 1000}[unit]


def _wrk_figure(pattern: str, output: str) -> str:
    match = re.search(pattern, output, re.MULTILINE)
    if match is None:
        message = f"wrk's report has no line matching {pattern!r}:\n{output}"
        raise RuntimeError(message)
    return match.group(1)


def run_wrk(
    name: str,
    url: str,
    *,
    connections: int = 16,
    seconds: int = 10,
    script: str | None = None,
    headers: tuple[str, ...] = (),
) -> LoadResult:
    """Load ``url`` with wrk (2 threads, ``connections`` connections) and parse its report."""
    wrk = shutil.which("wrk")
    if wrk is None:
        message = "wrk is missing: apt-get install -y wrk"
        raise RuntimeError(message)
    command = [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script:
        command += ["-s", script]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run(
        [*command, url], check=True, capture_output=True, text=True
    ).stdout
    rate = float(_wrk_figure(r"Requests/sec:\s+([\d.]+)", output))
    p50 = _milliseconds(_wrk_figure(r"^\s+50%\s+(\S+)\s*$", output))
    p99 = _milliseconds(_wrk_figure(r"^\s+99%\s+(\S+)\s*$", output))
    errors_match = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(errors_match.group(1)) if errors_match else 0
    if socket_errors:
        errors += sum(int(value) for value in socket_errors.groups())
    return LoadResult(name, rate, p50, p99, errors)


def save_results(name: str, payload: object) -> Path:
    """Write ``payload`` as JSON under var/bench/ and return the path."""
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    path = BENCH_VAR / f"{name}.json"
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    return path


@dataclass(frozen=True)
class PgbenchResult:
    """What pgbench's TPC-B-like run measured against one PostgreSQL server."""

    transactions_per_second: float
    latency_average_ms: float
    command: str


def run_pgbench(
    postgres_url: str, *, clients: int = 8, seconds: int = 20, scale: int = 8
) -> PgbenchResult:
    """Run TPC-B (``pgbench -b tpcb-like``) in a scratch database of the same server.

    What the server itself does on this machine at the time, beside the app's figures: the
    database is created with ``pgbench -i -s scale``, loaded by ``clients`` clients on 2
    threads for ``seconds`` seconds, and dropped.
    """
    pgbench = shutil.which("pgbench")
    if pgbench is None:
        message = "pgbench is missing: apt-get install -y postgresql-client"
        raise RuntimeError(message)
    import psycopg

    name = f"okryu_pgbench_{os.getpid()}"
    admin_url = postgres_url.rsplit("/", 1)[0] + "/postgres"
    scratch_url = postgres_url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        subprocess.run(
            [pgbench, "-i", "-q", "-s", str(scale), scratch_url],
            check=True,
            capture_output=True,
            text=True,
        )
        arguments = [
            "-c",
            str(clients),
            "-j",
            "2",
            "-T",
            str(seconds),
            "-b",
            "tpcb-like",
        ]
        output = subprocess.run(
            [pgbench, *arguments, scratch_url],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    tps = float(_wrk_figure(r"^tps = ([\d.]+)", output))
    latency = float(_wrk_figure(r"^latency average = ([\d.]+) ms", output))
    return PgbenchResult(
        tps, latency, f"pgbench -i -s {scale}; pgbench {' '.join(arguments)}"
    )
