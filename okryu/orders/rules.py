"""Pure rules of orders: the fulfilment state machine, the order's status, and pricing.

No ORM here: these decide, services act (STYLE.md section 4).
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class FulfilmentStatus(StrEnum):
    """Where one merchant's part of an order stands."""

    PLACED = "placed"
    ACCEPTED = "accepted"
    PREPARING = "preparing"
    READY = "ready"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    RETURNED = "returned"


class Actor(StrEnum):
    """Who moves a fulfilment: each transition names who may make it."""

    SHOPPER = "shopper"
    MERCHANT = "merchant"
    COURIER = "courier"
    OPERATOR = "operator"
    SYSTEM = "system"


S = FulfilmentStatus

# The whole state machine: (from, to) → who may make the move. Anything else is refused.
TRANSITIONS: dict[tuple[FulfilmentStatus, FulfilmentStatus], frozenset[Actor]] = {
    (S.PLACED, S.ACCEPTED): frozenset({Actor.MERCHANT}),
    (S.PLACED, S.REJECTED): frozenset({Actor.MERCHANT}),
    (S.PLACED, S.CANCELLED): frozenset({Actor.SHOPPER, Actor.OPERATOR, Actor.SYSTEM}),
    (S.ACCEPTED, S.PREPARING): frozenset({Actor.MERCHANT}),
    (S.ACCEPTED, S.REJECTED): frozenset({Actor.MERCHANT}),
    (S.ACCEPTED, S.CANCELLED): frozenset({Actor.SHOPPER, Actor.OPERATOR, Actor.SYSTEM}),
    (S.PREPARING, S.READY): frozenset({Actor.MERCHANT}),
    (S.PREPARING, S.CANCELLED): frozenset({Actor.OPERATOR, Actor.SYSTEM}),
    (S.READY, S.OUT_FOR_DELIVERY): frozenset({Actor.COURIER, Actor.OPERATOR}),
    (S.READY, S.CANCELLED): frozenset({Actor.OPERATOR, Actor.SYSTEM}),
    (S.OUT_FOR_DELIVERY, S.DELIVERED): frozenset({Actor.COURIER, Actor.OPERATOR}),
    # A failed hand-over (nobody home) sends the goods back to wait for another trip.
    (S.OUT_FOR_DELIVERY, S.READY): frozenset({Actor.COURIER, Actor.OPERATOR}),
    (S.DELIVERED, S.RETURNED): frozenset({Actor.OPERATOR}),
}

FINAL_STATUSES = frozenset({S.DELIVERED, S.REJECTED, S.CANCELLED, S.RETURNED})
SHOPPER_CANCELLABLE_STATUSES = frozenset({S.PLACED, S.ACCEPTED})
# Moving into these ends the claim on the money and the stock without a sale.
RELEASING_STATUSES = frozenset({S.REJECTED, S.CANCELLED})


def can_move(current: FulfilmentStatus, target: FulfilmentStatus, actor: Actor) -> bool:
    """Return whether ``actor`` may move a fulfilment from ``current`` to ``target``."""
    return actor in TRANSITIONS.get((current, target), frozenset())


class OrderStatus(StrEnum):
    """The order's status, which follows from its fulfilments'."""

    PLACED = "placed"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


def order_status(statuses: Sequence[FulfilmentStatus]) -> OrderStatus:
    """Return the order's status from its fulfilments' statuses.

    Placed while every fulfilment is placed; cancelled when none will be delivered (all
    rejected or cancelled); completed when every fulfilment is final and at least one was
    delivered; in progress otherwise.
    """
    assert statuses, "an order has at least one fulfilment"
    if all(status == S.PLACED for status in statuses):
        return OrderStatus.PLACED
    if all(status in RELEASING_STATUSES for status in statuses):
        return OrderStatus.CANCELLED
    if all(status in FINAL_STATUSES for status in statuses):
        return OrderStatus.COMPLETED
    return OrderStatus.IN_PROGRESS


