"""The production check that the demo's logins and cards are not in the database
(okryu.E018): their password and PINs are published in the README."""

from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.checks import CheckMessage, Error, register
from django.db import DatabaseError

from okryu.accounts.models import User
from okryu.demo.cards import DEMO_CARDS
from okryu.demo.merchants import MERCHANTS
from okryu.demo.users import DEMO_PASSWORD, DEMO_USERS, merchant_staff_logins
from okryu.payments.models import Card


@register()
def check_production_has_no_demo_data(**kwargs: Any) -> list[CheckMessage]:
    """Refuse production while a demo login keeps its published password, or a demo card is
    there (its PIN is published)."""
    if not settings.OKRYU_IS_PRODUCTION:
        return []
    try:
        found = _find_demo_logins() + _find_demo_cards()
    except DatabaseError:
        return []  # No database yet, or not migrated: nothing of the demo is in it.
    if not found:
        return []
    return [
        Error(
            "The demo data is in the database ("
            + ", ".join(found)
            + "): its password and "
            "PINs are published.",
            hint="Serve production from a database the demo data was never loaded into "
            "(production settings never load it), or change those passwords and remove "
            "those cards.",
            id="okryu.E018",
        )
    ]


def demo_usernames() -> list[str]:
    """Every login the demo makes: the README's and each demo merchant's staff login."""
    staff = merchant_staff_logins(
        (spec.slug, spec.name, spec.phone) for spec in MERCHANTS
    )
    return [user.username for user in (*DEMO_USERS, *staff)]


def _find_demo_logins() -> list[str]:
    accounts = User.objects.filter(username__in=demo_usernames()).order_by("username")
    # Each check of a password costs a slow hash: the demo gives every login the same
    # encoded hash, so each distinct one is checked once, and the first match ends it.
    refuted: set[str] = set()
    for username, encoded in accounts.values_list("username", "password"):
        if encoded in refuted:
            continue
        if check_password(DEMO_PASSWORD, encoded):
            return [f"the login {username!r} with the demo password"]
        refuted.add(encoded)
    return []


def _find_demo_cards() -> list[str]:
    numbers = Card.objects.filter(
        number__in=[card.number for card in DEMO_CARDS]
    ).values_list("number", flat=True)
    return [f"the demo card {number}" for number in sorted(numbers)]
