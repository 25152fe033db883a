"""Reads of the card issuer for pages and the API, with visibility built in."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet, Sum

from okryu.accounts.models import Role, User
from okryu.core import clock
from okryu.payments.errors import CardNotFound
from okryu.payments.models import (
    BALANCE_MOVING_KINDS,
    Card,
    CardEvent,
    Transfer,
    TransferKind,
)
from okryu.payments.rules import is_card_number_well_formed

STATEMENT_LINES_MAX = 200
CARD_EVENTS_PAGE_SIZE_MAX = 200
BANK_STAFF_ROLES = (Role.TELLER, Role.SUPERVISOR)


def _is_teller(user: User) -> bool:
    return user.role_grants.filter(role=Role.TELLER).exists()


def _find_card(card_number: str) -> Card | None:
    if not is_card_number_well_formed(card_number):
        return None
    return (
        Card.objects.select_related("ledger_account", "holder")
        .filter(number=card_number)
        .first()
    )


def get_card_for_holder_or_teller(*, card_number: str, user: User) -> Card:
    """Return the card if ``user`` holds it or is a teller; otherwise it does not exist."""
    card = _find_card(card_number)
    if card is None or (card.holder_id != user.pk and not _is_teller(user)):
        raise CardNotFound("카드를 찾을 수 없습니다.")
    return card


def get_card_for_holder_or_bank_staff(*, card_number: str, user: User) -> Card:
    """Return the card if ``user`` holds it, is a teller or a supervisor (who oversees the
    tellers' actions); otherwise it does not exist, as for ``get_card_for_holder_or_teller``.
    """
    card = _find_card(card_number)
    if card is None or (
        card.holder_id != user.pk
        and not user.role_grants.filter(role__in=BANK_STAFF_ROLES).exists()
    ):
        raise CardNotFound("카드를 찾을 수 없습니다.")
    return card


def list_card_events_page(
    *, card: Card, offset: int, limit: int
) -> tuple[list[CardEvent], int]:
    """Return one page of the card's journal, newest first, and how many lines it has."""
    assert offset >= 0
    assert 0 < limit <= CARD_EVENTS_PAGE_SIZE_MAX
    events = CardEvent.objects.filter(card=card)
    rows = list(
        events.select_related("actor").order_by("-at", "-id")[offset : offset + limit]
    )
    for row in rows:
        row.card = (
            card  # Every line is this card's: no query per line to read it again.
        )
    return rows, events.count()


def list_statement(
    *, card_number: str, user: User, limit: int = STATEMENT_LINES_MAX
) -> QuerySet[Transfer]:
    """Return the card's transfers, newest first, at most ``limit`` (holder or teller)."""
    assert 0 < limit <= STATEMENT_LINES_MAX
    card = get_card_for_holder_or_teller(card_number=card_number, user=user)
    account_id = card.ledger_account_id
    return (
        Transfer.objects.filter(
            Q(debit_account_id=account_id) | Q(credit_account_id=account_id)
        )
        .select_related("debit_account", "credit_account")
        .order_by("-created_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class DailySettlement:
    """A merchant account's day: takings, refunds, fees and the net, from the transfers."""

    merchant_account_id: int
    day: dt.date
    takings_won: int
    refunds_won: int
    fees_won: int
    net_won: int
    transfers: int


def daily_settlement(*, merchant_account_id: int, day: dt.date) -> DailySettlement:
    """Compute a merchant account's statement for one local day; it reconciles by assertion.

    Takings are captures and payments into the account; refunds go back out of it; fees are
    the other transfers out of it (to the delivery-fee account). Holds move no money and are
    left out. The net equals the day's change of the account's balance.
    """
    start = dt.datetime.combine(day, dt.time(), tzinfo=clock.PYONGYANG)
    end = start + dt.timedelta(days=1)
    day_transfers = Transfer.objects.filter(
        created_at__gte=start, created_at__lt=end, kind__in=BALANCE_MOVING_KINDS
    )
    incoming = day_transfers.filter(credit_account_id=merchant_account_id)
    outgoing = day_transfers.filter(debit_account_id=merchant_account_id)
    takings = _total(incoming)
    refunds = _total(outgoing.filter(kind=TransferKind.REFUND))
    fees = _total(outgoing.exclude(kind=TransferKind.REFUND))
    return DailySettlement(
        merchant_account_id=merchant_account_id,
        day=day,
        takings_won=takings,
        refunds_won=refunds,
        fees_won=fees,
        net_won=takings - refunds - fees,
        transfers=incoming.count() + outgoing.count(),
    )


def _total(transfers: QuerySet[Transfer]) -> int:
    return int(transfers.aggregate(total=Sum("amount_won"))["total"] or 0)


def list_phones_theirs_alone(user: User) -> list[str]:
    """Return ``user``'s numbers (the account's, their cards') that nobody else has.

    A number another account or another holder's card also names is left out: whoever
    typed a stranger's number into their account must not read that stranger's SMS.
    """
    phones = {user.phone} | set(
        Card.objects.filter(holder=user).values_list("phone", flat=True)
    )
    phones.discard("")
    shared = set(
        User.objects.filter(phone__in=phones)
        .exclude(pk=user.pk)
        .values_list("phone", flat=True)
    ) | set(
        Card.objects.filter(phone__in=phones)
        .exclude(holder=user)
        .values_list("phone", flat=True)
    )
    return sorted(phones - shared)
