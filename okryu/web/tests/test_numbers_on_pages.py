"""Numbers people read have their thousands separated, distances and weights their unit."""

import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from okryu.accounts.tests.factories import AddressFactory, ShopperFactory
from okryu.cart.owners import BasketOwner
from okryu.cart.services import add_to_basket
from okryu.core.numbers import format_distance, format_weight
from okryu.merchants.tests.factories import MerchantFactory
from okryu.web.tests.test_checkout_pages import funded_card, stocked_product
from okryu.web.tests.test_merchant_pages import staff_of

pytestmark = pytest.mark.django_db

# Four digits or more in a row, not part of a longer word (an order number, a date).
UNSEPARATED = re.compile(r"(?<![\w-])\d{4,}(?![\w-])")


def test_the_product_page_separates_the_stock_and_gives_the_weight_in_kilograms(
    client: Client,
):
    rice = stocked_product(stock=1234, name="흰쌀 12.5kg", weight_grams=12_500)

    html = client.get(reverse("product", args=[rice.pk])).content.decode()

    assert "<dd>1,234개 남음</dd>" in html
    assert "<dd>12.5 kg</dd>" in html


def test_the_checkout_gives_the_distance_and_weight_in_their_units(client: Client):
    shopper = ShopperFactory.create()
    AddressFactory.create(user=shopper, is_default=True)
    funded_card(shopper)
    sacks = stocked_product(stock=50, weight_grams=2_500, price_won=1_000)
    add_to_basket(
        owner=BasketOwner.for_user(shopper.pk), product_id=sacks.pk, quantity=3
    )
    client.force_login(shopper)

    response = client.get(reverse("checkout"))

    (part,) = response.context["quote"].merchants
    html = response.content.decode()
    shown = f"({format_distance(part.distance_meters)}, {format_weight(7_500)})"
    assert part.weight_grams == 7_500
    assert f"<small>{shown}</small>" in html
    assert "7.5 kg" in shown
    assert not UNSEPARATED.search(shown)


def test_the_stock_page_separates_quantities_and_their_changes(client: Client):
    house = MerchantFactory.create()
    socks = stocked_product(merchant=house, stock=1200, name="양말")
    client.force_login(staff_of(house))

    html = client.get(reverse("merchant-stock", args=[socks.pk])).content.decode()

    assert '<td class="num">+1,200</td>' in html
    assert '<td class="num">1,200</td>' in html
    assert not UNSEPARATED.search(re.sub(r"<[^>]*>", " ", html))


def test_a_stock_count_tells_the_new_quantity_with_separators(client: Client):
    house = MerchantFactory.create()
    socks = stocked_product(merchant=house, stock=10, name="양말")
    client.force_login(staff_of(house))

    response = client.post(
        reverse("merchant-stock-change", args=[socks.pk, "count"]),
        {"count-idempotency_key": "c1", "count-quantity": "2500", "count-note": ""},
    )

    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "재고를 고쳤습니다. 지금 2,500개 있습니다."
    ]
