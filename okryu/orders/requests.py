"""What a checkout asks for, as the page and the API hand it to ``place_order``."""

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class CheckoutLine:
    """One line: a product, how many, and the unit price the shopper saw (None: not shown)."""

    product_id: int
    quantity: int
    price_won_seen: int | None = None


@dataclass(frozen=True)
class CheckoutRequest:
    """A whole checkout: lines, address, slot (None: as soon as possible), card and PIN.

    ``pin`` never leaves this object except to the card issuer's check; it is not stored and
    not part of the idempotency fingerprint.
    """

    lines: tuple[CheckoutLine, ...]
    district_id: int
    address_detail: str
    slot_starts_at: dt.datetime | None
    card_number: str
    pin: str

    def fingerprint_payload(self) -> dict[str, object]:
        """Return the request without the PIN, as JSON-able values, for the idempotency key."""
        return {
            "lines": [
                [line.product_id, line.quantity, line.price_won_seen]
                for line in self.lines
            ],
            "district": self.district_id,
            "detail": self.address_detail,
            "slot": self.slot_starts_at.isoformat() if self.slot_starts_at else None,
            "card": self.card_number,
        }
