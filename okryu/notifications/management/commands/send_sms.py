"""Send the SMS outbox: one batch with ``--once``, or keep polling until stopped."""

import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import OperationalError
from typing_extensions import override

from okryu.core.workers import run_until_stopped
from okryu.notifications.gateways import get_configured_gateway
from okryu.notifications.outbox import OUTBOX_BATCH_SIZE_MAX, send_pending_sms


class Command(BaseCommand):
    help = "Send pending SMS messages from the outbox through the configured gateway."

    @override
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="send one batch and stop"
        )
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument("--batch-size", type=int, default=100)

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        run_until_stopped(lambda: self._run(**options))

    def _run(self, **options: Any) -> None:
        gateway = get_configured_gateway()
        batch_size = min(options["batch_size"], OUTBOX_BATCH_SIZE_MAX)
        idle = threading.Event()
        while True:
            try:
                report = send_pending_sms(gateway=gateway, batch_size=batch_size)
            except OperationalError as error:
                if options["once"]:
                    raise
                # A busy or restarting database must not end a long-running worker.
                self.stderr.write(f"database unavailable, trying again: {error}")
                idle.wait(options["interval"])
                continue
            if report.claimed:
                self.stdout.write(f"SMS: {report.sent} sent, {report.failed} failed")
            if options["once"]:
                return
            if report.claimed < batch_size:
                # A worker's poll interval, not a sleep in job code: waits only when idle.
                idle.wait(options["interval"])
