"""Small builders shared by the payments tests; state is set up through the services."""

import itertools
from typing import Any

from django.db import connection

from okryu.accounts.models import Role, RoleGrant, User
from okryu.notifications.models import OutboxMessage
from okryu.payments import ledger
from okryu.payments.cards import issue_card
from okryu.payments.ledger import open_ledger_account
from okryu.payments.models import (
    Card,
    LedgerAccount,
    LedgerAccountKind,
    Transfer,
    TransferRefusal,
)

TEST_PIN = "4831"

_usernames = itertools.count(1)


_usernames = itertools.count(1)
_ids = itertools.count(1)


def new_id(prefix: str = "t") -> str:
    """Return a transfer id never used in this test process."""
    return f"{prefix}-{next(_ids)}"


def funded_card(holder: User, amount_won: int, *, phone: str = "010-1234-5678") -> Card:
    """Issue a card with the test PIN and top it up with ``amount_won`` (0 for none)."""
    card = issue_card(holder=holder, phone=phone, pin=TEST_PIN)
    if amount_won:
        ledger.top_up(
            card_number=card.number, amount_won=amount_won, transfer_id=new_id()
        )
    return card


def balances(*accounts: LedgerAccount) -> list[tuple[int, int]]:
    """Return each account's (balance, held) as stored now."""
    return [
        (account.balance_won, account.held_won)
        for account in (LedgerAccount.objects.get(pk=a.pk) for a in accounts)
    ]


def snapshot() -> dict[str, Any]:
    """Return everything a refusal must leave unchanged (besides its own refusal record)."""
    return {
        "accounts": list(
            LedgerAccount.objects.order_by("pk").values_list(
                "pk", "balance_won", "held_won"
            )
        ),
        "transfers": Transfer.objects.count(),
        "sms": OutboxMessage.objects.count(),
        "refusals": TransferRefusal.objects.count(),
    }


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def make_holder(name: str = "") -> User:
    """Create a shopper who can hold cards."""
    username = name or f"holder{next(_usernames)}"
    return User.objects.create_user(
        username=username, password="unused-password", display_name=username
    )


def make_teller(name: str = "") -> User:
    """Create a bank teller, who blocks, unblocks and resets PINs at the counter."""
    teller = make_holder(name or f"teller{next(_usernames)}")
    RoleGrant.objects.create(user=teller, role=Role.TELLER)
    return teller


def make_merchant_account(reference: str = "merchant:1"):
    """Open a merchant's ledger account."""
    return open_ledger_account(
        kind=LedgerAccountKind.MERCHANT, owner_reference=reference
    )
