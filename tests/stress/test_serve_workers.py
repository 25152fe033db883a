"""``manage.py serve`` runs the background workers beside the app server, and stops them all.

On the embedded default there is no other server: a queued SMS must go out, and a stop must
leave no process behind.
"""

import contextlib
import os
import signal
import sqlite3
import subprocess
import time

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


def _group_is_gone(group_id: int) -> bool:
    try:
        os.killpg(group_id, 0)
    except ProcessLookupError:
        return True
    return False


def test_the_server_sends_the_sms_outbox_and_stops_every_worker_with_it(tmp_path):
    with stress_database(tmp_path, label="workers") as database:
        subprocess.run(
            [PYTHON, "manage.py", "shell", "--no-imports", "-c", QUEUE_ONE_SMS],
            cwd=ROOT,
            env=server_environment(database),
            check=True,
            timeout=60,
        )
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
