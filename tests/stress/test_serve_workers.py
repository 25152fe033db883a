"""``manage.py serve`` runs the background workers beside the app server, and stops them all.

On the embedded default there is no other server: a queued SMS must go out, and a stop must
leave no process behind.
"""

import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import time
import urllib.request

import pytest

from tests.stress.http_harness import (
    PYTHON,
    ROOT,
    AppServer,
    server_environment,
    stress_database,
)

pytestmark = pytest.mark.stress

WAIT_SECONDS_MAX = 30
QUEUE_ONE_SMS = (
    "from okryu.notifications.outbox import queue_sms; "
    "queue_sms(phone='0191234567', body='옥류: 시험 문자입니다.')"
)


def _outbox_statuses(database_url: str) -> list[str]:
    sql = "SELECT status FROM notifications_outboxmessage"
    if database_url.startswith("sqlite"):
        with contextlib.closing(
            sqlite3.connect(database_url.removeprefix("sqlite:///"))
        ) as db:
            return [row[0] for row in db.execute(sql)]
    import psycopg

    with psycopg.connect(database_url) as connection:
        return [row[0] for row in connection.execute(sql)]


def _queue_one_sms(database) -> None:
    subprocess.run(
        [PYTHON, "manage.py", "shell", "--no-imports", "-c", QUEUE_ONE_SMS],
        cwd=ROOT,
        env=server_environment(database),
        check=True,
        timeout=60,
    )


def _worker_pids(server: AppServer, name: str) -> list[int]:
    started = re.compile(rf"worker {name} started \(pid (\d+)\)")
    return [int(pid) for pid in started.findall(server.log_path.read_text())]


def _group_is_gone(group_id: int) -> bool:
    try:
        os.killpg(group_id, 0)
    except ProcessLookupError:
        return True
    return False


def test_the_server_sends_the_sms_outbox_and_stops_every_worker_with_it(tmp_path):
    with stress_database(tmp_path, label="workers") as database:
        _queue_one_sms(database)
        server = AppServer(database)
        server.start()
        assert server.process is not None
        group_id = server.process.pid
        try:
            deadline = time.monotonic() + WAIT_SECONDS_MAX
            while (
                _outbox_statuses(database.url) != ["sent"]
                and time.monotonic() < deadline
            ):
                time.sleep(0.2)

            assert _outbox_statuses(database.url) == ["sent"], server.log_tail()
        finally:
            # SIGTERM to the supervisor alone: it must stop the server and both workers.
            server.process.send_signal(signal.SIGTERM)
            server.process.wait(timeout=WAIT_SECONDS_MAX)
            deadline = time.monotonic() + WAIT_SECONDS_MAX
            while not _group_is_gone(group_id) and time.monotonic() < deadline:
                time.sleep(0.1)
            gone = _group_is_gone(group_id)
            if not gone:
                os.killpg(group_id, signal.SIGKILL)
            server.process = None

        assert gone, "a worker outlived the server's stop"


def test_a_background_worker_killed_with_sigkill_is_started_again_and_does_its_work(
    tmp_path,
):
    with stress_database(tmp_path, label="respawn") as database:
        server = AppServer(database)
        server.start()
        try:
            deadline = time.monotonic() + WAIT_SECONDS_MAX
            while not _worker_pids(server, "send_sms") and time.monotonic() < deadline:
                time.sleep(0.1)
            [first_pid] = _worker_pids(server, "send_sms")

            os.kill(first_pid, signal.SIGKILL)
            deadline = time.monotonic() + WAIT_SECONDS_MAX
            while (
                len(_worker_pids(server, "send_sms")) < 2
                and time.monotonic() < deadline
            ):
                time.sleep(0.1)
            pids = _worker_pids(server, "send_sms")
            _queue_one_sms(database)
            deadline = time.monotonic() + WAIT_SECONDS_MAX
            while (
                _outbox_statuses(database.url) != ["sent"]
                and time.monotonic() < deadline
            ):
                time.sleep(0.2)

            assert len(pids) == 2, server.log_tail()
            assert pids[1] != first_pid
            assert f"worker send_sms (pid {first_pid}) exited with -9" in (
                server.log_path.read_text()
            )
            assert _outbox_statuses(database.url) == ["sent"], server.log_tail()
        finally:
            server.stop()


def test_metrics_add_up_every_worker_process_of_an_app_server(tmp_path):
    with stress_database(tmp_path, label="metrics") as database:
        server = AppServer(database, workers=2)
        server.start()
        try:
            for _ in range(40):
                with urllib.request.urlopen(server.base_url + "/health/", timeout=10):
                    pass
            with urllib.request.urlopen(
                server.base_url + "/metrics", timeout=10
            ) as answer:
                text = answer.read().decode()
        finally:
            server.stop()

        health = re.search(
            r'django_http_responses_total_by_status_view_method_total\{method="GET",'
            r'status="200",view="health"\} (\d+)',
            text,
        )
        assert health is not None, text[:2000]
        assert int(health.group(1)) >= 40
        assert 'okryu_queue_waiting{queue="sms"}' in text
        # Both granian workers wrote their own file; /metrics read them all.
        files = list(
            (database.var_dir / "metrics" / str(server.port)).glob("counter_*.db")
        )
        assert len(files) >= 2
