"""A restaurant's dishes on the pages: options and portions left for the shopper, kitchen
settings and options for the restaurant's staff."""

import datetime as dt
import itertools

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from okryu.accounts.tests.factories import AddressFactory, ShopperFactory
from okryu.cart.models import BasketLine
from okryu.catalog.models import Option, OptionGroup, Product
from okryu.catalog.tests.factories import Noodles
from okryu.orders.models import Order, OrderLine
from okryu.orders.tests.dish_builders import (
    make_noodles,
    make_restaurant,
    portions_of,
)
from okryu.web.tests.test_checkout_pages import (
    PIN,
    checkout_form,
    funded_card,
    messages_of,
)

pytestmark = pytest.mark.django_db

_keys = itertools.count(1)
# 2026-12-01 12:00 in Pyongyang.
NOON = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _noon():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def noodles() -> Noodles:
    return make_noodles(make_restaurant(), capacity=5)


def _add(client: Client, noodles: Noodles, *options: Option, quantity: int = 1):
    data: dict[str, object] = {
        "product": noodles.dish.pk,
        "quantity": quantity,
        "idempotency_key": f"add-{next(_keys)}",
        "next": reverse("product", args=[noodles.dish.pk]),
        "option": [o.pk for o in options if o.group_id != noodles.portion.pk],
    }
    for option in options:
        if option.group_id == noodles.portion.pk:
            data[f"option-{noodles.portion.pk}"] = option.pk
    return client.post(reverse("basket-add"), data)


