"""Bodies of the operator's routes."""

from ninja import Schema
from pydantic import Field


class StockAuditOut(Schema):
    """Products breaking each stock rule; all zero on sound data."""

    negative_on_hand: int = Field(description="Products with on-hand stock below zero.")
    reserved_over_on_hand: int = Field(
        description="Products with more units reserved than on hand."
    )
    unbalanced_products: int = Field(
        description="Products where received + adjusted differs from on hand + sold."
    )
    offered_over_received: int = Field(
        description=(
            "Products whose units offered to waitlists are not in stock beside the "
            "reserved ones, or differ from the offers their entries hold."
        )
    )


class LedgerAuditOut(Schema):
    """The payments ledger recomputed from its transfers; all zero but the two totals."""

    sum_of_balances: int = Field(description="Sum of every account balance; 0 always.")
    negative_shopper_accounts: int = Field(description="Shopper accounts below zero.")
    transfers: int = Field(description="Number of transfers (a total, not a fault).")
    accounts: int = Field(
        description="Number of ledger accounts (a total, not a fault)."
    )
    balance_mismatches: int = Field(
        description="Accounts whose kept balance differs from their transfers."
    )
    held_mismatches: int = Field(
        description="Accounts whose kept held amount differs from their open holds."
    )
    captures_over_hold: int = Field(description="Captures larger than their hold.")
    over_refunded_transfers: int = Field(
        description="Transfers refunded for more than their amount."
    )


class OrdersAuditOut(Schema):
    """Orders checked against the ledger and the stock; all zero on sound data."""

    paid_not_equal_captured: int = Field(
        description="Fulfilments whose captured amount differs from their capture transfers."
    )
    refunded_not_equal_refunds: int = Field(
        description="Fulfilments whose refunded amount differs from their refund transfers."
    )
    open_holds_of_closed_fulfilments: int = Field(
        description="Finished fulfilments whose card hold is still pending."
    )
    missing_holds_of_open_fulfilments: int = Field(
        description="Open fulfilments without their card hold."
    )
    orders_not_summing: int = Field(
        description="Orders whose total differs from their fulfilments' amounts."
    )
    reserved_not_matching_open_lines: int = Field(
        description="Products whose reserved stock differs from their open order lines."
    )
    portions_not_matching_lines: int = Field(
        description="Dishes whose portions taken today differ from today's order lines."
    )
    door_payments_not_matching_ledger: int = Field(
        description=(
            "Payments at the door whose chip transfer or transfer on to the merchant "
            "differs from what the fulfilment owed."
        )
    )
    unpaid_door_handovers: int = Field(
        description=(
            "Not a fault: fulfilments handed over whose chip record, taken offline, "
            "was refused on upload (each a loss at most the offline floor limit)."
        )
    )


class DeliveryAuditOut(Schema):
    """Delivery jobs and couriers checked against the fulfilments; all zero on sound data."""

    open_jobs_of_closed_fulfilments: int = Field(
        description=(
            "Jobs still waiting or assigned whose fulfilment was cancelled or rejected "
            "(a cancellation closes its job in the same commit)."
        )
    )
    loads_not_matching_jobs: int = Field(
        description="Couriers whose load differs from the weight of the jobs on their route."
    )


class CounterAuditOut(Schema):
    """The bank counter's controls recomputed from the ledger; zero but the last on sound data."""

    topups_over_threshold_without_approval: int = Field(
        description=(
            "Cash credited from the bank's cash account to a card above "
            "OKRYU_TOPUP_APPROVAL_WON that is not a top-up approved by a supervisor other "
            "than the teller who took it."
        )
    )
    drawers_not_matching_ledger: int = Field(
        description=(
            "Cash drawers whose booked or taken figures, or recorded difference at closing, "
            "disagree with the transfers of their top-ups (or whose top-up was booked for "
            "another amount or card)."
        )
    )
    drawers_with_difference: int = Field(
        description=(
            "Not a fault: closed drawers whose counted cash differed from the ledger, each "
            "with the teller's note, for the supervisor to look at."
        )
    )


class AuditOut(Schema):
    """The invariant audit, recomputed from the data at each call (never cached).

    Each part appears once the app it checks exists: `ledger` and `stock` now; `orders`
    (`paid_not_equal_captured`) comes with the orders app. A part is never filled with guesses.
    """

    ledger: LedgerAuditOut
    stock: StockAuditOut
    orders: OrdersAuditOut
    delivery: DeliveryAuditOut
    counter: CounterAuditOut
