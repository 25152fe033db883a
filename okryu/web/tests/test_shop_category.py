"""The category listing: pagination, sort orders, bad input, query counts and caching."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from okryu.catalog.services import receive_stock
from okryu.catalog.tests.factories import CategoryFactory, ProductFactory
from okryu.merchants.tests.factories import MerchantFactory
from okryu.web.shop.listing import CSRF_PLACEHOLDER, fragment_cache_key

pytestmark = pytest.mark.django_db

# name, English name, price; created one day apart in this order (the last is the newest).
GOODS = [
    ("두부", "Tofu", 1500),
    ("간장", "Soy sauce", 3200),
    ("국수", "Noodles", 900),
    ("콩기름", "Soybean oil", 4800),
    ("된장", "Soybean paste", 2500),
]


@pytest.fixture
def food(settings):
    settings.OKRYU_PAGE_SIZE = 2
    food = CategoryFactory.create(name="식료품", name_en="Food")
    sauces = CategoryFactory.create(name="양념", name_en="Sauces", parent=food)
    shop = MerchantFactory.create(name="광복상점", name_en="Kwangbok Store")
    products = []
    start = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)
    for day, (name, name_en, price) in enumerate(GOODS):
        with time_machine.travel(start + dt.timedelta(days=day), tick=False):
            category = sauces if name in {"간장", "된장"} else food
            product = ProductFactory.create(
                merchant=shop,
                category=category,
                name=name,
                name_en=name_en,
                price_won=price,
            )
        receive_stock(product_id=product.pk, quantity=5, changed_by=None)
        products.append(product)
    return {"food": food, "sauces": sauces, "products": products}


def names_in(html: str) -> list[str]:
    return re.findall(r'<a class="name" href="/products/\d+/">([^<]+)</a>', html)


def prices_in(html: str) -> list[str]:
    return re.findall(r'<b class="price">([^<]+)</b>', html)


def every_page(client: Client, url: str, sort: str) -> list[str]:
    names = []
    for page in (1, 2, 3):
        response = client.get(url, {"sort": sort, "page": page})
        assert response.status_code == 200
        names.extend(names_in(response.content.decode()))
    return names


def test_a_category_lists_its_own_and_its_subcategories_products_by_name(
    client: Client, food
):
    response = client.get(f"/categories/{food['food'].pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert names_in(html) == ["간장", "국수"]
    assert prices_in(html) == ["3,200원", "900원"]
    assert "1 / 3쪽" in html
    assert f'href="/categories/{food["food"].pk}/?page=2" rel="next"' in html
    assert f'href="/categories/{food["sauces"].pk}/"' in html


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["간장", "국수", "된장", "두부", "콩기름"]),
        ("price", ["국수", "두부", "된장", "간장", "콩기름"]),
        ("-price", ["콩기름", "간장", "된장", "두부", "국수"]),
        ("newest", ["된장", "콩기름", "국수", "간장", "두부"]),
    ],
    ids=["name", "price-ascending", "price-descending", "newest"],
)
def test_each_sort_order_runs_across_the_pages(client: Client, food, sort, expected):
    assert every_page(client, f"/categories/{food['food'].pk}/", sort) == expected


def test_the_price_order_shows_prices_in_won(client: Client, food):
    html = client.get(
        f"/categories/{food['food'].pk}/", {"sort": "price"}
    ).content.decode()

    assert prices_in(html) == ["900원", "1,500원"]


def test_the_current_sort_is_marked_and_pages_keep_it(client: Client, food):
    html = client.get(
        f"/categories/{food['food'].pk}/", {"sort": "-price"}
    ).content.decode()

    assert '<b aria-current="true">높은 가격순</b>' in html
    assert f'href="/categories/{food["food"].pk}/?sort=-price&amp;page=2"' in html


def test_a_subcategory_lists_only_its_products(client: Client, food):
    html = client.get(f"/categories/{food['sauces'].pk}/").content.decode()

    assert names_in(html) == ["간장", "된장"]
    assert "식료품" in html  # the breadcrumb


def test_an_empty_category_says_so(client: Client):
    empty = CategoryFactory.create(name="빈분류", name_en="Empty")

    response = client.get(f"/categories/{empty.pk}/")

    assert response.status_code == 200
    assert "상품이 없습니다." in response.content.decode()


def test_the_listing_in_english_shows_english_names_in_their_order(
    client: Client, food
):
    client.cookies["okryu_language"] = "en"

    html = client.get(f"/categories/{food['food'].pk}/").content.decode()
    by_name = every_page(client, f"/categories/{food['food'].pk}/", "name")
    by_price = every_page(client, f"/categories/{food['food'].pk}/", "price")

    assert names_in(html) == ["Noodles", "Soy sauce"]
    assert by_name == ["Noodles", "Soy sauce", "Soybean oil", "Soybean paste", "Tofu"]
    assert by_price == ["Noodles", "Tofu", "Soybean paste", "Soy sauce", "Soybean oil"]
    assert "<h1>Food</h1>" in html
    assert "Kwangbok Store" in html


def test_a_merchants_products_by_name_in_english_follow_the_english_names(
    client: Client, food
):
    client.cookies["okryu_language"] = "en"
    shop = food["products"][0].merchant_id

    names = every_page(client, f"/merchants/{shop}/", "name")

    assert names == ["Noodles", "Soy sauce", "Soybean oil", "Soybean paste", "Tofu"]


def test_an_unknown_category_is_a_friendly_404(client: Client):
    response = client.get("/categories/999999/")

    assert response.status_code == 404
    assert "분류를 찾을 수 없습니다." in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"page": "-1"}, "쪽 번호는 1 이상의 숫자여야 합니다."),
        ({"page": "abc"}, "쪽 번호는 1 이상의 숫자여야 합니다."),
        ({"page": "0"}, "쪽 번호는 1 이상의 숫자여야 합니다."),
        ({"page": "9" * 50}, "쪽 번호는 1 이상의 숫자여야 합니다."),
        (
            {"sort": "bogus"},
            "정렬 방식은 이름순, 낮은 가격순, 높은 가격순, 최신순 중 하나입니다.",
        ),
    ],
    ids=["negative-page", "word-page", "zero-page", "huge-page", "bogus-sort"],
)
def test_a_malformed_parameter_is_a_friendly_400(client: Client, food, query, message):
    response = client.get(f"/categories/{food['food'].pk}/", query)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'href="/categories/{food["food"].pk}/"' in html


def test_a_page_past_the_end_is_a_friendly_404(client: Client, food):
    response = client.get(f"/categories/{food['food'].pk}/", {"page": "4"})

    assert response.status_code == 404
    assert "없는 쪽입니다." in response.content.decode()


def test_a_category_page_costs_three_queries(
    client: Client, food, django_assert_num_queries
):
    # The category tree, the count of the listing, the page of products (with merchants).
    with django_assert_num_queries(3):
        response = client.get(f"/categories/{food['food'].pk}/", {"sort": "price"})

    assert response.status_code == 200


@pytest.fixture
def local_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    cache.clear()
    yield
    cache.clear()


def test_a_cached_listing_needs_no_query_and_caches_no_csrf_token(
    food, local_cache, django_assert_num_queries
):
    url = f"/categories/{food['food'].pk}/"
    first = Client().get(url)

    with django_assert_num_queries(0):
        second = Client().get(url)

    stored = cache.get(fragment_cache_key("category", "ko", food["food"].pk, "name", 1))
    assert CSRF_PLACEHOLDER in stored
    assert "csrfmiddlewaretoken" not in stored
    tokens = [
        set(
            re.findall(
                r'name="csrfmiddlewaretoken" value="([^"]+)"', r.content.decode()
            )
        )
        for r in (first, second)
    ]
    assert tokens[0].isdisjoint(tokens[1])
    assert names_in(second.content.decode()) == ["간장", "국수"]


def test_the_cache_keeps_languages_apart(client: Client, food, local_cache):
    client.get(f"/categories/{food['food'].pk}/")
    client.cookies["okryu_language"] = "en"

    html = client.get(f"/categories/{food['food'].pk}/").content.decode()

    assert names_in(html) == ["Noodles", "Soy sauce"]