@dataclass(frozen=True)
class PricedLine:
    """A line to price: the product, its merchant, the quantity and the current unit price.

    ``options_key`` tells apart two lines of one dish with different options; the unit
    price already includes the options.
    """

    product_id: int
    merchant_id: int
    quantity: int
    unit_price_won: int
    options_key: str = ""

    @property
    def total_won(self) -> int:
        return self.quantity * self.unit_price_won


@dataclass(frozen=True)
class MerchantShare:
    """One merchant's lines of an order and what they cost."""

    merchant_id: int
    lines: tuple[PricedLine, ...]
    items_total_won: int
    weight_grams: int


@dataclass(frozen=True)
class PricedOrder:
    """An order's lines split per merchant, in merchant order."""

    shares: tuple[MerchantShare, ...]
    items_total_won: int


def split_by_merchant(
    lines: Iterable[PricedLine], weights_grams: dict[int, int]
) -> PricedOrder:
    """Group ``lines`` by merchant with subtotals and weights (grams per unit by product id)."""
    by_merchant: dict[int, list[PricedLine]] = {}
    for line in lines:
        assert line.quantity > 0
        assert line.unit_price_won > 0
        by_merchant.setdefault(line.merchant_id, []).append(line)
    shares = tuple(
        MerchantShare(
            merchant_id=merchant_id,
            lines=tuple(
                sorted(
                    merchant_lines,
                    key=lambda line: (line.product_id, line.options_key),
                )
            ),
            items_total_won=sum(line.total_won for line in merchant_lines),
            weight_grams=sum(
                weights_grams[line.product_id] * line.quantity
                for line in merchant_lines
            ),
        )
        for merchant_id, merchant_lines in sorted(by_merchant.items())
    )
    items_total = sum(share.items_total_won for share in shares)
    assert items_total == sum(
        line.total_won for share in shares for line in share.lines
    )
    return PricedOrder(shares=shares, items_total_won=items_total)


class SlotRefusal(StrEnum):
    """Why a delivery slot cannot be chosen."""

    NOT_AWARE = "not_aware"
    IN_PAST = "in_past"
    TOO_FAR = "too_far"


SLOT_LENGTH = dt.timedelta(hours=1)


def check_slot(
    starts_at: dt.datetime, *, now: dt.datetime, local_zone: dt.tzinfo
) -> SlotRefusal | None:
    """Return why a slot starting at ``starts_at`` is refused, or None if it may be chosen.

    A slot starts later today or tomorrow (local days): not in the past, not after tomorrow.
    """
    if starts_at.tzinfo is None:
        return SlotRefusal.NOT_AWARE
    if starts_at <= now:
        return SlotRefusal.IN_PAST
    last_day = now.astimezone(local_zone).date() + dt.timedelta(days=1)
    if starts_at.astimezone(local_zone).date() > last_day:
        return SlotRefusal.TOO_FAR
    return None


def preparation_minutes_of(
    dish_minutes: Iterable[int | None], *, merchant_minutes: int
) -> int:
    """Return how long a kitchen needs for one fulfilment: as long as its slowest dish.

    A dish without a time of its own (None) takes the merchant's; so does a fulfilment
    without dishes.
    """
    assert merchant_minutes >= 0
    minutes = [merchant_minutes if each is None else each for each in dish_minutes]
    assert all(each >= 0 for each in minutes)
    return max(minutes, default=merchant_minutes)


def kitchen_due_at(
    *,
    accepted_at: dt.datetime,
    preparation_minutes: int,
    slot_starts_at: dt.datetime | None,
) -> dt.datetime:
    """Return when a kitchen must have a fulfilment ready.

    As soon as possible: its preparation time after acceptance. For a slot: the slot's
    start, cooked to be ready then and not before; a slot too near to cook for in time is
    due when cooking can end.
    """
    assert preparation_minutes >= 0
    earliest = accepted_at + dt.timedelta(minutes=preparation_minutes)
    if slot_starts_at is None:
        return earliest
    return max(earliest, slot_starts_at)
