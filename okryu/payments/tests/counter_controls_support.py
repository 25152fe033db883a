"""Helpers of the counter-control tests: staff with roles, a teller with an open drawer."""

import itertools
from typing import Any

from okryu.accounts.models import Role, RoleGrant, User
from okryu.payments.models import (
    CashDrawer,
    CounterTopUp,
    LedgerAccount,
    Transfer,
)

_people = itertools.count(1)
_requests = itertools.count(1)


def make_staff(*roles: Role, name: str = "") -> User:
    """Create a person holding ``roles``."""
    username = name or f"staff{next(_people)}"
    user = User.objects.create_user(
        username=username, password="unused-password", display_name=username
    )
    for role in roles:
        RoleGrant.objects.create(user=user, role=role)
    return user


def new_request_id() -> str:
    """Return a top-up's transfer id never used in this test process."""
    return f"counter-test-{next(_requests)}"


def counter_state() -> dict[str, Any]:
    """Return what a refused counter action must leave unchanged."""
    return {
        "accounts": list(
            LedgerAccount.objects.order_by("pk").values_list(
                "pk", "balance_won", "held_won"
            )
        ),
        "transfers": Transfer.objects.count(),
        "top_ups": list(
            CounterTopUp.objects.order_by("pk").values_list("pk", "status")
        ),
        "drawers": list(
            CashDrawer.objects.order_by("pk").values_list(
                "pk", "status", "taken_won", "booked_won"
            )
        ),
    }
