import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from okryu.api.tests.support import (
    assert_problem,
    new_category,
    new_district,
    new_merchant,
    new_product,
)
from okryu.catalog.models import Product, SizeClass
from okryu.catalog.services import receive_stock
from okryu.core.clock import PYONGYANG
from okryu.merchants.models import MerchantKind, OpeningHours

pytestmark = pytest.mark.django_db

# A Wednesday, 12:30 in Pyongyang.
WEDNESDAY_NOON = dt.datetime(2026, 3, 4, 12, 30, tzinfo=PYONGYANG)


@pytest.fixture
def central():
    return new_district(code="central", name="중구역", name_en="Central")


@pytest.fixture
def noodle_house(central):
    merchant = new_merchant(
        kind=MerchantKind.RESTAURANT,
        name="옥류관",
        name_en="Okryu Restaurant",
        district=central,
        preparation_minutes=25,
    )
    OpeningHours.objects.create(
        merchant=merchant, weekday=2, opens_at=dt.time(11), closes_at=dt.time(21)
    )
    return merchant


@pytest.fixture
def store(central):
    return new_merchant(
        kind=MerchantKind.STORE,
        name="광복백화점",
        name_en="Kwangbok Store",
        district=central,
    )


@pytest.fixture
def food():
    return new_category(name="식료품", name_en="Food", sort_order=1)


@pytest.fixture
def noodles(food):
    return new_category(name="국수", name_en="Noodles", parent=food)


@pytest.fixture
def cold_noodles(noodle_house, noodles):
    product = new_product(
        merchant=noodle_house,
        category=noodles,
        name="평양랭면",
        name_en="Pyongyang cold noodles",
        description="메밀 국수",
        description_en="Buckwheat noodles",
        unit="한 그릇",
        unit_en="bowl",
        price_won=12000,
        weight_grams=900,
        size_class=SizeClass.MEDIUM,
        is_made_to_order=True,
        purchase_limit_per_day=4,
    )
    receive_stock(product_id=product.pk, quantity=30, changed_by=None)
    return product


def test_categories_come_as_a_tree(api_client, food, noodles):
    drinks = new_category(name="음료", name_en="Drinks", sort_order=2)

    response = api_client.get("/api/v1/categories")

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "id": food.pk,
                "slug": food.slug,
                "name": "식료품",
                "name_en": "Food",
                "children": [
                    {
                        "id": noodles.pk,
                        "slug": noodles.slug,
                        "name": "국수",
                        "name_en": "Noodles",
                        "children": [],
                    }
                ],
            },
            {
                "id": drinks.pk,
                "slug": drinks.slug,
                "name": "음료",
                "name_en": "Drinks",
                "children": [],
            },
        ],
        "next": None,
        "count": 2,
    }


@time_machine.travel(WEDNESDAY_NOON, tick=False)
def test_merchants_show_their_district_and_whether_they_are_open(
    api_client, noodle_house, store
):
    response = api_client.get("/api/v1/merchants")

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "id": store.pk,
                "name": "광복백화점",
                "name_en": "Kwangbok Store",
                "kind": "store",
                "district": "Central",
                "district_code": "central",
                "district_name": "중구역",
                "preparation_minutes": 0,
                "open_now": False,
                "opens_at": None,
            },
            {
                "id": noodle_house.pk,
                "name": "옥류관",
                "name_en": "Okryu Restaurant",
                "kind": "restaurant",
                "district": "Central",
                "district_code": "central",
                "district_name": "중구역",
                "preparation_minutes": 25,
                "open_now": True,
                "opens_at": None,
            },
        ],
        "next": None,
        "count": 2,
    }


@time_machine.travel(WEDNESDAY_NOON.replace(hour=22), tick=False)
def test_a_restaurant_after_closing_time_is_not_open_now(api_client, noodle_house):
    response = api_client.get("/api/v1/merchants?kind=restaurant")

    assert [item["open_now"] for item in response.json()["items"]] == [False]


