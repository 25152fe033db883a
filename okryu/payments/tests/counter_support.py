"""Helpers of the card, teller and QR tests (API and pages): cards set up through the services."""

import itertools
from typing import Any

from okryu.accounts.models import User
from okryu.notifications.models import OutboxMessage
from okryu.payments import ledger
from okryu.payments.cards import issue_card
from okryu.payments.models import Card, LedgerAccount, Transfer

PIN = "4831"
_ids = itertools.count(1)


def funded_card(holder: User, amount_won: int = 0) -> Card:
    """Issue a card with ``PIN`` to ``holder`` and pay ``amount_won`` in (0 for none)."""
    card = issue_card(holder=holder, phone="191-234-5601", pin=PIN)
    if amount_won:
        ledger.top_up(
            card_number=card.number,
            amount_won=amount_won,
            transfer_id=f"test-top-up-{next(_ids)}",
        )
    return card


def balance(card: Card) -> int:
    """Return the card's balance as stored now."""
    return LedgerAccount.objects.get(pk=card.ledger_account_id).balance_won


def money_state() -> dict[str, Any]:
    """Return what a refusal must leave unchanged: balances, transfers, SMS, cards."""
    return {
        "accounts": list(
            LedgerAccount.objects.order_by("pk").values_list(
                "pk", "balance_won", "held_won"
            )
        ),
        "transfers": Transfer.objects.count(),
        "sms": OutboxMessage.objects.count(),
        "cards": list(Card.objects.order_by("pk").values_list("pk", "status")),
    }
