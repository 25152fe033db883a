"""Reads for the bank counter, the card pages and the settlement page, over the card services.

Visibility is the caller's job here (teller pages check the role, card pages go through
``queries.get_card_for_holder_or_teller``); these only fetch.
"""

import datetime as dt

from django.db.models import Q

from okryu.accounts.models import User
from okryu.core import clock
from okryu.core.errors import InvalidInput
from okryu.payments.models import (
    BALANCE_MOVING_KINDS,
    Card,
    CardStatus,
    PaymentRequest,
    Transfer,
)

HOLDER_SEARCH_LENGTH_MAX = 50
HOLDERS_SHOWN_MAX = 20
STATEMENT_PAGE_SIZE_MAX = 200
PAYMENT_TOKEN_LENGTH_MAX = 43


def find_holders(*, text: str, limit: int = HOLDERS_SHOWN_MAX) -> list[User]:
    """Return people whose login, name or phone contains ``text`` (at most ``limit``)."""
    assert 0 < limit <= HOLDERS_SHOWN_MAX
    text = text.strip()
    if not text or len(text) > HOLDER_SEARCH_LENGTH_MAX:
        return []
    return list(
        User.objects.filter(
            Q(username__icontains=text)
            | Q(display_name__icontains=text)
            | Q(phone__contains=text)
        )
        .filter(is_active=True)
        .order_by("username")[:limit]
    )


def get_holder(*, username: str) -> User:
    """Return the active person with this login, or raise InvalidInput naming ``holder``."""
    holder = User.objects.filter(username=username, is_active=True).first()
    if holder is None:
        raise InvalidInput("그런 사람이 없습니다.", field="holder")
    return holder


def list_cards_for_holder(*, holder_id: int) -> list[Card]:
    """Return the person's cards, newest first, with their ledger accounts."""
    return list(
        Card.objects.filter(holder_id=holder_id)
        .select_related("ledger_account")
        .order_by("-created_at", "-id")
    )


def list_statement_page(
    *, card: Card, offset: int, limit: int
) -> tuple[list[Transfer], int]:
    """Return one page of the card's transfers, newest first, and how many there are."""
    assert offset >= 0
    assert 0 < limit <= STATEMENT_PAGE_SIZE_MAX
    account_id = card.ledger_account_id
    transfers = Transfer.objects.filter(
        Q(debit_account_id=account_id) | Q(credit_account_id=account_id)
    )
    rows = list(transfers.order_by("-created_at", "-id")[offset : offset + limit])
    return rows, transfers.count()


def list_day_transfers(*, account_id: int, day: dt.date) -> list[Transfer]:
    """Return the money-moving transfers in or out of an account on one local day, in order."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=clock.PYONGYANG)
    end = start + dt.timedelta(days=1)
    return list(
        Transfer.objects.filter(
            Q(debit_account_id=account_id) | Q(credit_account_id=account_id),
            created_at__gte=start,
            created_at__lt=end,
            kind__in=BALANCE_MOVING_KINDS,
        ).order_by("created_at", "id")
    )


def find_payment_request(*, token: str) -> PaymentRequest | None:
    """Return the QR payment request with this token, whatever its state, or None."""
    if not token or len(token) > PAYMENT_TOKEN_LENGTH_MAX:
        return None
    return PaymentRequest.objects.filter(token=token).first()


def list_usable_cards_for_holder(*, holder_id: int) -> list[Card]:
    """Return the person's active cards, newest first (those a payment may come from)."""
    return [
        card
        for card in list_cards_for_holder(holder_id=holder_id)
        if card.status == CardStatus.ACTIVE
    ]