@time_machine.travel(WEDNESDAY_NOON.replace(hour=8, minute=55), tick=False)
def test_a_restaurant_before_opening_says_when_it_opens(api_client, noodle_house):
    response = api_client.get("/api/v1/merchants")

    [item] = response.json()["items"]
    assert (item["open_now"], item["opens_at"]) == (False, "2026-03-04T11:00:00+09:00")


def test_merchants_can_be_filtered_by_kind(api_client, noodle_house, store):
    response = api_client.get("/api/v1/merchants?kind=restaurant")

    body = response.json()
    assert [item["id"] for item in body["items"]] == [noodle_house.pk]
    assert body["count"] == 1


def test_an_unknown_merchant_kind_is_422_invalid_on_kind(api_client, store):
    response = api_client.get("/api/v1/merchants?kind=bank")

    assert assert_problem(response, status=422, code="invalid")["field"] == "kind"


def test_the_merchant_list_takes_a_constant_number_of_queries(
    api_client, noodle_house, store
):
    [new_merchant() for _ in range(3)]

    with CaptureQueriesContext(connection) as queries:
        response = api_client.get("/api/v1/merchants")

    assert response.json()["count"] == 5
    # The page with districts, the opening hours, the count.
    assert len(queries) == 3


@time_machine.travel(WEDNESDAY_NOON, tick=False)
def test_products_list_their_price_stock_and_limit(api_client, cold_noodles):
    response = api_client.get("/api/v1/products")

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "id": cold_noodles.pk,
                "name": "평양랭면",
                "name_en": "Pyongyang cold noodles",
                "price": 12000,
                "unit": "한 그릇",
                "unit_en": "bowl",
                "merchant": cold_noodles.merchant_id,
                "merchant_name": "옥류관",
                "merchant_name_en": "Okryu Restaurant",
                "category": cold_noodles.category_id,
                "available": 30,
                "purchase_limit": 4,
                "availability": "orderable",
                "opens_at": None,
                "period_limit": None,
            }
        ],
        "next": None,
        "count": 1,
    }


def test_available_is_on_hand_less_reserved(api_client, cold_noodles):
    type(cold_noodles).objects.filter(pk=cold_noodles.pk).update(stock_reserved=12)

    response = api_client.get(f"/api/v1/products/{cold_noodles.pk}")

    assert response.json()["available"] == 18