def test_a_dishs_page_offers_its_options_and_tells_the_portions_left_today(
    client: Client, noodles
):
    response = client.get(reverse("product", args=[noodles.dish.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "5인분 남음" in html
    assert (
        f'type="radio" name="option-{noodles.portion.pk}" '
        f'value="{noodles.regular.pk}" required checked'
    ) in html
    assert (
        f'name="option-{noodles.portion.pk}" value="{noodles.large.pk}" required>'
        in (html)
    )
    assert f'type="checkbox" name="option" value="{noodles.egg.pk}"' in html
    assert "곱빼기 +2,000원" in html


def test_a_sold_out_dishs_page_has_no_basket_form(client: Client, noodles):
    Product.objects.filter(pk=noodles.dish.pk).update(is_sold_out=True)

    html = client.get(reverse("product", args=[noodles.dish.pk])).content.decode()

    assert "오늘 품절" in html
    assert 'action="/basket/add/"' not in html


def test_options_chosen_on_the_page_go_in_the_basket_priced_and_shown(
    client: Client, noodles
):
    response = _add(client, noodles, noodles.large, noodles.egg, quantity=2)

    assert response.status_code == 302
    line = BasketLine.objects.get()
    assert (line.options_key, line.price_won_seen, line.quantity) == (
        f"{noodles.large.pk},{noodles.egg.pk}",
        14_500,
        2,
    )
    basket = client.get(reverse("basket")).content.decode()
    assert "곱빼기, 계란 추가" in basket
    assert "29,000원" in basket


def test_the_same_dish_with_other_options_is_another_basket_line(
    client: Client, noodles
):
    _add(client, noodles, noodles.large)
    _add(client, noodles, noodles.regular)
    _add(client, noodles, noodles.large)

    assert sorted(BasketLine.objects.values_list("price_won_seen", "quantity")) == [
        (12_000, 1),
        (14_000, 2),
    ]


def test_an_option_of_another_dish_is_refused_with_a_message_and_nothing_is_added(
    client: Client, noodles
):
    other = make_noodles(make_restaurant())

    response = _add(client, noodles, noodles.regular, other.egg)

    assert response.status_code == 302
    assert BasketLine.objects.count() == 0
    page = client.get(response["Location"])
    assert messages_of(page) == ["이 상품에서 고를 수 없는 선택입니다."]


def test_the_checkout_of_a_dish_with_options_places_it_with_its_options(
    client: Client, noodles
):
    shopper = ShopperFactory.create()
    AddressFactory.create(user=shopper, is_default=True)
    card = funded_card(shopper)
    client.force_login(shopper)
    _add(client, noodles, noodles.large, noodles.noodles, quantity=2)
    summary = client.get(reverse("checkout")).content.decode()
    data = checkout_form(client, card_number=card.number, pin=PIN)

    response = client.post(reverse("checkout"), data)

    assert "곱빼기, 사리 추가" in summary
    order = Order.objects.get()
    assert response.status_code == 302
    line = OrderLine.objects.get()
    assert (line.options_text, line.unit_price_won, order.items_total_won) == (
        "곱빼기, 사리 추가",
        15_500,
        31_000,
    )
    assert portions_of(noodles.dish) == (dt.date(2026, 12, 1), 2)
    assert BasketLine.objects.count() == 0
    page = client.get(reverse("order", args=[order.pk])).content.decode()
    assert "곱빼기, 사리 추가" in page


@pytest.fixture
def staff_client(client: Client, noodles) -> Client:
    client.force_login(noodles.dish.merchant.staff.get().user)
    return client


def _edit_url(product: Product) -> str:
    return reverse("merchant-product-edit", args=[product.pk])


def test_staff_set_a_dishs_capacity_sold_out_switch_and_time(staff_client, noodles):
    response = staff_client.post(
        reverse("merchant-dish-kitchen", args=[noodles.dish.pk]),
        {
            "idempotency_key": "k",
            "daily_capacity": "80",
            "is_sold_out": "on",
            "preparation_minutes": "25",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == _edit_url(noodles.dish)
    noodles.dish.refresh_from_db()
    assert (
        noodles.dish.daily_capacity,
        noodles.dish.is_sold_out,
        noodles.dish.preparation_minutes,
    ) == (80, True, 25)
    page = staff_client.get(_edit_url(noodles.dish)).content.decode()
    assert 'name="daily_capacity" value="80"' in page


def test_a_capacity_below_todays_portions_is_refused_and_changes_nothing(
    staff_client, noodles
):
    Product.objects.filter(pk=noodles.dish.pk).update(
        portions_day=dt.date(2026, 12, 1), portions_taken=4
    )

    response = staff_client.post(
        reverse("merchant-dish-kitchen", args=[noodles.dish.pk]),
        {"idempotency_key": "k", "daily_capacity": "3", "preparation_minutes": ""},
    )

    assert response.status_code == 422
    assert "오늘 이미 4인분이 주문되었습니다" in response.content.decode()
    noodles.dish.refresh_from_db()
    assert (noodles.dish.daily_capacity, noodles.dish.is_sold_out) == (5, False)


def test_staff_add_and_remove_option_groups_and_options(staff_client, noodles):
    added_group = staff_client.post(
        reverse("merchant-option-group-add", args=[noodles.dish.pk]),
        {"idempotency_key": "g", "name": "국물", "name_en": "Broth", "choice": "one"},
    )
    group = OptionGroup.objects.get(name="국물")
    added_option = staff_client.post(
        reverse("merchant-option-add", args=[group.pk]),
        {
            "idempotency_key": "o",
            "name": "동치미국물",
            "name_en": "Radish broth",
            "price_change_won": "1000",
        },
    )
    option = Option.objects.get(name="동치미국물")
    removed = staff_client.post(
        reverse("merchant-option-remove", args=[noodles.egg.pk])
    )

    assert [r.status_code for r in (added_group, added_option, removed)] == [
        302,
        302,
        302,
    ]
    assert (group.product_id, group.choice, option.price_change_won) == (
        noodles.dish.pk,
        "one",
        1_000,
    )
    assert not Option.objects.filter(pk=noodles.egg.pk).exists()
    page = staff_client.get(_edit_url(noodles.dish)).content.decode()
    assert "동치미국물 / Radish broth · 1,000원" in page


def test_another_restaurants_staff_cannot_touch_the_dish(client: Client, noodles):
    other = make_restaurant()
    client.force_login(other.staff.get().user)
    before = (
        list(Product.objects.values_list("daily_capacity", "is_sold_out")),
        OptionGroup.objects.count(),
        Option.objects.count(),
    )

    responses = [
        client.get(_edit_url(noodles.dish)),
        client.post(
            reverse("merchant-dish-kitchen", args=[noodles.dish.pk]),
            {"idempotency_key": "k", "daily_capacity": "1", "is_sold_out": "on"},
        ),
        client.post(
            reverse("merchant-option-group-add", args=[noodles.dish.pk]),
            {"idempotency_key": "g", "name": "x", "name_en": "x", "choice": "any"},
        ),
        client.post(
            reverse("merchant-option-add", args=[noodles.portion.pk]),
            {
                "idempotency_key": "o",
                "name": "x",
                "name_en": "x",
                "price_change_won": "-5000",
            },
        ),
        client.post(reverse("merchant-option-remove", args=[noodles.egg.pk])),
        client.post(reverse("merchant-option-group-remove", args=[noodles.extras.pk])),
    ]

    assert [response.status_code for response in responses] == [404] * 6
    assert before == (
        list(Product.objects.values_list("daily_capacity", "is_sold_out")),
        OptionGroup.objects.count(),
        Option.objects.count(),
    )


def test_removing_an_option_group_asks_for_its_box_ticked(staff_client, noodles):
    url = reverse("merchant-option-group-remove", args=[noodles.extras.pk])

    unconfirmed = staff_client.post(url, {"idempotency_key": "r1"}, follow=True)
    still_there = OptionGroup.objects.filter(pk=noodles.extras.pk).exists()
    confirmed = staff_client.post(url, {"idempotency_key": "r2", "confirm": "yes"})

    assert [str(m) for m in unconfirmed.context["messages"]] == [
        "실수로 누르지 않도록 확인란을 고른 뒤 다시 누르십시오."
    ]
    assert still_there is True
    assert confirmed.status_code == 302
    assert not OptionGroup.objects.filter(pk=noodles.extras.pk).exists()


def test_the_product_list_tells_a_dishs_portions_left_today_not_its_empty_stock(
    staff_client, noodles
):
    # A dish is cooked to order: 5 portions a day, no stock on the shelf.
    page = staff_client.get(reverse("merchant-products")).content.decode()

    row = page[page.find(f'id="product-{noodles.dish.pk}"') :]
    row = row[: row.find("</tr>")]
    assert "5인분 (오늘)" in row


def test_a_dishs_stock_page_says_it_is_sold_by_portions_and_leads_to_them(
    staff_client, noodles
):
    page = staff_client.get(
        reverse("merchant-stock", args=[noodles.dish.pk])
    ).content.decode()

    assert "이 음식은 재고가 아니라 하루 조리 수량으로 팝니다." in page
    assert f'href="{_edit_url(noodles.dish)}"' in page
