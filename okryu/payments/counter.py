"""Reads for the bank counter, the card pages and the settlement page, over the card services.

Visibility is the caller's job here (teller pages check the role, card pages go through
``queries.get_card_for_holder_or_teller``); these only fetch.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, F, Q, Value, When

from okryu.accounts.models import User
from okryu.core import clock
from okryu.core.errors import InvalidInput
from okryu.payments.counter_audit import drawer_ledger_totals
from okryu.payments.models import (
    BALANCE_MOVING_KINDS,
    Card,
    CardEvent,
    CardStatus,
    CashDrawer,
    CashDrawerStatus,
    CounterTopUp,
    CounterTopUpStatus,
    LedgerAccount,
    PaymentRequest,
    Transfer,
    TransferKind,
)
from okryu.payments.statement import StatementTransfer

HOLDER_SEARCH_LENGTH_MAX = 50
HOLDERS_SHOWN_MAX = 20
STATEMENT_PAGE_SIZE_MAX = 200
PAYMENT_TOKEN_LENGTH_MAX = 43
TOP_UPS_SHOWN_MAX = 100
DRAWERS_SHOWN_MAX = 100
CARD_EVENTS_OF_DAY_MAX = 300


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


def list_pending_top_ups(
    *, teller_id: int | None = None, limit: int = TOP_UPS_SHOWN_MAX
) -> list[CounterTopUp]:
    """Return top-ups awaiting a supervisor, oldest first (only one teller's, if named)."""
    assert 0 < limit <= TOP_UPS_SHOWN_MAX
    pending = CounterTopUp.objects.filter(status=CounterTopUpStatus.PENDING_APPROVAL)
    if teller_id is not None:
        pending = pending.filter(requested_by_id=teller_id)
    return list(
        pending.select_related("card", "requested_by", "decided_by").order_by(
            "created_at", "pk"
        )[:limit]
    )


def get_top_up(*, top_up_id: int) -> CounterTopUp | None:
    """Return the counter top-up with its card and people, or None."""
    return (
        CounterTopUp.objects.select_related("card", "requested_by", "decided_by")
        .filter(pk=top_up_id)
        .first()
    )


@dataclass(frozen=True)
class DrawerView:
    """A drawer with what the ledger booked through it and its top-ups awaiting approval."""

    drawer: CashDrawer
    ledger_won: int
    pending: int

    @property
    def matches_ledger(self) -> bool:
        """Return whether the drawer's booked figure is the ledger's."""
        return self.drawer.booked_won == self.ledger_won


def list_drawers(
    *,
    day: dt.date | None = None,
    teller_id: int | None = None,
    limit: int = DRAWERS_SHOWN_MAX,
) -> list[DrawerView]:
    """Return drawers (of a day, of a teller), open first then newest, with ledger totals."""
    assert 0 < limit <= DRAWERS_SHOWN_MAX
    drawers = CashDrawer.objects.select_related("teller")
    if day is not None:
        drawers = drawers.filter(day=day)
    if teller_id is not None:
        drawers = drawers.filter(teller_id=teller_id)
    rows = list(
        drawers.annotate(
            is_closed=Case(
                When(status=CashDrawerStatus.CLOSED, then=Value(1)), default=Value(0)
            ),
            pending=Count(
                "top_ups",
                filter=Q(top_ups__status=CounterTopUpStatus.PENDING_APPROVAL),
            ),
        ).order_by("is_closed", "-day", "teller__username")[:limit]
    )
    totals = drawer_ledger_totals([row.pk for row in rows])
    return [
        DrawerView(drawer=row, ledger_won=totals[row.pk], pending=row.pending)
        for row in rows
    ]


def get_card_account(*, card_id: int) -> LedgerAccount:
    """Return the card's ledger account as stored now (for the supervisor's answers)."""
    return LedgerAccount.objects.get(card__pk=card_id)


# A statement is grouped over the card's newest transfers, at most this many.
STATEMENT_TRANSFERS_MAX = 1_000


def list_statement_transfers(
    *, card: Card, limit: int = STATEMENT_TRANSFERS_MAX
) -> list[StatementTransfer]:
    """Return the card's newest transfers (at most ``limit``) as ``statement`` reads them.

    Each carries its origin (the hold a capture resolves, the purchase a refund gives back)
    and, for a hold, whether it was resolved; three queries whatever the count.
    """
    assert 0 < limit <= STATEMENT_TRANSFERS_MAX
    account_id = card.ledger_account_id
    rows = list(
        Transfer.objects.filter(
            Q(debit_account_id=account_id) | Q(credit_account_id=account_id)
        )
        .select_related("pending", "refund_of", "refund_of__pending")
        .order_by("-created_at", "-id")[:limit]
    )
    hold_ids = [row.pk for row in rows if row.kind == TransferKind.HOLD]
    resolved = set(
        Transfer.objects.filter(pending_id__in=hold_ids).values_list(
            "pending_id", flat=True
        )
    )
    return [
        StatementTransfer(
            transfer_id=row.transfer_id,
            kind=row.kind,
            is_in=row.credit_account_id == account_id,
            amount_won=row.amount_won,
            created_at=row.created_at,
            reference=row.reference,
            origin=_origin(row),
            resolved=row.pk in resolved,
        )
        for row in rows
    ]


def _origin(transfer: Transfer) -> str:
    if transfer.pending is not None:
        return transfer.pending.transfer_id
    original = transfer.refund_of
    if original is not None:
        return _origin(original)
    return transfer.transfer_id


def list_card_events_of_day(
    *, day: dt.date, limit: int = CARD_EVENTS_OF_DAY_MAX
) -> list[CardEvent]:
    """Return what was done to cards on one local day, by person (the issuer's own last),
    each person's in order, with the card and its holder (at most ``limit``)."""
    assert 0 < limit <= CARD_EVENTS_OF_DAY_MAX
    start = dt.datetime.combine(day, dt.time(), tzinfo=clock.PYONGYANG)
    end = start + dt.timedelta(days=1)
    return list(
        CardEvent.objects.filter(at__gte=start, at__lt=end)
        .select_related("actor", "card", "card__holder")
        .order_by(F("actor__username").asc(nulls_last=True), "at", "id")[:limit]
    )
