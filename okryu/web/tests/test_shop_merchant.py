"""Merchants: the list by kind, and a merchant's page with open now and the week's hours."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from okryu.catalog.services import receive_stock
from okryu.catalog.tests.factories import CategoryFactory, ProductFactory
from okryu.merchants.models import MerchantKind, OpeningHours
from okryu.merchants.tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db

PYONGYANG = dt.timezone(dt.timedelta(hours=9))
# 2026-03-04 is a Wednesday.
WEDNESDAY_NOON = dt.datetime(2026, 3, 4, 12, 0, tzinfo=PYONGYANG)
WEDNESDAY_NIGHT = dt.datetime(2026, 3, 4, 23, 30, tzinfo=PYONGYANG)


@pytest.fixture
def noodle_house():
    house = MerchantFactory.create(
        name="옥류관",
        name_en="Okryu Restaurant",
        kind=MerchantKind.RESTAURANT,
        preparation_minutes=25,
    )
    for weekday in range(6):  # Monday to Saturday; closed on Sunday
        OpeningHours.objects.create(
            merchant=house, weekday=weekday, opens_at=dt.time(11), closes_at=dt.time(21)
        )
    category = CategoryFactory.create(name="식사", name_en="Meals")
    for name, price in [("쟁반국수", 4000), ("평양랭면", 3000)]:
        product = ProductFactory.create(
            merchant=house, category=category, name=name, price_won=price
        )
        receive_stock(product_id=product.pk, quantity=3, changed_by=None)
    return house


@time_machine.travel(WEDNESDAY_NOON, tick=False)
def test_a_merchant_page_says_open_now_and_shows_the_week(client: Client, noodle_house):
    response = client.get(f"/merchants/{noodle_house.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="open">영업 중</span>' in html
    assert '<span class="closed">' not in html
    rows = re.findall(
        r'<tr( class="today")?><th scope="row">(\w+)</th><td>([^<]+)</td></tr>', html
    )
    assert rows == [
        ("", "월요일", "11:00–21:00"),
        ("", "화요일", "11:00–21:00"),
        (' class="today"', "수요일", "11:00–21:00"),
        ("", "목요일", "11:00–21:00"),
        ("", "금요일", "11:00–21:00"),
        ("", "토요일", "11:00–21:00"),
        ("", "일요일", "휴무"),
    ]
    assert "약 25분" in html
    assert re.findall(r'<a class="name" href="/products/\d+/">([^<]+)</a>', html) == [
        "쟁반국수",
        "평양랭면",
    ]


@time_machine.travel(WEDNESDAY_NIGHT, tick=False)
def test_a_merchant_page_says_closed_after_hours(client: Client, noodle_house):
    html = client.get(f"/merchants/{noodle_house.pk}/").content.decode()

    # Closed, and when it opens again: Thursday at 11:00.
    assert '<span class="closed">내일 11:00에 엽니다</span>' in html
    assert '<span class="open">' not in html


@time_machine.travel(WEDNESDAY_NOON, tick=False)
def test_a_merchant_page_in_english(client: Client, noodle_house):
    client.cookies["okryu_language"] = "en"

    html = client.get(f"/merchants/{noodle_house.pk}/").content.decode()

    assert "Okryu Restaurant" in html
    assert '<span class="open">Open now</span>' in html
    assert '<th scope="row">Sunday</th><td>Closed</td>' in html


def test_a_merchant_page_sorts_its_products_by_price(client: Client, noodle_house):
    html = client.get(
        f"/merchants/{noodle_house.pk}/", {"sort": "price"}
    ).content.decode()

    assert re.findall(r'<b class="price">([^<]+)</b>', html) == ["3,000원", "4,000원"]


def test_a_merchant_page_costs_four_queries(
    client: Client, noodle_house, django_assert_num_queries
):
    # The merchant with its district, its hours, the count and the page of products.
    with django_assert_num_queries(4):
        client.get(f"/merchants/{noodle_house.pk}/")


@pytest.mark.parametrize("merchant_id", ["999999"], ids=["unknown"])
def test_an_unknown_merchant_is_a_friendly_404(client: Client, merchant_id):
    response = client.get(f"/merchants/{merchant_id}/")

    assert response.status_code == 404
    assert "판매자를 찾을 수 없습니다." in response.content.decode()


def test_an_inactive_merchant_is_a_404(client: Client):
    closed_down = MerchantFactory.create(is_active=False)

    response = client.get(f"/merchants/{closed_down.pk}/")

    assert response.status_code == 404


def test_a_bad_sort_on_a_merchant_page_is_a_400(client: Client, noodle_house):
    response = client.get(
        f"/merchants/{noodle_house.pk}/", {"sort": "bogus", "page": "1"}
    )

    assert response.status_code == 400


@time_machine.travel(WEDNESDAY_NOON, tick=False)
def test_the_merchant_list_filters_by_kind(client: Client, noodle_house):
    MerchantFactory.create(name="중앙약국", kind=MerchantKind.PHARMACY)

    everyone = client.get("/merchants/").content.decode()
    restaurants = client.get("/merchants/", {"kind": "restaurant"}).content.decode()

    assert "옥류관" in everyone
    assert "중앙약국" in everyone
    assert "옥류관" in restaurants
    assert "중앙약국" not in restaurants
    assert "<h1>식당</h1>" in restaurants
    assert '<span class="open">영업 중</span>' in restaurants


def test_an_unknown_merchant_kind_is_a_400(client: Client):
    response = client.get("/merchants/", {"kind": "casino"})

    assert response.status_code == 400
    assert (
        "판매자 종류는 상점, 공장, 식당, 약국 중 하나입니다."
        in response.content.decode()
    )


def test_the_merchant_list_is_in_the_order_of_the_readers_names(client: Client):
    for name, name_en in [
        ("가나식당", "Zephyr Diner"),
        ("다라약국", "Apple Pharmacy"),
        ("마바상점", "Mango Store"),
    ]:
        MerchantFactory.create(name=name, name_en=name_en)

    korean = client.get("/merchants/").content.decode()
    client.cookies["okryu_language"] = "en"
    english = client.get("/merchants/").content.decode()

    assert (
        korean.index("가나식당") < korean.index("다라약국") < korean.index("마바상점")
    )
    assert (
        english.index("Apple Pharmacy")
        < english.index("Mango Store")
        < english.index("Zephyr Diner")
    )
