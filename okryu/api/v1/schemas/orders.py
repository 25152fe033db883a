"""Bodies of the shopper's order routes: the checkout request and the order answer."""

import datetime as dt

from django.conf import settings
from ninja import Schema
from pydantic import ConfigDict, Field

# A card number and a PIN are short; anything longer is refused before it is hashed.
CARD_NUMBER_LENGTH_MAX = 32
PIN_LENGTH_MAX = 12
ADDRESS_DETAIL_LENGTH_MAX = 200
DISTRICT_LENGTH_MAX = 60


class OrderLineIn(Schema):
    """One line of a checkout: a product, how many, and optionally the price the client saw."""

    model_config = ConfigDict(extra="forbid")

    product: int = Field(description="A product id.")
    quantity: int = Field(
        gt=0,
        le=settings.OKRYU_LINE_QUANTITY_MAX,
        description="Units, a positive integer.",
    )
    price: int | None = Field(
        default=None,
        description=(
            "The unit price in won the shopper was shown. If given and the price has "
            "changed since, the order is refused with 409 `price_changed`."
        ),
    )


class AddressIn(Schema):
    """Where to deliver: a district and the rest of the address."""

    model_config = ConfigDict(extra="forbid")

    district: str | int = Field(
        description=(
            "The district: its English name (case-insensitive), its Korean name, its code "
            "or its id."
        ),
        examples=["Central"],
    )
    detail: str = Field(
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
    card: str = Field(
        min_length=1,
        max_length=CARD_NUMBER_LENGTH_MAX,
        description="The card number (16 digits).",
    )
    pin: str = Field(min_length=1, max_length=PIN_LENGTH_MAX, description="4 digits.")
    slot: dt.datetime | None = Field(
        default=None,
        description="Start of the chosen delivery slot (ISO 8601), or null for the first.",
    )


class OrderLineOut(Schema):
    """A line of a fulfilment, at the price of the moment the order was placed."""

    product: int
    name: str
    quantity: int
    price: int = Field(description="Unit price in won when the order was placed.")
    total: int = Field(description="quantity × price, in won.")


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
    """The card payment of an order."""

    model_config = ConfigDict(extra="allow")

    status: str = Field(description="held, captured, voided or refunded.")
    amount: int


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
