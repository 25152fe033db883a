"""What a checkout asks for, and whether it is well formed before the database is asked.

``CheckoutOrder`` is what the checkout page and the API hand to ``place_order``: lines,
address, slot, and card and PIN (or payment at the door). ``check_order_shape`` raises on the
first malformed field and reads nothing from the database.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from okryu.cart.owners import BasketOwner
from okryu.cart.queries import get_basket_summary
from okryu.catalog.options import options_key
from okryu.core import clock
from okryu.core.errors import InvalidInput
from okryu.orders.errors import BasketEmpty, SlotInPast
from okryu.orders.models import Order, PaymentMethodChoices
from okryu.orders.rules import SlotRefusal, check_slot
from okryu.payments.cards import check_card_number


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
class CheckoutOrder:
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
        """Return the order without the PIN, as JSON-able values, for the idempotency key."""
        return {
            # A line's options are added only when chosen, so the fingerprints of
            # checkouts without options stay what they were.
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


def check_order_shape(order: CheckoutOrder, *, now: dt.datetime) -> None:
    """Raise on the first malformed field of ``order`` (InvalidInput, BasketEmpty, SlotInPast)."""
    if len(order.lines) > settings.OKRYU_BASKET_LINES_MAX:
        raise InvalidInput(
            f"한 번에 {settings.OKRYU_BASKET_LINES_MAX}줄까지 주문할 수 있습니다.",
            field="lines",
        )
    check_lines_shape(order.lines)
    # The same dish with other options is another line; the same choice twice is not.
    keys = [(line.product_id, options_key(line.option_ids)) for line in order.lines]
    if len(set(keys)) != len(keys):
        raise InvalidInput("같은 상품이 두 줄에 있습니다.", field="lines")
    detail = stripped(order.address_detail)
    if not detail or len(detail) > Order.DETAIL_LENGTH_MAX:
        raise InvalidInput("상세 주소는 1자에서 200자까지입니다.", field="address")
    if order.slot_starts_at is not None:
        _check_slot(order.slot_starts_at, now=now)
    if order.payment_method not in PaymentMethodChoices.values:
        raise InvalidInput("결제 방법은 card 또는 door입니다.", field="payment")
    if not order.is_paid_at_door:
        check_card_number(order.card_number)


def check_lines_shape(lines: tuple[CheckoutLine, ...]) -> None:
    """Raise BasketEmpty without lines, InvalidInput on the first malformed line."""
    if not lines:
        raise BasketEmpty("장바구니가 비어 있습니다.")
    for line in lines:
        _check_line_shape(line)


def stripped(value: object) -> str:
    """Return text stripped; anything else (what a form or JSON body held) is empty."""
    return value.strip() if isinstance(value, str) else ""


def _check_line_shape(line: CheckoutLine) -> None:
    if type(line.product_id) is not int or line.product_id <= 0:
        raise InvalidInput("상품 번호가 올바르지 않습니다.", field="product")
    quantity_max = settings.OKRYU_LINE_QUANTITY_MAX
    # A bool is an int in Python, but never a quantity.
    if type(line.quantity) is not int or not 1 <= line.quantity <= quantity_max:
        raise InvalidInput(
            f"수량은 1부터 {quantity_max}까지의 정수입니다.", field="quantity"
        )
    seen = line.price_won_seen
    if seen is not None and (type(seen) is not int or seen <= 0):
        raise InvalidInput("본 가격이 올바르지 않습니다.", field="price")
    options = line.option_ids
    if (
        type(options) is not tuple
        or len(options) > settings.OKRYU_LINE_OPTIONS_MAX
        or any(type(option) is not int or option <= 0 for option in options)
    ):
        raise InvalidInput("선택 번호가 올바르지 않습니다.", field="options")


def _check_slot(starts_at: dt.datetime, *, now: dt.datetime) -> None:
    refusal = check_slot(starts_at, now=now, local_zone=clock.PYONGYANG)
    if refusal == SlotRefusal.IN_PAST:
        raise SlotInPast("이미 지난 배달 시간입니다.")
    if refusal is not None:
        raise InvalidInput("배달 시간은 오늘이나 내일 중에서 고르십시오.", field="slot")


def checkout_order_from_basket(
    *,
    owner: BasketOwner,
    district_id: int,
    address_detail: str,
    slot_starts_at: dt.datetime | None,
    card_number: str,
    pin: str,
) -> CheckoutOrder:
    """Build the checkout from the owner's basket, with the prices the shopper saw.

    Each line carries the price shown when it was put in the basket, so ``place_order``
    refuses with PriceChanged if it moved since.
    """
    summary = get_basket_summary(owner)
    return CheckoutOrder(
        lines=tuple(
            CheckoutLine(
                product_id=item.product_id,
                quantity=item.quantity,
                price_won_seen=item.price_won_seen,
                option_ids=item.option_ids,
            )
            for group in summary.groups
            for item in group.items
        ),
        district_id=district_id,
        address_detail=address_detail,
        slot_starts_at=slot_starts_at,
        card_number=card_number,
        pin=pin,
    )
