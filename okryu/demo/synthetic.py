"""A large synthetic catalog for benchmarks, built from the demo items and brand word parts.

Every run adds new merchants (slugs ``synthetic-000001`` onwards, continuing after those of
earlier runs) spread over all districts, each selling products of the existing leaf categories
named ``"{brand} {item} {size}"`` (금별 운동신발 250mm) or, for dishes, ``"{style} {dish}"``
(옛맛 평양랭면). The same seed gives the same names, prices and stock.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from okryu.accounts.models import District
from okryu.catalog.models import Category, Product
from okryu.catalog.search import prepare_search_fields, reindex_products
from okryu.demo.assortment import ALL_FOOD, ALL_GOODS, ALL_ITEMS, ALL_MEDICINE, keys_in
from okryu.demo.items import BULKY, LARGE, MEDIUM, Item
from okryu.demo.loading import price_for
from okryu.demo.merchants import (
    FACTORY_SHOP_HOURS,
    PHARMACY_HOURS,
    RESTAURANT_HOURS,
    STORE_HOURS,
    Period,
)
from okryu.merchants.models import Merchant, MerchantKind, OpeningHours

PRODUCT_COUNT_MAX = 1_000_000
PRODUCTS_PER_MERCHANT = 200
BATCH_SIZE = 2_000
SLUG_PREFIX = "synthetic-"
PRICE_PERCENT_RANGE = (80, 125)
STOCK_RANGE_BY_SIZE = {MEDIUM: (5, 120), LARGE: (2, 40), BULKY: (0, 10)}
STOCK_RANGE_SMALL = (0, 500)

# Brand names are two syllables, "금" + "별" = 금별 (Kumbyol).
BRAND_FIRST_PARTS = (
    ("금", "Kum"), ("은", "Un"), ("새", "Sae"), ("해", "Hae"), ("꽃", "Kkot"),
    ("샘", "Saem"), ("봄", "Pom"), ("솔", "Sol"), ("한", "Han"), ("푸른", "Purun"),
    ("맑은", "Malgun"), ("밝은", "Palgun"),
)  # fmt: skip
BRAND_SECOND_PARTS = (
    ("별", "byol"), ("빛", "bit"), ("날", "nal"), ("샘", "saem"), ("길", "gil"),
    ("봉", "bong"), ("마을", "maul"), ("누리", "nuri"), ("나래", "narae"),
    ("향기", "hyanggi"), ("물결", "mulgyol"),
)  # fmt: skip
PLACE_BRANDS = (
    ("대동강", "Taedonggang"), ("모란봉", "Moranbong"), ("보통강", "Potonggang"),
    ("락원", "Rakwon"), ("금강산", "Kumgangsan"), ("묘향산", "Myohyangsan"),
    ("칠보산", "Chilbosan"), ("장수산", "Jangsusan"), ("룡악산", "Ryongaksan"),
)  # fmt: skip
DISH_STYLES = (
    ("특제", "Special"), ("옛맛", "Old-style"), ("가정식", "Home-style"),
    ("별식", "Chef's"), ("전통", "Traditional"),
)  # fmt: skip


@dataclass(frozen=True)
class MerchantKindPlan:
    """A sort of synthetic merchant: its kind, name suffix, hours and the items it sells."""

    kind: MerchantKind
    suffix: str
    suffix_en: str
    hours: tuple[Period, ...]
    items: tuple[str, ...]


# fmt: off
KIND_PLANS = (
    MerchantKindPlan(MerchantKind.STORE, "상점", "Shop", STORE_HOURS, ALL_FOOD + ALL_GOODS),
    MerchantKindPlan(MerchantKind.STORE, "식료품상점", "Grocery", STORE_HOURS, ALL_FOOD),
    MerchantKindPlan(MerchantKind.FACTORY, "식료공장", "Foodstuff Factory", FACTORY_SHOP_HOURS,
                     ALL_FOOD),
    MerchantKindPlan(MerchantKind.FACTORY, "피복공장", "Garment Factory", FACTORY_SHOP_HOURS,
                     keys_in("clothes", "socks", "shoes")),
    MerchantKindPlan(MerchantKind.FACTORY, "일용품공장", "Daily Goods Factory",
                     FACTORY_SHOP_HOURS,
                     keys_in("soap-detergents", "kitchenware", "skincare", "hair-care")),
    MerchantKindPlan(MerchantKind.RESTAURANT, "식당", "Restaurant", RESTAURANT_HOURS,
                     tuple(key for key, item in ALL_ITEMS.items() if item.is_made_to_order)),
    MerchantKindPlan(MerchantKind.PHARMACY, "약국", "Pharmacy", PHARMACY_HOURS, ALL_MEDICINE),
)
# fmt: on


@dataclass(frozen=True)
class GeneratedCatalog:
    """What one ``generate_catalog`` run added."""

    merchants: int
    products: int


class CategoriesMissing(Exception):
    """The demo categories are not in the database (``load_demo_data`` has not run)."""


def generate_catalog(
    *,
    product_count: int,
    seed: int,
    on_batch: Callable[[int], None] | None = None,
) -> GeneratedCatalog:
    """Add ``product_count`` synthetic products of new synthetic merchants, in one transaction.

    Calls ``on_batch(n)`` after each batch of ``n`` products is written. Raises
    ``CategoriesMissing`` when the leaf categories the items belong to are not there.
    """
    assert 0 < product_count <= PRODUCT_COUNT_MAX, product_count
    categories = _find_categories()
    districts = list(District.objects.order_by("sort_order", "id"))
    assert districts, "the districts migration has not run"
    chooser = random.Random(seed)  # noqa: S311 - reproducible benchmark data, not secrets.
    merchant_count = -(-product_count // PRODUCTS_PER_MERCHANT)
    with transaction.atomic():
        plans = _create_merchants(chooser, count=merchant_count, districts=districts)
        written = 0
        new_ids: list[int] = []
        while written < product_count:
            size = min(BATCH_SIZE, product_count - written)
            batch = [
                _build_product(
                    chooser, plans[(written + offset) % len(plans)], categories
                )
                for offset in range(size)
            ]
            new_ids.extend(product.pk for product in Product.objects.bulk_create(batch))
            written += size
            if on_batch is not None:
                on_batch(size)
        reindex_products(product_ids=new_ids)
    assert len(new_ids) == product_count
    return GeneratedCatalog(merchants=merchant_count, products=product_count)


def _find_categories() -> dict[str, Category]:
    needed = {ALL_ITEMS[key].category for plan in KIND_PLANS for key in plan.items}
    categories = {
        category.slug: category for category in Category.objects.filter(slug__in=needed)
    }
    if categories.keys() != needed:
        message = (
            "the demo categories are missing: run `manage.py load_demo_data` first"
        )
        raise CategoriesMissing(message)
    return categories


def _brand(chooser: random.Random) -> tuple[str, str]:
    if chooser.random() < 0.25:  # noqa: PLR2004 - a quarter of the brands are place names.
        return chooser.choice(PLACE_BRANDS)
    first, first_en = chooser.choice(BRAND_FIRST_PARTS)
    second, second_en = chooser.choice(BRAND_SECOND_PARTS)
    return first + second, first_en + second_en


def _create_merchants(
    chooser: random.Random, *, count: int, districts: list[District]
) -> list[tuple[Merchant, MerchantKindPlan]]:
    first_number = Merchant.objects.filter(slug__startswith=SLUG_PREFIX).count() + 1
    planned = []
    for number in range(first_number, first_number + count):
        plan = chooser.choice(KIND_PLANS)
        district = districts[number % len(districts)]
        brand, brand_en = _brand(chooser)
        merchant = Merchant(
            slug=f"{SLUG_PREFIX}{number:06d}",
            kind=plan.kind,
            name=f"{district.name} {brand}{plan.suffix}",
            name_en=f"{brand_en} {plan.suffix_en}, {district.name_en}",
            district=district,
            address=f"{district.city} {district.name}",
            preparation_minutes=20 if plan.kind == MerchantKind.RESTAURANT else 0,
        )
        planned.append((merchant, plan))
    created = Merchant.objects.bulk_create([merchant for merchant, _plan in planned])
    OpeningHours.objects.bulk_create(
        OpeningHours(
            merchant=merchant,
            weekday=period.weekday,
            opens_at=period.opens_at,
            closes_at=period.closes_at,
        )
        for merchant, (_unsaved, plan) in zip(created, planned, strict=True)
        for period in plan.hours
    )
    return [
        (merchant, plan)
        for merchant, (_unsaved, plan) in zip(created, planned, strict=True)
    ]


def _build_product(
    chooser: random.Random,
    planned: tuple[Merchant, MerchantKindPlan],
    categories: dict[str, Category],
) -> Product:
    merchant, plan = planned
    item: Item = ALL_ITEMS[chooser.choice(plan.items)]
    variant = chooser.choice(item.variants)
    if item.is_made_to_order:
        prefix, prefix_en = chooser.choice(DISH_STYLES)
    else:
        prefix, prefix_en = _brand(chooser)
    lowest, highest = STOCK_RANGE_BY_SIZE.get(variant.size_class, STOCK_RANGE_SMALL)
    stock = chooser.randint(lowest, highest)
    product = Product(
        merchant=merchant,
        category=categories[item.category],
        name=f"{prefix} {item.product_name(variant)}",
        name_en=f"{prefix_en} {item.product_name_en(variant)}",
        description=item.description,
        description_en=item.description_en,
        unit=item.unit.name,
        unit_en=item.unit.name_en,
        price_won=price_for(
            base_won=variant.price_won, percent=chooser.randint(*PRICE_PERCENT_RANGE)
        ),
        weight_grams=variant.weight_grams,
        size_class=variant.size_class,
        is_made_to_order=item.is_made_to_order,
        purchase_limit_per_day=item.purchase_limit_per_day,
        stock_on_hand=stock,
        stock_received=stock,
    )
    prepare_search_fields(product)
    return product