def test_one_product_has_its_description_and_delivery_facts(api_client, cold_noodles):
    response = api_client.get(f"/api/v1/products/{cold_noodles.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "평양랭면"
    assert body["price"] == 12000
    assert body["available"] == 30
    assert {
        key: body[key]
        for key in (
            "description",
            "description_en",
            "weight_g",
            "size_class",
            "made_to_order",
        )
    } == {
        "description": "메밀 국수",
        "description_en": "Buckwheat noodles",
        "weight_g": 900,
        "size_class": "medium",
        "made_to_order": True,
    }


@pytest.mark.parametrize(
    "product_id",
    [pytest.param(999_999, id="never-existed"), pytest.param(0, id="zero")],
)
def test_an_unknown_product_is_404_not_found(api_client, product_id):
    response = api_client.get(f"/api/v1/products/{product_id}")

    assert_problem(response, status=404, code="not_found")


def test_a_withdrawn_product_is_404_not_found(api_client, cold_noodles):
    cold_noodles.is_active = False
    cold_noodles.save(update_fields=["is_active"])

    response = api_client.get(f"/api/v1/products/{cold_noodles.pk}")

    assert_problem(response, status=404, code="not_found")


def test_a_product_id_that_is_not_a_number_is_422_on_product_id(api_client):
    response = api_client.get("/api/v1/products/abc")

    assert assert_problem(response, status=422, code="invalid")["field"] == "product_id"


def test_the_category_filter_includes_subcategories(
    api_client, food, noodles, cold_noodles, store
):
    rice = new_product(merchant=store, category=food, name="쌀")
    new_product(merchant=store, name="양말")

    response = api_client.get(f"/api/v1/products?category={food.pk}")

    assert [item["id"] for item in response.json()["items"]] == [
        rice.pk,
        cold_noodles.pk,
    ]


def test_the_merchant_filter_keeps_that_merchants_products(
    api_client, cold_noodles, store
):
    socks = new_product(merchant=store, name="양말")

    response = api_client.get(f"/api/v1/products?merchant={store.pk}")

    assert [item["id"] for item in response.json()["items"]] == [socks.pk]


@pytest.mark.parametrize("field", ["category", "merchant"])
def test_an_unknown_filter_id_is_422_invalid_naming_the_filter(
    api_client, cold_noodles, field
):
    response = api_client.get(f"/api/v1/products?{field}=999999")

    assert assert_problem(response, status=422, code="invalid")["field"] == field


def test_products_can_be_sorted_by_price(api_client, store):
    dear = new_product(merchant=store, name="가", price_won=5000)
    cheap = new_product(merchant=store, name="나", price_won=100)

    response = api_client.get("/api/v1/products?sort=price")

    assert [item["id"] for item in response.json()["items"]] == [cheap.pk, dear.pk]


def test_an_unknown_sort_is_422_invalid_on_sort(api_client):
    response = api_client.get("/api/v1/products?sort=colour")

    assert assert_problem(response, status=422, code="invalid")["field"] == "sort"


def test_searching_the_south_spelling_finds_the_north_one(api_client, cold_noodles):
    response = api_client.get("/api/v1/products", {"q": "냉면"})

    body = response.json()
    assert [item["name"] for item in body["items"]] == ["평양랭면"]
    assert body["count"] == 1


def test_a_search_with_sort_is_422_on_sort(api_client, cold_noodles):
    response = api_client.get("/api/v1/products", {"q": "냉면", "sort": "price"})

    assert assert_problem(response, status=422, code="invalid")["field"] == "sort"


def test_a_search_keeps_the_merchant_filter(api_client, cold_noodles, store):
    new_product(merchant=store, name="냉면 사리")

    response = api_client.get(
        "/api/v1/products", {"q": "냉면", "merchant": cold_noodles.merchant_id}
    )

    assert [item["id"] for item in response.json()["items"]] == [cold_noodles.pk]


@pytest.mark.parametrize(
    ("length", "status"),
    [pytest.param(100, 200, id="at-the-limit"), pytest.param(10_000, 422, id="huge")],
)
def test_a_search_query_longer_than_the_limit_is_422_on_q(api_client, length, status):
    response = api_client.get("/api/v1/products", {"q": "냉" * length})

    assert response.status_code == status
    if status == 422:
        assert assert_problem(response, status=422, code="invalid")["field"] == "q"


def test_a_search_within_a_leaf_category_finds_its_products(
    api_client, noodles, cold_noodles, store
):
    new_product(merchant=store, name="냉면 그릇")

    response = api_client.get("/api/v1/products", {"q": "냉면", "category": noodles.pk})

    assert [item["id"] for item in response.json()["items"]] == [cold_noodles.pk]


def test_a_search_within_a_category_covers_its_subcategories(
    api_client, food, cold_noodles, store
):
    new_product(merchant=store, name="냉면 그릇")

    response = api_client.get("/api/v1/products", {"q": "냉면", "category": food.pk})

    assert [item["id"] for item in response.json()["items"]] == [cold_noodles.pk]


@time_machine.travel(WEDNESDAY_NOON.replace(hour=8, minute=55), tick=False)
def test_a_dish_before_opening_is_closed_until_its_opening_never_sold_out(
    api_client, cold_noodles
):
    listed = api_client.get("/api/v1/products").json()["items"][0]
    detail = api_client.get(f"/api/v1/products/{cold_noodles.pk}").json()

    for answer in (listed, detail):
        assert answer["availability"] == "closed"
        assert answer["opens_at"] == "2026-03-04T11:00:00+09:00"
        assert answer["available"] == 30


@time_machine.travel(WEDNESDAY_NOON, tick=False)
def test_a_dish_switched_off_for_today_is_sold_out_while_its_restaurant_is_open(
    api_client, cold_noodles
):
    Product.objects.filter(pk=cold_noodles.pk).update(is_sold_out=True)

    listed = api_client.get("/api/v1/products").json()["items"][0]

    assert (listed["availability"], listed["available"]) == ("sold_out", 0)
