"""Refusals of checkout and of the order lifecycle, each with a stable code (API.md).

Stock, limit and card refusals are the lower apps' own errors, re-exported here so that
callers of the orders services find every refusal in one place.
"""

from okryu.catalog.errors import OutOfStock, OverPurchaseLimit, ProductUnavailable
from okryu.core.errors import DomainError, InvalidInput
from okryu.payments.errors import (
    CardBlocked,
    CardExpired,
    CardLocked,
    CardNotFound,
    HoldExpired,
    InsufficientFunds,
    OverCardLimit,
    WrongPin,
)

__all__ = [
    "BasketEmpty",
    "CardBlocked",
    "CardExpired",
    "CardLocked",
    "CardNotFound",
    "HoldExpired",
    "InsufficientFunds",
    "OutOfStock",
    "OverCardLimit",
    "OverPurchaseLimit",
    "PriceChanged",
    "ProductUnavailable",
    "RestaurantClosed",
    "SlotInPast",
    "TooLate",
    "TransitionNotAllowed",
    "WrongPin",
]


class BasketEmpty(DomainError):
    """The checkout has no line."""

    code = "basket_empty"
    status = 422
    title = "Basket empty"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, field="lines")


class PriceChanged(DomainError):
    """A product's price changed since the shopper saw it; both figures are given."""

    code = "price_changed"
    status = 409
    title = "Price changed"

    def __init__(
        self, detail: str, *, product: int, price_seen: int, price_now: int
    ) -> None:
        super().__init__(
            detail, product=product, price_seen=price_seen, price_now=price_now
        )
        self.product = product
        self.price_seen = price_seen
        self.price_now = price_now


class RestaurantClosed(InvalidInput):
    """A made-to-order dish from a merchant closed now (or at the chosen slot)."""

    code = "invalid"
    status = 422
    title = "Restaurant closed"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, field="slot")


class SlotInPast(InvalidInput):
    """The chosen delivery slot has already begun."""

    code = "slot_in_past"
    status = 422
    title = "Delivery slot in the past"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, field="slot")


class TransitionNotAllowed(DomainError):
    """The fulfilment cannot move from its status to the one asked, by this actor."""

    code = "transition_not_allowed"
    status = 409
    title = "Transition not allowed"


class TooLate(DomainError):
    """The shopper can no longer cancel: a merchant has started preparing."""

    code = "too_late"
    status = 409
    title = "Too late to cancel"
