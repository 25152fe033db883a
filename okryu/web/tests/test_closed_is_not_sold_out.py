"""A restaurant closed now says when it opens, on every page where a shopper decides, and
is never shown as sold out; checkout offers only slots within its hours."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.urls import reverse

from okryu.accounts.tests.factories import AddressFactory, ShopperFactory
from okryu.catalog import portions
from okryu.catalog.models import Category, Product
from okryu.catalog.tests.factories import CategoryFactory, ProductFactory
from okryu.merchants.models import Merchant, MerchantKind, OpeningHours
from okryu.merchants.tests.factories import MerchantFactory
from okryu.orders.models import Order
from okryu.payments.models import Card
from okryu.web.tests.test_checkout_pages import (
    PIN,
    checkout_form,
    fill_basket,
    funded_card,
)

pytestmark = pytest.mark.django_db

KST = dt.timezone(dt.timedelta(hours=9))
# 2026-12-01, a Tuesday, in Pyongyang: before the restaurant opens, and at lunch.
BEFORE_OPENING = dt.datetime(2026, 12, 1, 8, 55, tzinfo=KST)
LUNCH = dt.datetime(2026, 12, 1, 12, 0, tzinfo=KST)


def _restaurant(name: str) -> Merchant:
    merchant: Merchant = MerchantFactory.create(
        kind=MerchantKind.RESTAURANT, name=name, name_en=f"{name} House"
    )
    for weekday in range(7):
        OpeningHours.objects.create(
            merchant=merchant,
            weekday=weekday,
            opens_at=dt.time(11),
            closes_at=dt.time(21),
        )
    return merchant


def _dish(merchant: Merchant, category: Category, *, capacity: int) -> Product:
    dish: Product = ProductFactory.create(
        merchant=merchant,
        category=category,
        name="평양랭면",
        name_en="Pyongyang cold noodles",
        unit="한 그릇",
        is_made_to_order=True,
    )
    with transaction.atomic():
        assert portions.set_daily_capacity(
            product_id=dish.pk, daily_capacity=capacity, day=portions.today()
        )
    dish.refresh_from_db()
    return dish


@pytest.fixture
def noodles_category() -> Category:
    category: Category = CategoryFactory.create(name="국수", name_en="Noodles")
    return category


@pytest.fixture
def dish(noodles_category) -> Product:
    with time_machine.travel(BEFORE_OPENING, tick=False):
        return _dish(_restaurant("옥류관"), noodles_category, capacity=134)


def _row_of(html: str, product: Product) -> str:
    """The listing row (``<li>``) that links to ``product``."""
    rows = re.findall(r"<li>.*?</li>", html, flags=re.DOTALL)
    found = [row for row in rows if f'href="/products/{product.pk}/"' in row]
    assert len(found) == 1, html[html.find("<main") :]
    row: str = found[0]
    return row


def _listing_pages(dish: Product) -> dict[str, str]:
    # The home page features goods in stock only: dishes are not on it.
    return {
        "category": reverse("category", args=[dish.category_id]),
        "merchant": reverse("merchant", args=[dish.merchant_id]),
        "search": reverse("search") + "?q=랭면",
    }


def test_every_listing_says_when_a_closed_restaurants_dish_opens_never_sold_out(
    client: Client, dish
):
    with time_machine.travel(BEFORE_OPENING, tick=False):
        for page, url in _listing_pages(dish).items():
            row = _row_of(client.get(url).content.decode(), dish)

            assert "11:00에 엽니다" in row, page
            assert "품절" not in row, page
            assert 'name="product"' in row, page  # It may be ordered for a later slot.


def _merchant_row_of(html: str, merchant_id: int) -> str:
    """The list item that links to the merchant's page."""
    rows = re.findall(r"<li>.*?</li>", html, flags=re.DOTALL)
    found = [row for row in rows if f'href="/merchants/{merchant_id}/"' in row]
    assert len(found) == 1, html[html.find("<main") :]
    row: str = found[0]
    return row


@pytest.mark.parametrize("page", ["home", "merchants", "restaurants"])
def test_the_merchant_lists_say_when_a_closed_restaurant_opens(
    client: Client, dish, page
):
    url = {
        "home": reverse("home"),
        "merchants": reverse("merchants"),
        "restaurants": reverse("merchants") + "?kind=restaurant",
    }[page]
    with time_machine.travel(BEFORE_OPENING, tick=False):
        before = _merchant_row_of(client.get(url).content.decode(), dish.merchant_id)
    with time_machine.travel(LUNCH, tick=False):
        during = _merchant_row_of(client.get(url).content.decode(), dish.merchant_id)
    with time_machine.travel(LUNCH.replace(hour=22), tick=False):
        after = _merchant_row_of(client.get(url).content.decode(), dish.merchant_id)

    assert "11:00에 엽니다" in before
    assert "영업 중" in during
    assert "엽니다" not in during
    assert "내일 11:00에 엽니다" in after


