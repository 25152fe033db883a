"""Refusals of checkout and of the order lifecycle, each with a stable code (API.md).

Stock, limit, phone and card refusals are the lower apps' own errors, re-exported here so that
callers of the orders services find every refusal in one place.
"""

from okryu.accounts.phone_verification import PhoneNotVerified
from okryu.catalog.errors import OutOfStock, OverPurchaseLimit, ProductUnavailable
from okryu.core.errors import DomainError, InvalidInput
from okryu.payments.errors import (
    CardBlocked,
    CardCloned,
    CardExpired,
    CardLocked,
    CardNotFound,
    ChipInvalid,
    ChipReplay,
    HoldExpired,
    InsufficientFunds,
    OverCardLimit,
    OverFloorLimit,
    WrongPin,
)

__all__ = [
    "AlreadyPaid",
    "BasketEmpty",
    "CardBlocked",
    "CardCloned",
    "CardExpired",
    "CardLocked",
    "CardNotFound",
    "ChallengeExpired",
    "ChallengeMismatch",
    "ChallengeUsed",
    "ChipInvalid",
    "ChipReplay",
    "HoldExpired",
    "InsufficientFunds",
    "MerchantClosed",
    "NotDueAtTheDoor",
    "OutOfStock",
    "OverCardLimit",
    "OverDoorLimit",
    "OverFloorLimit",
    "OverPeriodLimit",
    "OverPurchaseLimit",
    "PaymentRequired",
    "PhoneNotVerified",
    "PriceChanged",
    "ProductUnavailable",
    "RestaurantClosed",
    "SlotInPast",
    "TooLate",
    "TooManyDoorOrders",
    "TransitionNotAllowed",
    "UnpaidDoorHandover",
    "WrongAmount",
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


class MerchantClosed(DomainError):
    """A restaurant of the order is closed at the chosen time (now, or the slot's start).

    Refused before the card's PIN is checked, so the attempt counter does not move.
    ``opens_at`` is its next opening after that time (ISO 8601), or None.
    """

    code = "merchant_closed"
    status = 422
    title = "Merchant closed"

    def __init__(
        self,
        detail: str,
        *,
        merchant: int,
        merchant_name: str,
        merchant_name_en: str,
        opens_at: str | None,
    ) -> None:
        super().__init__(
            detail,
            field="slot",
            merchant=merchant,
            merchant_name=merchant_name,
            merchant_name_en=merchant_name_en,
            opens_at=opens_at,
        )
        self.opens_at = opens_at


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


class OverDoorLimit(DomainError):
    """An order paid at the door may total at most ``OKRYU_DOOR_ORDER_TOTAL_MAX_WON``."""

    code = "over_door_limit"
    status = 422
    title = "Over the limit for paying at the door"

    def __init__(self, detail: str, *, limit: int, total: int) -> None:
        super().__init__(detail, field="payment", limit=limit, total=total)


class PaymentRequired(DomainError):
    """A fulfilment paid at the door cannot be delivered before its payment is recorded."""

    code = "payment_required"
    status = 409
    title = "Payment at the door not recorded"


class NotDueAtTheDoor(DomainError):
    """Nothing is due at the door for this fulfilment now: a card order, or not on its way."""

    code = "not_due_at_door"
    status = 409
    title = "Nothing due at the door"


class AlreadyPaid(DomainError):
    """The fulfilment's payment at the door is already recorded (by another record)."""

    code = "already_paid"
    status = 409
    title = "Already paid"


class WrongAmount(DomainError):
    """A chip record's amount is not what the fulfilment owes; ``due`` says what it owes."""

    code = "wrong_amount"
    status = 422
    title = "Wrong amount"

    def __init__(self, detail: str, *, due: int) -> None:
        super().__init__(detail, field="amount", due=due)


class ChallengeMismatch(DomainError):
    """The chip record signs over a challenge not minted for this fulfilment."""

    code = "challenge_mismatch"
    status = 409
    title = "Chip record made for another fulfilment"


class ChallengeExpired(DomainError):
    """The fulfilment's challenge the record signs over has expired."""

    code = "challenge_expired"
    status = 409
    title = "Challenge expired"


class ChallengeUsed(DomainError):
    """The challenge was used by another record the issuer verified."""

    code = "challenge_used"
    status = 409
    title = "Challenge already used"


class TooManyDoorOrders(DomainError):
    """The shopper has ``OKRYU_OPEN_DOOR_ORDERS`` open door orders already."""

    code = "too_many_door_orders"
    status = 409
    title = "Too many open orders paid at the door"

    def __init__(self, detail: str, *, limit: int) -> None:
        super().__init__(detail, field="payment", limit=limit)


class OwnDoorLoss(DomainError):
    """An operator may not clear a loss at the door that they owe themselves."""

    code = "own_door_loss"
    status = 403
    title = "Own loss at the door"


class UnpaidDoorHandover(DomainError):
    """The shopper has a door hand-over left unpaid that no operator has cleared."""

    code = "unpaid_door_handover"
    status = 409
    title = "An unpaid hand-over at the door is not cleared"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, field="payment")


class OverPeriodLimit(DomainError):
    """A line would take the shopper over the product's limit for its period (e.g. a week)."""

    code = "period_limit"
    status = 422
    title = "Over the limit for the period"
