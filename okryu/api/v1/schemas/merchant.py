"""Bodies of the merchant staff's routes: the order queue and the back office of products."""

from ninja import Schema
from pydantic import ConfigDict, Field, StrictBool

from okryu.api.v1.schemas.catalog import ProductDetailOut
from okryu.api.v1.schemas.orders import OrderLineOut
from okryu.api.v1.schemas.text import Integer, Text
from okryu.catalog.models import Option, OptionGroup, Product

REASON_LENGTH_MAX = 200


class FulfilmentQueueOut(Schema):
    """One fulfilment in a merchant's queue: what to prepare, for which order."""

    model_config = ConfigDict(extra="allow")

    id: int
    order: int = Field(description="Id of the order this fulfilment belongs to.")
    merchant: int
    status: str
    placed_at: str = Field(description="When the order was placed (ISO 8601).")
    lines: list[OrderLineOut]
    items_total: int


class RejectIn(Schema):
    """Why the merchant refuses the fulfilment (shown to the shopper)."""

    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(min_length=1, max_length=REASON_LENGTH_MAX)


class ProductIn(Schema):
    """A new product of the caller's merchant."""

    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=Product.NAME_LENGTH_MAX)
    name_en: Text = Field(min_length=1, max_length=Product.NAME_LENGTH_MAX)
    category: Integer = Field(description="A category id.")
    price: Integer = Field(gt=0, le=Product.PRICE_WON_MAX, description="Won per unit.")
    unit: Text = Field(min_length=1, max_length=30, examples=["1kg"])
    weight_g: Integer = Field(gt=0, le=Product.WEIGHT_GRAMS_MAX)
    stock: Integer = Field(
        ge=0, description="Units received with the product (may be 0)."
    )
    merchant: Integer | None = Field(
        default=None,
        description="Needed only by staff of several merchants: which one sells it.",
    )


class StockIn(Schema):
    """Exactly one of ``receive`` (goods received) or ``count`` (a stock count)."""

    model_config = ConfigDict(extra="forbid")

    receive: Integer | None = Field(default=None, description="Units received, added.")
    count: Integer | None = Field(
        default=None, description="Units counted; on hand becomes this number."
    )


class MerchantProductOut(ProductDetailOut):
    """A product with its stock figures, as its merchant sees it."""

    stock_on_hand: int
    stock_reserved: int = Field(
        description="Part of on hand promised to placed orders."
    )
    stock_received: int
    stock_sold: int
    stock_adjusted: int = Field(description="Corrections by stock counts.")

    @classmethod
    def from_merchant_product(cls, product: Product) -> "MerchantProductOut":
        """Return the merchant's view of ``product`` (merchant loaded)."""
        return cls.model_validate(
            {
                **ProductDetailOut.from_product_detail(product).model_dump(),
                "stock_on_hand": product.stock_on_hand,
                "stock_reserved": product.stock_reserved,
                "stock_received": product.stock_received,
                "stock_sold": product.stock_sold,
                "stock_adjusted": product.stock_adjusted,
            }
        )


class DishKitchenIn(Schema):
    """A dish's kitchen settings, all three at once (as the dish's page sets them)."""

    model_config = ConfigDict(extra="forbid")

    daily_capacity: Integer | None = Field(
        description="Portions a day; null: sold from stock, not by portions.",
    )
    sold_out: StrictBool = Field(description="Switched off for today.")
    preparation_minutes: Integer | None = Field(
        description="The dish's own time; null: the restaurant's.",
    )


class OptionGroupIn(Schema):
    """A new option group of a dish."""

    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=OptionGroup.NAME_LENGTH_MAX)
    name_en: Text = Field(min_length=1, max_length=OptionGroup.NAME_LENGTH_MAX)
    choice: Text = Field(description="`one`: choose exactly one; `any`: choose any.")


class OptionIn(Schema):
    """A new option of a group, with what it adds to the unit price."""

    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=Option.NAME_LENGTH_MAX)
    name_en: Text = Field(min_length=1, max_length=Option.NAME_LENGTH_MAX)
    price_change: Integer = Field(
        description="Won added to the unit price (may be < 0)."
    )


class MerchantDishOut(MerchantProductOut):
    """A dish as its restaurant sees it: with its own preparation time and portions."""

    own_preparation_minutes: int | None = Field(
        description="The dish's own time (null: the restaurant's)."
    )
    portions_taken_today: int = Field(description="Portions ordered today.")


class OpeningPeriodIO(Schema):
    """One opening period: a weekday and its opening and closing time (HH:MM).

    A period that closes at or before it opens runs past midnight; 00:00 to 00:00 is the
    whole day.
    """

    model_config = ConfigDict(extra="forbid")

    weekday: Integer = Field(ge=0, le=6, description="0 is Monday, 6 Sunday.")
    opens_at: Text = Field(
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["11:00"]
    )
    closes_at: Text = Field(
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["21:00"]
    )


class OpeningHoursIn(Schema):
    """A merchant's whole week, replacing the one it had (an empty list: closed)."""

    model_config = ConfigDict(extra="forbid")

    periods: list[OpeningPeriodIO] = Field(max_length=28)


class OpeningHoursOut(Schema):
    """A merchant's week of opening hours, Monday first."""

    merchant: int
    periods: list[OpeningPeriodIO]


class StaffMerchantOut(Schema):
    """A merchant the caller works for."""

    id: int
    name: str
    name_en: str
    kind: str
    preparation_minutes: int
