"""The demo data tables themselves, checked without a database."""

import re
from collections import Counter

import pytest

from okryu.catalog.models import Product
from okryu.demo.assortment import ALL_ITEMS
from okryu.demo.categories import CATEGORY_TREE, leaf_slugs
from okryu.demo.items import Variant
from okryu.demo.loading import price_for, stock_quantity
from okryu.demo.merchants import MERCHANTS, SOLD_OUT
from okryu.demo.users import DEMO_USERS

HANGUL = re.compile(r"[가-힣]")


def test_every_item_belongs_to_a_leaf_category_and_has_both_names():
    leaves = set(leaf_slugs())

    for item in ALL_ITEMS.values():
        assert item.category in leaves, item.key
        assert HANGUL.search(item.name), item.key
        assert item.name_en.isascii(), item.key
        assert HANGUL.search(item.description), item.key
        assert item.description_en.isascii(), item.key
        assert item.unit.name_en.isascii(), item.key


def test_every_product_name_fits_the_catalog_and_reads_in_both_languages():
    for item in ALL_ITEMS.values():
        for variant in item.variants:
            name = item.product_name(variant)
            name_en = item.product_name_en(variant)

            assert len(name) <= Product.NAME_LENGTH_MAX
            assert len(name_en) <= Product.NAME_LENGTH_MAX
            assert name.startswith(item.name)
            assert name_en.isascii(), name_en


def test_no_merchant_sells_two_products_of_the_same_name():
    for spec in MERCHANTS:
        names = Counter(
            ALL_ITEMS[key].product_name(variant)
            for key in spec.items
            for variant in ALL_ITEMS[key].variants
        )

        assert [name for name, count in names.items() if count > 1] == [], spec.slug


def test_sold_out_goods_and_staff_accounts_name_real_merchants_and_items():
    items_by_merchant = {spec.slug: set(spec.items) for spec in MERCHANTS}

    for merchant_slug, item_key in SOLD_OUT:
        assert item_key in items_by_merchant[merchant_slug]
    for user in DEMO_USERS:
        assert user.merchant == "" or user.merchant in items_by_merchant


def test_dishes_are_made_to_order_and_only_restaurants_sell_them():
    dish_categories = {leaf.slug for leaf in CATEGORY_TREE[-1].children}

    for item in ALL_ITEMS.values():
        assert item.is_made_to_order == (item.category in dish_categories), item.key
    for spec in MERCHANTS:
        sells_dishes = any(ALL_ITEMS[key].is_made_to_order for key in spec.items)
        assert sells_dishes == (spec.kind == "restaurant"), spec.slug


@pytest.mark.parametrize(
    ("base_won", "percent", "expected_won"),
    [
        pytest.param(6_500, 100, 6_500, id="unchanged"),
        pytest.param(6_500, 98, 6_370, id="two-percent-off"),
        pytest.param(1_234, 100, 1_230, id="rounded-down-to-ten"),
        pytest.param(1_235, 100, 1_240, id="rounded-half-up"),
        pytest.param(4, 90, 10, id="never-below-ten"),
    ],
)
def test_prices_are_scaled_and_rounded_to_ten_won(base_won, percent, expected_won):
    assert price_for(base_won=base_won, percent=percent) == expected_won


def test_stock_is_the_same_every_time_and_zero_for_sold_out_goods():
    rice = ALL_ITEMS["white-rice"]
    variant = rice.variants[0]
    noodles = ALL_ITEMS["pyongyang-naengmyon"]

    first = stock_quantity(
        merchant_slug="moranbong-grocery", item=rice, variant=variant
    )
    again = stock_quantity(
        merchant_slug="moranbong-grocery", item=rice, variant=variant
    )
    sold_out = stock_quantity(
        merchant_slug="pyongyang-department-store-1",
        item=ALL_ITEMS["padded-coat"],
        variant=ALL_ITEMS["padded-coat"].variants[0],
    )
    bowls = [
        stock_quantity(merchant_slug="okryu-gwan", item=noodles, variant=size)
        for size in noodles.variants
    ]

    assert first == again
    assert 30 <= first <= 400
    assert sold_out == 0
    assert all(60 <= count <= 240 for count in bowls)


def test_a_variant_without_price_or_weight_is_a_bug():
    with pytest.raises(AssertionError):
        Variant("1kg", "1 kg", 0, 1_000)
    with pytest.raises(AssertionError):
        Variant("1kg", "1 kg", 1_000, 0)