def test_a_restaurants_page_says_when_it_opens(client: Client, dish):
    with time_machine.travel(BEFORE_OPENING, tick=False):
        page = client.get(reverse("merchant", args=[dish.merchant_id])).content.decode()

    assert "11:00에 엽니다" in page[page.find("<h1") : page.find("</h1>")]


def test_every_listing_offers_an_open_restaurants_dish_without_an_opening_time(
    client: Client, dish
):
    with time_machine.travel(LUNCH, tick=False):
        for page, url in _listing_pages(dish).items():
            row = _row_of(client.get(url).content.decode(), dish)

            assert "엽니다" not in row, page
            assert "품절" not in row, page
            assert "담기" in row, page


def test_a_dish_switched_off_for_today_is_sold_out_on_every_listing_while_open(
    client: Client, dish
):
    Product.objects.filter(pk=dish.pk).update(is_sold_out=True)
    with time_machine.travel(LUNCH, tick=False):
        for page, url in _listing_pages(dish).items():
            row = _row_of(client.get(url).content.decode(), dish)

            assert "품절" in row, page
            assert 'name="product"' not in row, page


def test_the_price_comparison_says_which_seller_is_closed(
    client: Client, dish, noodles_category
):
    with time_machine.travel(BEFORE_OPENING, tick=False):
        other = _dish(_restaurant("청류관"), noodles_category, capacity=10)
        html = client.get(reverse("product-sellers", args=[dish.pk])).content.decode()

        for offer in (dish, other):
            row = _row_of(html, offer)
            assert "11:00에 엽니다" in row
            assert "품절" not in row


def test_the_dish_page_before_opening_tells_the_opening_beside_the_portions_left(
    client: Client, dish
):
    with time_machine.travel(BEFORE_OPENING, tick=False):
        html = client.get(reverse("product", args=[dish.pk])).content.decode()

    assert "11:00에 엽니다" in html
    assert "134인분 남음" in html
    assert "품절" not in html
    assert "장바구니에 담기" in html


def test_the_dish_page_says_opens_at_in_english(client: Client, dish):
    client.cookies["okryu_language"] = "en"
    with time_machine.travel(BEFORE_OPENING, tick=False):
        html = client.get(reverse("product", args=[dish.pk])).content.decode()

    assert "Opens at 11:00" in html
    assert "Sold out" not in html


@pytest.fixture
def shopper_with_dish(client: Client, dish) -> tuple[Client, Card]:
    shopper = ShopperFactory.create()
    AddressFactory.create(user=shopper, is_default=True)
    card = funded_card(shopper)
    with time_machine.travel(BEFORE_OPENING, tick=False):
        fill_basket(shopper, (dish, 1))
    client.force_login(shopper)
    return client, card


def test_the_basket_tells_when_a_closed_restaurant_opens(shopper_with_dish):
    client, _card = shopper_with_dish
    with time_machine.travel(BEFORE_OPENING, tick=False):
        html = client.get(reverse("basket")).content.decode()

    assert "11:00에 엽니다" in html


def test_checkout_offers_only_slots_within_the_restaurants_hours(shopper_with_dish):
    client, _card = shopper_with_dish
    with time_machine.travel(BEFORE_OPENING, tick=False):
        response = client.get(reverse("checkout"))

    html = response.content.decode()
    offered = [
        value for value, _label in response.context["form"].fields["slot"].choices
    ]
    assert "asap" not in offered
    assert offered[0] == "2026-12-01T11:00+09:00"
    assert "2026-12-01T10:00+09:00" not in offered
    assert "2026-12-01T21:00+09:00" not in offered
    assert "2026-12-02T11:00+09:00" in offered
    assert "11:00에 엽니다" in html
    assert 'value="2026-12-01T11:00+09:00" selected' in html


def test_checkout_refuses_a_time_the_restaurant_is_closed_before_checking_the_pin(
    shopper_with_dish,
):
    client, card = shopper_with_dish
    with time_machine.travel(BEFORE_OPENING, tick=False):
        form = checkout_form(client, slot="asap", card_number=card.number, pin="0000")
        response = client.post(reverse("checkout"), form)

    card.refresh_from_db()
    assert response.status_code == 422
    assert "영업 시간 안의 배달 시간을 고르십시오" in response.content.decode()
    assert card.pin_failed_attempts == 0
    assert Order.objects.count() == 0


def test_checkout_places_the_order_for_a_slot_within_the_hours(shopper_with_dish):
    client, card = shopper_with_dish
    with time_machine.travel(BEFORE_OPENING, tick=False):
        form = checkout_form(
            client, slot="2026-12-01T11:00+09:00", card_number=card.number, pin=PIN
        )
        response = client.post(reverse("checkout"), form)

    assert response.status_code == 302
    order = Order.objects.get()
    assert order.slot_starts_at == dt.datetime(2026, 12, 1, 11, 0, tzinfo=KST)
