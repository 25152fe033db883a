"""The ledger part of the operator's audit: every invariant, recomputed from the transfers.

The cached balances on ``LedgerAccount`` are what the services keep; this recomputes them from
the immutable transfers and compares, so a bug in either shows up. The same function is the
oracle of the property and stress tests.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F, Sum

from okryu.payments.models import (
    BALANCE_MOVING_KINDS,
    HOLD_RESOLVING_KINDS,
    LedgerAccount,
    LedgerAccountKind,
    Transfer,
    TransferKind,
)


@dataclass(frozen=True)
class LedgerAudit:
    """What the audit found; every field but ``transfers`` and ``accounts`` should be 0."""

    sum_of_balances: int
    negative_shopper_accounts: int
    transfers: int
    accounts: int
    balance_mismatches: int
    held_mismatches: int
    captures_over_hold: int
    over_refunded_transfers: int

    @property
    def violations(self) -> int:
        """Return how many invariants are broken, counted per account or transfer."""
        return (
            (1 if self.sum_of_balances else 0)
            + self.negative_shopper_accounts
            + self.balance_mismatches
            + self.held_mismatches
            + self.captures_over_hold
            + self.over_refunded_transfers
        )


def audit_ledger() -> LedgerAudit:
    """Recompute balances and holds from the transfers and compare with the accounts."""
    balances = _recomputed_balances()
    held = _recomputed_held()
    accounts = list(
        LedgerAccount.objects.values_list("pk", "kind", "balance_won", "held_won")
    )
    negative = balance_mismatches = held_mismatches = 0
    for pk, kind, balance_won, held_won in accounts:
        if kind == LedgerAccountKind.SHOPPER and min(balance_won, balances[pk]) < 0:
            negative += 1
        balance_mismatches += balance_won != balances[pk]
        held_mismatches += held_won != held[pk]
    return LedgerAudit(
        sum_of_balances=sum(account[2] for account in accounts),
        negative_shopper_accounts=negative,
        transfers=Transfer.objects.count(),
        accounts=len(accounts),
        balance_mismatches=balance_mismatches,
        held_mismatches=held_mismatches,
        captures_over_hold=Transfer.objects.filter(
            kind=TransferKind.CAPTURE, amount_won__gt=F("pending__amount_won")
        ).count(),
        over_refunded_transfers=Transfer.objects.annotate(
            refunded_won=Sum("refunds__amount_won")
        )
        .filter(refunded_won__gt=F("amount_won"))
        .count(),
    )


def _recomputed_balances() -> defaultdict[int, int]:
    balances: defaultdict[int, int] = defaultdict(int)
    moving = Transfer.objects.filter(kind__in=BALANCE_MOVING_KINDS)
    credits = moving.values_list("credit_account").annotate(total=Sum("amount_won"))
    for account_id, total in credits:
        balances[account_id] += total
    debits = moving.values_list("debit_account").annotate(total=Sum("amount_won"))
    for account_id, total in debits:
        balances[account_id] -= total
    return balances


def _recomputed_held() -> defaultdict[int, int]:
    held: defaultdict[int, int] = defaultdict(int)
    resolved = Transfer.objects.filter(kind__in=HOLD_RESOLVING_KINDS).values("pending")
    pending = Transfer.objects.filter(kind=TransferKind.HOLD).exclude(pk__in=resolved)
    for row in pending.values("debit_account").annotate(total=Sum("amount_won")):
        held[row["debit_account"]] += row["total"]
    return held
