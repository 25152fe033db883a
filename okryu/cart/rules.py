"""Pure rules of the basket: checking a line's quantity and pricing lines per merchant.

No ORM and no settings here: limits are passed in, so the rules are tested with generated
inputs and no database.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum


class QuantityRefusal(Enum):
    """Why a quantity cannot be put on a basket line."""

    NOT_A_WHOLE_NUMBER = "not_a_whole_number"
    BELOW_ONE = "below_one"
    ABOVE_LINE_MAXIMUM = "above_line_maximum"
    OVER_PURCHASE_LIMIT = "over_purchase_limit"
    OVER_AVAILABLE_STOCK = "over_available_stock"


def check_quantity(
    quantity: object,
    *,
    line_quantity_max: int,
    purchase_limit_per_day: int | None,
    stock_available: int,
) -> QuantityRefusal | None:
    """Return why ``quantity`` is refused for a line of this product, or None if it fits.

    The checks run from the shopper's typing to the product's limits, so the first refusal is
    the one most worth telling.
    """
    assert line_quantity_max >= 1
    # A bool is an int in Python, but never a quantity.
    if type(quantity) is not int:
        return QuantityRefusal.NOT_A_WHOLE_NUMBER
    if quantity < 1:
        return QuantityRefusal.BELOW_ONE
    if quantity > line_quantity_max:
        return QuantityRefusal.ABOVE_LINE_MAXIMUM
    if purchase_limit_per_day is not None and quantity > purchase_limit_per_day:
        return QuantityRefusal.OVER_PURCHASE_LIMIT
    if quantity > stock_available:
        return QuantityRefusal.OVER_AVAILABLE_STOCK
    return None


@dataclass(frozen=True)
class BasketItem:
    """One basket line as the rules see it: the product, its merchant, price and quantity.

    ``price_won`` is today's price, used for the totals; ``price_won_seen`` is the price when
    the line was added, kept so that checkout can tell the shopper of a change. Both include
    the chosen options of a dish (``option_ids``, named in ``options_text``);
    ``stock_available`` is a dish's portions left today.
    """

    line_id: int
    product_id: int
    product_name: str
    product_name_en: str
    unit: str
    unit_en: str
    merchant_id: int
    merchant_name: str
    merchant_name_en: str
    price_won: int
    price_won_seen: int
    quantity: int
    stock_available: int
    purchase_limit_per_day: int | None
    option_ids: tuple[int, ...] = ()
    options_text: str = ""
    options_text_en: str = ""

    @property
    def total_won(self) -> int:
        """The line's price times its quantity."""
        return self.price_won * self.quantity

    @property
    def has_price_changed(self) -> bool:
        """Whether the price differs from the one the shopper saw when adding the line."""
        return self.price_won != self.price_won_seen

    @property
    def is_over_stock(self) -> bool:
        """Whether the line asks for more than is available now."""
        return self.quantity > self.stock_available


@dataclass(frozen=True)
class MerchantGroup:
    """The lines of one merchant and their subtotal."""

    merchant_id: int
    merchant_name: str
    merchant_name_en: str
    items: tuple[BasketItem, ...]
    subtotal_won: int


@dataclass(frozen=True)
class BasketSummary:
    """A basket priced per merchant: groups in order of their first line, and the total."""

    groups: tuple[MerchantGroup, ...]
    total_won: int

    @property
    def line_count(self) -> int:
        """How many lines the basket has."""
        return sum(len(group.items) for group in self.groups)

    @property
    def unit_count(self) -> int:
        """How many units the basket holds in all."""
        return sum(item.quantity for group in self.groups for item in group.items)

    @property
    def is_empty(self) -> bool:
        """Whether the basket has no line."""
        return not self.groups


def price_basket(items: Sequence[BasketItem]) -> BasketSummary:
    """Group the lines by merchant, in order of each merchant's first line, and total them."""
    grouped: dict[int, list[BasketItem]] = {}
    for item in items:
        assert item.quantity >= 1
        assert item.price_won >= 0
        grouped.setdefault(item.merchant_id, []).append(item)
    groups = tuple(
        MerchantGroup(
            merchant_id=merchant_id,
            merchant_name=lines[0].merchant_name,
            merchant_name_en=lines[0].merchant_name_en,
            items=tuple(lines),
            subtotal_won=sum(line.total_won for line in lines),
        )
        for merchant_id, lines in grouped.items()
    )
    total_won = sum(group.subtotal_won for group in groups)
    assert total_won == sum(item.total_won for item in items)
    return BasketSummary(groups=groups, total_won=total_won)
