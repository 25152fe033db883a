"""Purge now what has outlived its use (the job workers also do it on a schedule)."""

from typing import Any

from django.core.management.base import BaseCommand
from typing_extensions import override

from okryu.core.purge import run_purges


class Command(BaseCommand):
    help = (
        "Delete idempotency records past their lifetime, finished jobs and sent SMS "
        "older than their retention settings."
    )

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        for name, count in run_purges().items():
            self.stdout.write(f"{name}: {count} deleted")
