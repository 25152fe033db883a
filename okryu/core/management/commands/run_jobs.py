"""Run background jobs: one pass with ``--once``, or keep polling until stopped."""

import threading
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import OperationalError
from typing_extensions import override

from okryu.core.jobs import load_job_handlers, run_due_jobs
from okryu.core.purge import PurgeSchedule, run_purges
from okryu.core.workers import run_until_stopped


class Command(BaseCommand):
    help = "Run due background jobs (hold expiry and the handlers other apps declare)."

    @override
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="run one batch and stop"
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="seconds to wait when no job was due",
        )
        parser.add_argument("--batch-size", type=int, default=None)

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        run_until_stopped(lambda: self._run(**options))

    def _run(self, **options: Any) -> None:
        handlers = load_job_handlers()
        batch_size = options["batch_size"] or settings.OKRYU_JOB_BATCH_SIZE
        idle = threading.Event()
        purge_schedule = PurgeSchedule(
            interval_seconds=settings.OKRYU_PURGE_INTERVAL_SECONDS, now=time.monotonic
        )
        while True:
            try:
                if purge_schedule.is_due():
                    self._purge()
                report = run_due_jobs(handlers=handlers, batch_size=batch_size)
            except OperationalError as error:
                if options["once"]:
                    raise
                # A busy or restarting database must not end a long-running worker.
                self.stderr.write(f"database unavailable, trying again: {error}")
                idle.wait(options["interval"])
                continue
            if report.claimed:
                self.stdout.write(
                    f"jobs: {report.claimed} claimed, {report.done} done, "
                    f"{report.retried} to retry, {report.failed} failed"
                )
            if options["once"]:
                return
            if report.claimed < batch_size:
                # A worker's poll interval, not a sleep in job code: waits only when idle.
                idle.wait(options["interval"])

    def _purge(self) -> None:
        deleted = run_purges()
        if any(deleted.values()):
            counts = ", ".join(f"{count} {name}" for name, count in deleted.items())
            self.stdout.write(f"purged: {counts}")
