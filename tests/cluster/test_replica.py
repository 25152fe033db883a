"""Reads that tolerate lag against a real PostgreSQL streaming replica.

Needs the primary and the replica of ``deploy/cluster/postgres.sh start`` (Debian's
PostgreSQL tools; ``make replica-test`` and ``make cluster-test`` start them and ask for it with
``OKRYU_REPLICA_TEST=1``, since it stops the replica; skipped otherwise). The test
makes its own database on the primary, waits for it to stream to the replica, and checks in a
Django process configured with both: catalog reads are served by the replica while it is
healthy (counted), a person's own write is read back from the primary at once, and with the
replica stopped the same reads come from the primary.
"""

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.stress.http_harness import PYTHON, ROOT

pytestmark = [pytest.mark.cluster, pytest.mark.stress]

PRIMARY_PORT = int(os.environ.get("OKRYU_PRIMARY_PORT", "5434"))
REPLICA_PORT = int(os.environ.get("OKRYU_REPLICA_PORT", "5433"))
DATABASE = "okryu_replica_test"
POSTGRES_SCRIPT = ROOT / "deploy" / "cluster" / "postgres.sh"
WAIT_SECONDS_MAX = 60
SETUP_TIMEOUT_SECONDS = 300

# Run inside `manage.py shell` with both aliases configured; prints one JSON object.
CHECK = """
import json, os, time
from okryu.catalog.models import Category
from okryu.catalog.queries import list_category_tree
from okryu.core.replica import LAGGING_READS, measure_replica_lag_seconds, reads_pinned_to_primary

def served(alias):
    return sum(
        sample.value
        for metric in LAGGING_READS.collect()
        for sample in metric.samples
        if sample.name.endswith("_total") and sample.labels["alias"] == alias
    )

def names():
    return sorted(node.category.slug for node in list_category_tree())

slug = "cat-%d" % time.time_ns()
Category.objects.create(slug=slug, name="분류", name_en="Category")
with reads_pinned_to_primary():
    own_write_seen = slug in names()
# With the replica up, wait until a read of the new category was served by it; with it
# stopped, the primary serves it at once and there is nothing to wait for.
replica_up = os.environ["OKRYU_CHECK_REPLICA_UP"] == "1"
deadline = time.monotonic() + 20
while True:
    before = served("replica")
    seen = slug in names()
    if seen and (served("replica") > before or not replica_up) or time.monotonic() > deadline:
        break
    time.sleep(0.2)
try:
    lag = measure_replica_lag_seconds()
except Exception as error:
    lag = repr(error)
print(json.dumps({
    "own_write_seen": own_write_seen,
    "seen_later": seen,
    "replica_reads": served("replica"),
    "primary_reads": served("default"),
    "lag": lag,
}))
"""


def _psql(port: int, sql: str, database: str = "postgres") -> str:
    connection = ["-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database]
    result = subprocess.run(
        ["psql", *connection, "-Atc", sql],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(result.stderr)
    return result.stdout.strip()


def _answers(port: int) -> bool:
    try:
        _psql(port, "SELECT 1")
    except (RuntimeError, FileNotFoundError, subprocess.TimeoutExpired):
        return False
    return True


def _environment(var_dir: Path) -> dict[str, str]:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.stress.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PRIMARY_PORT}/{DATABASE}",
        "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{REPLICA_PORT}/{DATABASE}",
        "OKRYU_REPLICA_MAX_LAG_S": "5",
        "OKRYU_VAR_DIR": str(var_dir),
        "PYTHONPATH": str(ROOT),
    }
    environment.pop("REDIS_URL", None)
    environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return environment


def _check(var_dir: Path, *, replica_up: bool) -> dict[str, Any]:
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "--no-imports", "-c", CHECK],
        cwd=ROOT,
        env={
            **_environment(var_dir),
            "OKRYU_CHECK_REPLICA_UP": "1" if replica_up else "0",
        },
        capture_output=True,
        text=True,
        timeout=SETUP_TIMEOUT_SECONDS,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return outcome


@pytest.fixture(scope="module")
def replicated_database(tmp_path_factory):
    # It stops the replica: only a run that asks for it (make replica-test, cluster-test).
    if os.environ.get("OKRYU_REPLICA_TEST") != "1":
        pytest.skip(
            "make replica-test or make cluster-test runs this (OKRYU_REPLICA_TEST=1)"
        )
    if not (_answers(PRIMARY_PORT) and _answers(REPLICA_PORT)):
        pytest.fail("no primary and replica: run `deploy/cluster/postgres.sh start`")
    var_dir = tmp_path_factory.mktemp("replica")
    _psql(PRIMARY_PORT, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    _psql(PRIMARY_PORT, f"CREATE DATABASE {DATABASE}")
    migrate = subprocess.run(
        [PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=_environment(var_dir),
        capture_output=True,
        text=True,
        timeout=SETUP_TIMEOUT_SECONDS,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    deadline = time.monotonic() + WAIT_SECONDS_MAX
    while time.monotonic() < deadline:
        try:
            if _psql(REPLICA_PORT, "SELECT count(*) FROM catalog_category", DATABASE):
                break
        except RuntimeError:
            time.sleep(0.5)
    yield var_dir
    subprocess.run(
        ["sh", str(POSTGRES_SCRIPT), "start-replica"], check=False, timeout=120
    )
    _psql(PRIMARY_PORT, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def test_catalog_reads_come_from_a_healthy_replica_and_own_writes_from_the_primary(
    replicated_database,
):
    outcome = _check(replicated_database, replica_up=True)

    assert outcome["own_write_seen"] is True
    assert outcome["seen_later"] is True
    assert outcome["replica_reads"] >= 1
    assert isinstance(outcome["lag"], float)
    assert outcome["lag"] < 5


def test_with_the_replica_stopped_the_same_reads_come_from_the_primary(
    replicated_database,
):
    subprocess.run(
        ["sh", str(POSTGRES_SCRIPT), "stop-replica"], check=True, timeout=120
    )
    try:
        outcome = _check(replicated_database, replica_up=False)
    finally:
        subprocess.run(
            ["sh", str(POSTGRES_SCRIPT), "start-replica"], check=True, timeout=120
        )

    assert outcome["own_write_seen"] is True
    assert outcome["seen_later"] is True
    assert outcome["replica_reads"] == 0
    assert outcome["primary_reads"] >= 2
