"""What a checkout asks for, as the page and the API hand it to ``place_order``."""

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class CheckoutLine:
    """One line: a product, how many, and the unit price the shopper saw (None: not shown).

    ``option_ids`` are the chosen options of a dish (okryu.catalog.options); the unit price
    seen includes their price changes.
    """

    product_id: int
    quantity: int
    price_won_seen: int | None = None
    option_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class CheckoutRequest:
    """A whole checkout: lines, address, slot (None: as soon as possible), card and PIN.

    ``pin`` never leaves this object except to the card issuer's check; it is not stored and
    not part of the idempotency fingerprint. ``payment_method`` ``"door"`` pays with a chip
    card at the door: nothing is held, and card number and PIN are blank.
    """

    lines: tuple[CheckoutLine, ...]
    district_id: int
    address_detail: str
    slot_starts_at: dt.datetime | None
    card_number: str
    pin: str
    payment_method: str = "card"

    @property
    def is_paid_at_door(self) -> bool:
        """Whether the shopper pays at the door rather than with a hold now."""
        return self.payment_method == "door"

    def fingerprint_payload(self) -> dict[str, object]:
        """Return the request without the PIN, as JSON-able values, for the idempotency key."""
        return {
            # A line's options are added only when chosen, so the fingerprints of
            # requests without options stay what they were.
            "lines": [
                [line.product_id, line.quantity, line.price_won_seen]
                + ([list(line.option_ids)] if line.option_ids else [])
                for line in self.lines
            ],
            "district": self.district_id,
            "detail": self.address_detail,
            "slot": self.slot_starts_at.isoformat() if self.slot_starts_at else None,
            "card": self.card_number,
            # Added only for the door, so card checkouts keep their fingerprints.
            **(
                {"payment": self.payment_method}
                if self.payment_method != "card"
                else {}
            ),
        }
