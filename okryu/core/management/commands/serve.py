"""Serve Okryu: the production WSGI server (granian) and the background workers beside it.

On the embedded default there is no other server, so this command also starts the job runner
(hold expiry, order timeouts) and the SMS sender as child processes, and stops all of them
together on Ctrl-C or SIGTERM. A worker that dies (killed, out of memory) is started again.
``--no-workers`` serves pages only, for machines where the workers run elsewhere (at scale,
several of them against PostgreSQL); ``--background-copies N`` keeps N of each running.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from argparse import ArgumentParser
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from typing_extensions import override

WORKERS_MAX = 64
STOP_SECONDS_MAX = 20
# The background workers: each a management command that polls until it is stopped.
BACKGROUND_COMMANDS = (("run_jobs",), ("send_sms",))
BACKGROUND_COPIES_MAX = 16
SUPERVISE_INTERVAL_SECONDS = 0.5
RESTART_DELAY_SECONDS_MAX = 30.0
RESTART_RESET_SECONDS = 60.0


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
        parser.add_argument(
            "--background-copies",
            type=int,
            default=1,
            help="how many job runners and how many SMS senders to keep running",
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
        copies = int(options["background_copies"])
        if not 1 <= copies <= BACKGROUND_COPIES_MAX:
            message = f"--background-copies must be 1 to {BACKGROUND_COPIES_MAX}"
            raise CommandError(message)
        host, port = options["host"], int(options["port"])
        _give_metrics_a_folder(port)
        server_command = _granian_command(
            granian, host=host, port=port, workers=workers
        )
        if options["no_workers"]:
            self._announce(host, port)
            os.execv(granian, server_command)  # noqa: S606  (the server replaces this process)
        self._serve_with_workers(server_command, host=host, port=port, copies=copies)

    def _announce(self, host: str, port: int) -> None:
        shown_host = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104
        self.stdout.write(
            self.style.SUCCESS(
                f"옥류 Okryu: http://{shown_host}:{port}/  (Ctrl-C to stop)"
            )
        )
        self.stdout.flush()

    def _serve_with_workers(
        self, server_command: list[str], *, host: str, port: int, copies: int
    ) -> None:
        manage = [sys.executable, "manage.py"]
        supervisor = Supervisor(
            [
                [*manage, *command]
                for command in BACKGROUND_COMMANDS
                for _ in range(copies)
            ],
            report=self._report,
        )
        server = subprocess.Popen(server_command)  # noqa: S603
        self._announce(host, port)

        def stop(signal_number: int, _frame: FrameType | None) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            supervisor.start()
            # The server respawns its own workers; a background worker that dies is started
            # again here, after a pause that grows while it keeps dying.
            while _still_running(server, SUPERVISE_INTERVAL_SECONDS):
                supervisor.restart_dead()
        except KeyboardInterrupt:
            pass
        finally:
            _stop_children([*supervisor.children(), server])

    def _report(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()


class Supervisor:
    """Keeps background workers running: one that exits or is killed is started again.

    A worker that dies again soon after its start waits longer before the next one (1 s, 2 s,
    … at most ``RESTART_DELAY_SECONDS_MAX``), so a worker that cannot start (a database that
    is down) does not spin; one that ran for ``RESTART_RESET_SECONDS`` starts over at 1 s.
    """

    def __init__(
        self, commands: list[list[str]], *, report: Callable[[str], None]
    ) -> None:
        self._commands = commands
        self._report = report
        self._processes: list[subprocess.Popen[bytes] | None] = [None] * len(commands)
        self._started_at = [0.0] * len(commands)
        self._delays = [0.0] * len(commands)
        self._restart_at = [0.0] * len(commands)

    def start(self) -> None:
        """Start every worker."""
        for index in range(len(self._commands)):
            self._start(index)

    def children(self) -> list[subprocess.Popen[bytes]]:
        """Return the worker processes started last."""
        return [process for process in self._processes if process is not None]

    def restart_dead(self) -> None:
        """Start again each worker that has exited and whose pause is over."""
        now = time.monotonic()
        for index, process in enumerate(self._processes):
            if process is None or process.poll() is None:
                continue
            if self._restart_at[index] == 0.0:
                ran_seconds = now - self._started_at[index]
                if ran_seconds >= RESTART_RESET_SECONDS:
                    self._delays[index] = 0.0
                self._delays[index] = min(
                    max(self._delays[index] * 2, 1.0), RESTART_DELAY_SECONDS_MAX
                )
                self._restart_at[index] = now + self._delays[index]
                self._report(
                    f"worker {_name(self._commands[index])} (pid {process.pid}) exited "
                    f"with {process.returncode}; starting it again in "
                    f"{self._delays[index]:.0f} s"
                )
            if now >= self._restart_at[index]:
                self._start(index)

    def _start(self, index: int) -> None:
        command = self._commands[index]
        process = subprocess.Popen(command)  # noqa: S603  (our own commands)
        self._processes[index] = process
        self._started_at[index] = time.monotonic()
        self._restart_at[index] = 0.0
        self._report(f"worker {_name(command)} started (pid {process.pid})")


def _give_metrics_a_folder(port: int) -> None:
    """Have every process of this app server write its metrics in one folder of its own.

    prometheus_client's multiprocess mode: each granian worker writes its counters there, and
    ``/metrics`` adds them up. The folder is emptied first, since counters of an earlier run
    would otherwise be added to this one's.
    """
    folder = Path(settings.VAR_DIR) / "metrics" / str(port)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink(missing_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)


def _still_running(process: subprocess.Popen[bytes], seconds: float) -> bool:
    """Wait up to ``seconds`` for ``process`` to exit; return True if it is still running."""
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        return True
    return False


def _name(command: list[str]) -> str:
    return command[2] if len(command) > 2 else command[-1]  # noqa: PLR2004


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
