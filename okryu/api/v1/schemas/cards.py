"""Bodies of the bank counter, card and QR payment routes."""

import datetime as dt

from ninja import Schema
from pydantic import Field

from okryu.api.v1.schemas.text import Integer, Text
from okryu.payments.models import Card, CardEvent, PaymentRequest
from okryu.payments.statement import StatementLine


class CardIssueIn(Schema):
    """A new card for a named holder; the PIN is hashed and never shown again."""

    holder: Text = Field(description="The holder's login name.", max_length=150)
    phone: Text = Field(description="Where the card's SMS go.", max_length=20)
    pin: Text = Field(description="4 to 6 digits.", max_length=6)
    reason: Text = Field(
        default="",
        max_length=200,
        description=(
            "Why the holder gets another card; required when they already hold one "
            "(else 409 `second_card`, naming the card they hold)."
        ),
    )


class CardIssuedOut(Schema):
    """The card just issued."""

    id: int
    number: str
    balance: int


class TopUpIn(Schema):
    """Cash paid in at the counter, in whole won."""

    amount: Integer = Field(description="Won, from 1.")


class TopUpOut(Schema):
    """The card after the top-up."""

    number: str
    amount: int
    balance: int
    available: int
    transfer: str = Field(description="The id of the top-up transfer.")


class BlockIn(Schema):
    """Why a card is blocked: ``lost``, ``stolen`` or ``cloned`` (a cloned card stays blocked)."""

    reason: Text = Field(default="lost", pattern="^(lost|stolen|cloned)$")


class PinResetIn(Schema):
    """A new PIN set at the counter; it also unlocks a card locked by wrong PINs."""

    pin: Text = Field(description="4 to 6 digits.", max_length=6)


class CardOut(Schema):
    """A card as its holder or a teller sees it."""

    number: str
    holder: str = Field(description="The holder's login name.")
    status: str = Field(description="`active`, `blocked` or `expired`.")
    locked: bool = Field(description="Three wrong PINs locked it until a PIN reset.")
    expires_on: dt.date
    balance: int
    available: int = Field(description="The balance less pending holds.")

    @classmethod
    def from_card(cls, card: Card) -> "CardOut":
        """Describe ``card`` (its ledger account and holder loaded)."""
        return cls(
            number=card.number,
            holder=card.holder.username,
            status=card.status,
            locked=card.pin_failed_attempts >= 3,  # noqa: PLR2004
            expires_on=card.expires_on,
            balance=card.ledger_account.balance_won,
            available=card.ledger_account.available_won,
        )


class StatementLineOut(Schema):
    """One line of a card's statement: a purchase, a payment, a top-up, a refund, or a
    hold still pending."""

    id: str = Field(description="The line's first transfer id (stable).")
    kind: str = Field(
        description=(
            "`pending` (a hold neither captured nor released yet), `capture` (a purchase "
            "charged: it replaces its holds), `single` (a payment or top-up) or `refund`."
        )
    )
    direction: str = Field(description="`in` to the card or `out` of it.")
    amount: int = Field(
        description="Won; a purchase's items and delivery fee together."
    )
    created_at: dt.datetime
    reference: str
    order: str | None = Field(description="The order's number, or null.")
    merchant: str | None = Field(description="The merchant's name, or null.")
    merchant_en: str | None = Field(default=None)
    refund_of: str | None = Field(
        default=None, description="A refund's purchase line `id`, when listed."
    )
    transfers: list[str] = Field(description="The ids of the transfers it groups.")

    @classmethod
    def from_line(cls, line: StatementLine) -> "StatementLineOut":
        """Describe one statement line."""
        purchase = line.purchase
        return cls(
            id=line.id,
            kind=line.kind.value,
            direction="in" if line.is_in else "out",
            amount=line.amount_won,
            created_at=line.created_at,
            reference=line.reference,
            order=purchase.order if purchase else None,
            merchant=purchase.merchant if purchase else None,
            merchant_en=purchase.merchant_en if purchase else None,
            refund_of=line.refund_of,
            transfers=list(line.transfer_ids),
        )


class CardEventOut(Schema):
    """One line of a card's journal: what was done to it, when, and by whom."""

    kind: str = Field(description="`issued`, `blocked`, `unblocked` or `pin_reset`.")
    at: dt.datetime
    actor: str | None = Field(
        description=(
            "The login of the teller who did it; null for what no one did at the counter "
            "(a card the issuer blocked as `cloned` or for a `door_debt`, a card issued "
            "before the journal was kept)."
        )
    )
    reason: str = Field(
        description="A block's reason, or why a second card was issued; else empty."
    )

    @classmethod
    def from_event(cls, event: CardEvent) -> "CardEventOut":
        """Describe one journal line (its actor loaded)."""
        return cls(
            kind=event.kind,
            at=event.at,
            actor=event.actor.username if event.actor else None,
            reason=event.reason,
        )


class QrRequestIn(Schema):
    """A payment request for an amount; ``merchant`` is needed only by staff of several."""

    amount: Integer = Field(description="Won, from 1.")
    description: Text = Field(default="", max_length=100)
    merchant: Integer | None = None


class QrRequestOut(Schema):
    """A payment request: show ``svg_url`` as a QR code; the shopper opens ``pay_url``."""

    token: str
    amount: int
    merchant: str
    description: str
    status: str = Field(description="`open` or `paid`.")
    expires_at: dt.datetime
    svg_url: str
    pay_url: str

    @classmethod
    def from_request(
        cls,
        payment_request: PaymentRequest,
        *,
        merchant: str,
        svg_url: str,
        pay_url: str,
    ) -> "QrRequestOut":
        """Describe ``payment_request`` with the absolute URLs of its QR code and page."""
        return cls(
            token=payment_request.token,
            amount=payment_request.amount_won,
            merchant=merchant,
            description=payment_request.description,
            status=payment_request.status,
            expires_at=payment_request.expires_at,
            svg_url=svg_url,
            pay_url=pay_url,
        )


class QrApproveIn(Schema):
    """The shopper's card and PIN."""

    card: Text = Field(max_length=16)
    pin: Text = Field(max_length=6)


class QrApprovedOut(Schema):
    """A paid request."""

    token: str
    status: str
    amount: int
    card: str = Field(description="The card, masked.")
    transfer: str
