"""Serve Okryu: the production WSGI server (granian) and the background workers beside it.

On the embedded default there is no other server, so this command also starts the job runner
(hold expiry, order timeouts) and the SMS sender as child processes, and stops all of them
together on Ctrl-C or SIGTERM. ``--no-workers`` serves pages only, for machines where the
workers run elsewhere (at scale, several of them against PostgreSQL).
"""

import os
import shutil
import signal
import subprocess
import sys
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from typing_extensions import override

WORKERS_MAX = 64
STOP_SECONDS_MAX = 20
# The background workers: each a management command that polls until it is stopped.
BACKGROUND_COMMANDS = (("run_jobs",), ("send_sms",))


class Command(BaseCommand):
    help = (
        "Serve Okryu on a production WSGI server (granian, WSGI mode) with its workers."
    )

    @override
    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=settings.PORT)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument(
            "--no-workers",
            action="store_true",
            help="do not start the job runner and the SMS sender beside the server",
        )

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        workers = int(options["workers"])
        if not 1 <= workers <= WORKERS_MAX:
            message = f"--workers must be 1 to {WORKERS_MAX}"
            raise CommandError(message)
        granian = shutil.which("granian", path=os.path.dirname(sys.executable))
        if granian is None:
            message = "granian is not installed in this environment; run `make run`."
            raise CommandError(message)
        host, port = options["host"], int(options["port"])
        server_command = _granian_command(
            granian, host=host, port=port, workers=workers
        )
        if options["no_workers"]:
            self._announce(host, port)
            os.execv(granian, server_command)  # noqa: S606  (the server replaces this process)
        self._serve_with_workers(server_command, host=host, port=port)

    def _announce(self, host: str, port: int) -> None:
        shown_host = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104
        self.stdout.write(
            self.style.SUCCESS(
                f"옥류 Okryu: http://{shown_host}:{port}/  (Ctrl-C to stop)"
            )
        )
        self.stdout.flush()

    def _serve_with_workers(
        self, server_command: list[str], *, host: str, port: int
    ) -> None:
        manage = [sys.executable, "manage.py"]
        children = [
            subprocess.Popen([*manage, *command])  # noqa: S603  (our own commands)
            for command in BACKGROUND_COMMANDS
        ]
        server = subprocess.Popen(server_command)  # noqa: S603
        children.append(server)
        self._announce(host, port)

        def stop(signal_number: int, _frame: FrameType | None) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            server.wait()
        except KeyboardInterrupt:
            pass
        finally:
            _stop_children(children)


def _granian_command(granian: str, *, host: str, port: int, workers: int) -> list[str]:
    return [
        granian,
        "--interface",
        "wsgi",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        # Measured here: granian's default blocking-thread count costs 20-30% on database
        # pages; one thread per worker keeps each Django connection on one thread.
        "--blocking-threads",
        "1",
        "--no-ws",
        "--respawn-failed-workers",
        "--log-level",
        "warning",
        "config.wsgi:application",
    ]


def _stop_children(children: list[subprocess.Popen[bytes]]) -> None:
    """Ask every child to stop, then wait; kill one that does not stop in time."""
    # SIGTERM, not SIGINT: a child started in the background by a shell ignores SIGINT.
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=STOP_SECONDS_MAX)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
