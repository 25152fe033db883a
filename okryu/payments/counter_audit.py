"""The bank counter's part of the operator's audit, recomputed from the ledger's transfers.

What counts as a violation (each 0 on sound data):

- ``topups_over_threshold_without_approval``: cash credited from the bank's cash account to a
  card for more than ``OKRYU_TOPUP_APPROVAL_WON`` (the threshold in force when audited), unless
  it is the booking of a counter top-up approved by a supervisor other than the teller who took
  it. A top-up booked by any other path (a script, a hand edit, a bug) counts.
- ``drawers_not_matching_ledger``: drawers whose kept figures disagree with the ledger: what
  the drawer says it booked differs from the transfers of its top-ups, a top-up's transfer is
  not the amount to the card it names, the cash taken in differs from its top-ups that were
  not handed back, or a closed drawer's recorded difference is not the counted cash less what
  the ledger booked. A cash shortage or surplus found when counting is not one of these: it is
  a difference the teller recorded and explained at closing, reported to the supervisor
  (``CounterAudit.drawers_with_difference``, not a fault).
"""

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Sum

from okryu.payments.models import (
    CashDrawer,
    CashDrawerStatus,
    CounterTopUp,
    CounterTopUpStatus,
    LedgerAccountKind,
    Transfer,
    TransferKind,
)


@dataclass(frozen=True)
class CounterAudit:
    """What the counter audit found; ``violations`` should be 0."""

    topups_over_threshold_without_approval: int
    drawers_not_matching_ledger: int
    drawers_with_difference: int

    @property
    def violations(self) -> int:
        """Return how many top-ups and drawers break a rule (a counted difference is none)."""
        return (
            self.topups_over_threshold_without_approval
            + self.drawers_not_matching_ledger
        )


def audit_counter() -> CounterAudit:
    """Recompute the counter's controls from the transfers, the top-ups and the drawers."""
    return CounterAudit(
        topups_over_threshold_without_approval=_unapproved_large_top_ups(),
        drawers_not_matching_ledger=len(_drawers_not_matching_ledger()),
        drawers_with_difference=CashDrawer.objects.filter(
            status=CashDrawerStatus.CLOSED
        )
        .exclude(difference_won=0)
        .count(),
    )


def _unapproved_large_top_ups() -> int:
    approved = CounterTopUp.objects.filter(
        status=CounterTopUpStatus.APPROVED, decided_by__isnull=False
    ).exclude(decided_by=F("requested_by"))
    return (
        Transfer.objects.filter(
            kind=TransferKind.SINGLE,
            debit_account__kind=LedgerAccountKind.BANK_CASH,
            amount_won__gt=settings.OKRYU_TOPUP_APPROVAL_WON,
        )
        .exclude(pk__in=approved.values("transfer"))
        .count()
    )


def _drawers_not_matching_ledger() -> set[int]:
    booked_by_ledger: defaultdict[int, int] = defaultdict(int)
    taken_by_top_ups: defaultdict[int, int] = defaultdict(int)
    wrong: set[int] = set()
    rows = CounterTopUp.objects.values(
        "drawer_id",
        "status",
        "amount_won",
        "transfer__amount_won",
        "transfer__credit_account_id",
        "card__ledger_account_id",
    )
    for row in rows:
        drawer_id: int = row["drawer_id"]
        amount: int = row["amount_won"]
        if row["status"] != CounterTopUpStatus.REJECTED:
            taken_by_top_ups[drawer_id] += amount
        moved: int | None = row["transfer__amount_won"]
        if moved is None:
            continue
        booked_by_ledger[drawer_id] += moved
        if (
            moved != amount
            or row["transfer__credit_account_id"] != row["card__ledger_account_id"]
        ):
            wrong.add(drawer_id)
    drawers = CashDrawer.objects.values_list(
        "pk", "status", "taken_won", "booked_won", "counted_won", "difference_won"
    )
    for pk, status, taken, booked, counted, difference in drawers:
        ledger_won = booked_by_ledger[pk]
        if (
            booked != ledger_won
            or taken != taken_by_top_ups[pk]
            or (
                status == CashDrawerStatus.CLOSED
                and difference != (counted or 0) - ledger_won
            )
        ):
            wrong.add(pk)
    return wrong


def drawer_ledger_totals(drawer_ids: list[int]) -> dict[int, int]:
    """Return what the ledger booked through each drawer (the sum of its top-ups' transfers)."""
    totals = dict.fromkeys(drawer_ids, 0)
    rows = (
        CounterTopUp.objects.filter(drawer_id__in=drawer_ids, transfer__isnull=False)
        .values("drawer_id")
        .annotate(total=Sum("transfer__amount_won"))
    )
    for row in rows:
        totals[row["drawer_id"]] = row["total"]
    return totals
