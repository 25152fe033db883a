"""System checks that refuse to start a misconfigured Okryu."""

import sys
from typing import Any

from django.core.checks import CheckMessage, Error, register


@register()
def check_assertions_are_enabled(**kwargs: Any) -> list[CheckMessage]:
    """Refuse to run with ``python -O``: assertions guard the invariants (STYLE.md §10)."""
    if sys.flags.optimize:
        return [
            Error(
                "Okryu must not run with python -O or PYTHONOPTIMIZE: its assertions guard "
                "money and stock invariants.",
                id="okryu.E001",
            )
        ]
    return []
