"""Bodies of the shopper's order routes: the checkout request and the order answer."""

from typing import Literal

from django.conf import settings
from ninja import Schema
from pydantic import ConfigDict, Field

from okryu.api.v1.schemas.text import Integer, Moment, Text

# A card number and a PIN are short; anything longer is refused before it is hashed.
CARD_NUMBER_LENGTH_MAX = 32
PIN_LENGTH_MAX = 12
ADDRESS_DETAIL_LENGTH_MAX = 200
DISTRICT_LENGTH_MAX = 60


class OrderLineIn(Schema):
    """One line of a checkout: a product, how many, and optionally the price the client saw."""

    model_config = ConfigDict(extra="forbid")

    product: Integer = Field(description="A product id.")
    quantity: Integer = Field(
        gt=0,
        le=settings.OKRYU_LINE_QUANTITY_MAX,
        description="Units, a positive integer.",
    )
    price: Integer | None = Field(
        default=None,
        description=(
            "The unit price in won the shopper was shown, with the options' price "
            "changes. If given and the price has changed since, the order is refused "
            "with 409 `price_changed`."
        ),
    )
    options: list[Integer] = Field(
        default_factory=list,
        max_length=settings.OKRYU_LINE_OPTIONS_MAX,
        description=(
            "Ids of the chosen options of a dish (`option_groups` of the product): "
            "exactly one of each group whose `choice` is `one`, any of the others. "
            "An option of another product, or a missing choice, is 422 `invalid` on "
            "`options`. The same dish with other options is another line."
        ),
    )


class AddressIn(Schema):
    """Where to deliver: a district and the rest of the address."""

    model_config = ConfigDict(extra="forbid")

    district: Text | Integer = Field(
        description=(
            "The district: its English name (case-insensitive), its Korean name, its code "
            "or its id."
        ),
        examples=["Central"],
    )
    detail: Text = Field(
        min_length=1,
        max_length=ADDRESS_DETAIL_LENGTH_MAX,
        description="Building, entrance and flat.",
        examples=["Apartment 3-201"],
    )


class OrderIn(Schema):
    """A checkout: the lines, the address, the card and its PIN."""

    model_config = ConfigDict(extra="forbid")

    lines: list[OrderLineIn] = Field(
        min_length=1, max_length=settings.OKRYU_BASKET_LINES_MAX
    )
    address: AddressIn
    payment: Literal["card", "door"] = Field(
        default="card",
        description=(
            "`card` (the default): the card is held now, `card` and `pin` are required. "
            "`door`: paid with a chip card on the courier's terminal at the door; "
            "nothing is held, `card` and `pin` are left out; the order's total may be "
            "at most the door limit (422 `over_door_limit`, with `limit`)."
        ),
    )
    card: Text = Field(
        default="",
        max_length=CARD_NUMBER_LENGTH_MAX,
        description="The card number (16 digits); required when paying by card.",
    )
    pin: Text = Field(
        default="",
        max_length=PIN_LENGTH_MAX,
        description="4 digits; required when paying by card.",
    )
    slot: Moment | None = Field(
        default=None,
        description="Start of the chosen delivery slot (ISO 8601), or null for the first.",
    )


class OrderLineOut(Schema):
    """A line of a fulfilment, at the price of the moment the order was placed."""

    product: int
    name: str
    quantity: int
    price: int = Field(
        description="Unit price in won when the order was placed, with the options."
    )
    total: int = Field(description="quantity × price, in won.")
    options: str = Field(
        default="",
        description="The chosen options as placed, e.g. `곱빼기, 계란 추가` (blank: none).",
    )
    options_en: str = Field(default="", description="The chosen options in English.")


class DeliveryOut(Schema):
    """The delivery of one fulfilment, once a delivery job exists."""

    model_config = ConfigDict(extra="allow")

    status: str
    vehicle: str | None
    courier: str | None
    eta: str | None
    confirmation_code: str | None = Field(description="Shown to the shopper only.")


class FulfilmentOut(Schema):
    """One merchant's part of an order."""

    model_config = ConfigDict(extra="allow")

    id: int
    merchant: int
    status: str = Field(
        description=(
            "placed, accepted, preparing, ready, out_for_delivery, delivered, rejected, "
            "cancelled or returned."
        )
    )
    lines: list[OrderLineOut]
    delivery: DeliveryOut | None = None


class PaymentOut(Schema):
    """The payment of an order: a card hold, or a payment due at the door."""

    model_config = ConfigDict(extra="allow")

    status: str = Field(
        description=(
            "By card: held, partly_captured, captured, voided or refunded. At the door: "
            "due, partly_paid, paid, unpaid (handed over, the chip record refused), "
            "refunded or cancelled (nothing was due)."
        )
    )
    amount: int
    method: str = Field(default="card", description="card or door.")
    due_at_door: int = Field(
        default=0, description="What is still to be paid at the door, in won."
    )


class OrderOut(Schema):
    """An order with its fulfilments and its payment."""

    model_config = ConfigDict(extra="allow")

    id: int
    status: str = Field(description="placed, in_progress, completed or cancelled.")
    total: int
    delivery_fee: int
    items_total: int
    fulfilments: list[FulfilmentOut]
    payment: PaymentOut
