"""Serve Okryu with the production WSGI server (granian), never ``runserver``.

The process replaces itself with granian, so Ctrl-C and SIGTERM reach the server directly and
it stops cleanly.
"""

import os
import shutil
import sys
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from typing_extensions import override

WORKERS_MAX = 64


class Command(BaseCommand):
    help = "Serve Okryu on a production WSGI server (granian, WSGI mode)."

    @override
    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=settings.PORT)
        parser.add_argument("--workers", type=int, default=2)

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
        shown_host = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104
        self.stdout.write(
            self.style.SUCCESS(
                f"옥류 Okryu: http://{shown_host}:{port}/  (Ctrl-C to stop)"
            )
        )
        self.stdout.flush()
        arguments = [
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
        os.execv(granian, arguments)  # noqa: S606  (the server replaces this process)
