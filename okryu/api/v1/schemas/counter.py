"""Bodies of the bank counter's controls: top-ups awaiting approval and cash drawers."""

import datetime as dt

from ninja import Schema
from pydantic import Field

from okryu.api.v1.schemas.text import Integer, Text
from okryu.payments.models import CashDrawer, CounterTopUp


class TopUpPendingOut(Schema):
    """A top-up over the approval threshold: taken, not booked; the balance has not moved."""

    id: int = Field(description="The top-up's id, for `/teller/topups/{id}/approve`.")
    status: str = Field(description="`pending_approval`.")
    amount: int


class CounterTopUpOut(Schema):
    """A cash top-up taken at the counter and where it stands."""

    id: int
    number: str = Field(description="The card's number.")
    amount: int
    status: str = Field(
        description="`booked`, `pending_approval`, `approved` or `rejected`."
    )
    teller: str = Field(description="Login of the teller who took the cash.")
    decided_by: str | None = Field(
        description="Login of the supervisor who approved or rejected it."
    )
    rejection_reason: str
    created_at: dt.datetime

    @classmethod
    def from_top_up(cls, top_up: CounterTopUp) -> "CounterTopUpOut":
        """Build the body from a top-up with its card and people."""
        return cls(
            id=top_up.pk,
            number=top_up.card.number,
            amount=top_up.amount_won,
            status=top_up.status,
            teller=top_up.requested_by.username,
            decided_by=top_up.decided_by.username if top_up.decided_by else None,
            rejection_reason=top_up.rejection_reason,
            created_at=top_up.created_at,
        )


class ApprovedTopUpOut(Schema):
    """The approved top-up, booked now, and the card's new balance."""

    id: int
    status: str = Field(description="`approved`.")
    amount: int
    number: str
    balance: int
    available: int
    transfer: str = Field(description="The id of the top-up transfer.")


class RejectIn(Schema):
    """Why a top-up is refused (the teller hands the cash back)."""

    reason: Text = Field(default="", max_length=200)


class DrawerCloseIn(Schema):
    """The cash counted in the drawer at closing; a difference to the ledger needs a note."""

    counted: Integer = Field(description="Won counted in the drawer, from 0.")
    note: Text = Field(
        default="",
        max_length=300,
        description="Why the count differs from the ledger (required when it does).",
    )


class DrawerOut(Schema):
    """A teller's cash drawer of one day."""

    id: int
    teller: str = Field(description="The teller's login.")
    day: dt.date
    status: str = Field(description="`open` or `closed`.")
    taken: int = Field(description="Cash taken in: booked and awaiting approval.")
    booked: int = Field(description="What the drawer records as booked to cards.")
    ledger: int = Field(
        description="What the ledger booked through the drawer (its top-ups' transfers)."
    )
    pending: int = Field(description="Top-ups still awaiting a supervisor.")
    counted: int | None = Field(description="Cash counted at closing.")
    difference: int | None = Field(
        description="Counted less the ledger's total (negative: cash short)."
    )
    note: str

    @classmethod
    def from_drawer(
        cls, drawer: CashDrawer, *, ledger_won: int, pending: int
    ) -> "DrawerOut":
        """Build the body from a drawer and what the ledger booked through it."""
        return cls(
            id=drawer.pk,
            teller=drawer.teller.username,
            day=drawer.day,
            status=drawer.status,
            taken=drawer.taken_won,
            booked=drawer.booked_won,
            ledger=ledger_won,
            pending=pending,
            counted=drawer.counted_won,
            difference=drawer.difference_won,
            note=drawer.note,
        )
