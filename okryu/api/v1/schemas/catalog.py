"""Bodies of the catalog routes: categories, merchants and products."""

import datetime as dt

from ninja import Schema
from pydantic import Field

from okryu.catalog.availability import Availability, Orderability, availability_of
from okryu.catalog.models import Product
from okryu.catalog.options import OptionMenu
from okryu.catalog.queries import CategoryNode
from okryu.merchants.models import Merchant


class CategoryOut(Schema):
    """A category with its subcategories (the whole subtree)."""

    id: int
    slug: str
    name: str = Field(description="Korean name.")
    name_en: str
    children: list["CategoryOut"]

    @classmethod
    def from_node(cls, node: CategoryNode) -> "CategoryOut":
        """Return the schema of ``node`` and its subtree."""
        return cls(
            id=node.category.pk,
            slug=node.category.slug,
            name=node.category.name,
            name_en=node.category.name_en,
            children=[cls.from_node(child) for child in node.children],
        )


class MerchantOut(Schema):
    """A merchant and whether it is open now."""

    id: int
    name: str = Field(description="Korean name.")
    name_en: str
    kind: str = Field(description="One of store, factory, restaurant, pharmacy.")
    district: str = Field(
        description=(
            "The district's English name, as an order's address names it "
            '(`"district": "Central"`).'
        ),
        examples=["Central"],
    )
    district_code: str = Field(description="The district's stable code.")
    district_name: str = Field(description="The district's Korean name.")
    preparation_minutes: int = Field(
        description="Minutes the merchant needs to prepare an order (restaurants)."
    )
    open_now: bool = Field(description="Open at this moment, in Pyongyang time.")
    opens_at: dt.datetime | None = Field(
        default=None,
        description=(
            "When closed: its next opening in the week ahead (Pyongyang time); null when "
            "open, or without hours."
        ),
    )

    @classmethod
    def from_merchant(
        cls, merchant: Merchant, *, open_now: bool, opens_at: dt.datetime | None = None
    ) -> "MerchantOut":
        """Return the schema of ``merchant`` (its district must be loaded)."""
        return cls(
            id=merchant.pk,
            name=merchant.name,
            name_en=merchant.name_en,
            kind=merchant.kind,
            district=merchant.district.name_en,
            district_code=merchant.district.code,
            district_name=merchant.district.name,
            preparation_minutes=merchant.preparation_minutes,
            open_now=open_now,
            opens_at=opens_at,
        )


class ProductOut(Schema):
    """A product in a list."""

    id: int
    name: str = Field(description="Korean name.")
    name_en: str
    price: int = Field(description="Price of one unit, in won.")
    unit: str = Field(description="Korean unit (1kg, 1병, 한 그릇).")
    unit_en: str
    merchant: int = Field(description="Id of the merchant selling it.")
    merchant_name: str
    merchant_name_en: str
    category: int = Field(description="Id of its category.")
    available: int = Field(
        description=(
            "Units that can be ordered now; for a dish with a daily capacity, the "
            "portions left today (0 when sold out)."
        )
    )
    purchase_limit: int | None = Field(
        description="Most units one shopper may buy per day, or null for no limit."
    )
    availability: str = Field(
        default=Orderability.ORDERABLE.value,
        description=(
            "`orderable` now; `closed`: a dish whose restaurant is closed now (it may "
            "be ordered for a slot from `opens_at`, while `available` > 0); `sold_out`: "
            "nothing left today. A closed restaurant's dish is never `sold_out`."
        ),
    )
    opens_at: dt.datetime | None = Field(
        default=None,
        description=(
            "When `closed`: the restaurant's next opening today or tomorrow (Pyongyang "
            "time); null when it does not open by tomorrow."
        ),
    )
    period_limit: dict[str, int] | None = Field(
        default=None,
        description=(
            'A fair share over a period, `{"units", "days"}`: most units one shopper may '
            "buy over the last `days` days (today included); null for none."
        ),
    )

    @staticmethod
    def fields_of(
        product: Product, *, standing: Availability | None = None
    ) -> dict[str, object]:
        """Return the list fields of ``product`` (merchant loaded), with its standing
        now (read when not given)."""
        standing = standing or availability_of(product)
        return {
            "id": product.pk,
            "name": product.name,
            "name_en": product.name_en,
            "price": product.price_won,
            "unit": product.unit,
            "unit_en": product.unit_en,
            "merchant": product.merchant_id,
            "merchant_name": product.merchant.name,
            "merchant_name_en": product.merchant.name_en,
            "category": product.category_id,
            "available": standing.units,
            "purchase_limit": product.purchase_limit_per_day,
            "availability": standing.state.value,
            "opens_at": standing.opens_at,
            "period_limit": None
            if product.purchase_limit_per_period is None
            or product.purchase_limit_period_days is None
            else {
                "units": product.purchase_limit_per_period,
                "days": product.purchase_limit_period_days,
            },
        }

    @classmethod
    def from_product(
        cls, product: Product, *, standing: Availability | None = None
    ) -> "ProductOut":
        """Return the list schema of ``product``."""
        return cls.model_validate(cls.fields_of(product, standing=standing))


class OptionOut(Schema):
    """One option of a dish and what it adds to the unit price."""

    id: int
    name: str
    name_en: str
    price_change: int = Field(
        description="Added to the unit price, in won (may be < 0)."
    )


class OptionGroupOut(Schema):
    """A choice on a dish: `one` (exactly one option) or `any` (any number)."""

    id: int
    name: str
    name_en: str
    choice: str = Field(description="`one`: choose exactly one; `any`: choose any.")
    options: list[OptionOut]


class ProductDetailOut(ProductOut):
    """One product with its description and what delivery needs to know."""

    description: str
    description_en: str
    weight_g: int = Field(description="Weight of one unit in grams.")
    size_class: str = Field(description="One of small, medium, large, bulky.")
    made_to_order: bool = Field(description="Cooked or made after the order is placed.")
    daily_capacity: int | None = Field(
        default=None,
        description="A dish's portions per day (null: sold from stock).",
    )
    sold_out: bool = Field(default=False, description="A dish sold out for today.")
    preparation_minutes: int | None = Field(
        default=None,
        description="A dish's preparation time (its own, or else its restaurant's).",
    )
    option_groups: list[OptionGroupOut] = Field(
        default_factory=list,
        description="A dish's options; send the chosen ids as a line's `options`.",
    )

    @classmethod
    def from_product_detail(
        cls, product: Product, *, menu: OptionMenu | None = None
    ) -> "ProductDetailOut":
        """Return the detail schema of ``product`` with its option ``menu``, if any."""
        groups = menu.groups if menu is not None else ()
        dish = product.is_made_to_order
        return cls.model_validate(
            {
                **cls.fields_of(product),
                "description": product.description,
                "description_en": product.description_en,
                "weight_g": product.weight_grams,
                "size_class": product.size_class,
                "made_to_order": product.is_made_to_order,
                "daily_capacity": product.daily_capacity,
                "sold_out": dish and product.is_sold_out,
                "preparation_minutes": (
                    product.effective_preparation_minutes if dish else None
                ),
                "option_groups": [
                    {
                        "id": group.group_id,
                        "name": group.name,
                        "name_en": group.name_en,
                        "choice": group.choice,
                        "options": [
                            {
                                "id": option.option_id,
                                "name": option.name,
                                "name_en": option.name_en,
                                "price_change": option.price_change_won,
                            }
                            for option in group.options
                        ],
                    }
                    for group in groups
                ],
            }
        )
