"""Search results: Korean-aware matches, pagination, and refused queries."""

import re

import pytest
from django.test import Client

from okryu.catalog.search import reindex_products
from okryu.catalog.services import receive_stock
from okryu.catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def noodles(settings):
    settings.OKRYU_PAGE_SIZE = 2
    made = [
        ProductFactory.create(
            name="평양랭면", name_en="Pyongyang cold noodles", price_won=3000
        ),
        ProductFactory.create(
            name="함흥냉면", name_en="Hamhung cold noodles", price_won=2500
        ),
        ProductFactory.create(
            name="냉면 사리", name_en="Cold noodle portion", price_won=800
        ),
        ProductFactory.create(name="두부", name_en="Tofu", price_won=1200),
    ]
    for product in made:
        receive_stock(product_id=product.pk, quantity=4, changed_by=None)
    reindex_products(product_ids=[product.pk for product in made])
    return made


def names_in(html: str) -> list[str]:
    return re.findall(r'<a class="name" href="/products/\d+/">([^<]+)</a>', html)


def test_a_search_finds_both_spellings_across_pages(client: Client, noodles):
    first = client.get("/search/", {"q": "냉면"})
    second = client.get("/search/", {"q": "냉면", "page": "2"})

    assert first.status_code == 200
    assert second.status_code == 200
    found = names_in(first.content.decode()) + names_in(second.content.decode())
    assert sorted(found) == ["냉면 사리", "평양랭면", "함흥냉면"]
    html = first.content.decode()
    assert "‘냉면’ 검색 결과" in html
    assert "3개" in html
    assert 'href="/search/?q=%EB%83%89%EB%A9%B4&amp;page=2" rel="next"' in html
    assert 'value="냉면"' in html  # the search box keeps the query


def test_search_results_show_prices_in_won_and_a_basket_form(client: Client, noodles):
    html = client.get("/search/", {"q": "두부"}).content.decode()

    assert names_in(html) == ["두부"]
    assert '<b class="price">1,200원</b>' in html
    assert f'name="product" value="{noodles[3].pk}"' in html
    assert 'action="/basket/add/"' in html


def test_search_results_in_english(client: Client, noodles):
    client.cookies["okryu_language"] = "en"

    html = client.get("/search/", {"q": "두부"}).content.decode()

    assert names_in(html) == ["Tofu"]
    assert "Results for ‘두부’" in html
    assert "1 product" in html


def test_a_search_without_matches_says_so(client: Client, noodles):
    response = client.get("/search/", {"q": "자전거"})

    assert response.status_code == 200
    assert "찾는 상품이 없습니다." in response.content.decode()


def test_an_empty_search_shows_the_help(client: Client):
    response = client.get("/search/")

    assert response.status_code == 200
    assert "첫소리(ㄹㅁ)로도 찾을 수 있습니다." in response.content.decode()


def test_a_ten_thousand_character_query_is_a_friendly_400(client: Client, noodles):
    response = client.get("/search/", {"q": "냉" * 10_000})

    assert response.status_code == 400
    html = response.content.decode()
    assert "검색어는 100자까지 쓸 수 있습니다." in html
    assert "냉" * 101 not in html


@pytest.mark.parametrize("page", ["-1", "abc", "0"])
def test_a_malformed_search_page_is_a_400(client: Client, noodles, page):
    response = client.get("/search/", {"q": "냉면", "page": page})

    assert response.status_code == 400
    assert "쪽 번호는 1 이상의 숫자여야 합니다." in response.content.decode()


def test_a_search_page_past_the_end_is_a_404(client: Client, noodles):
    response = client.get("/search/", {"q": "냉면", "page": "3"})

    assert response.status_code == 404


def test_a_query_is_escaped_in_the_page(client: Client):
    html = client.get("/search/", {"q": "<script>x</script>"}).content.decode()

    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_a_romanized_search_finds_the_korean_names(client: Client, noodles):
    for query in ("naengmyeon", "naengmyŏn", "raengmyon"):
        first = client.get("/search/", {"q": query}).content.decode()
        second = client.get("/search/", {"q": query, "page": "2"}).content.decode()

        assert sorted(names_in(first) + names_in(second)) == [
            "냉면 사리",
            "평양랭면",
            "함흥냉면",
        ], query
    assert names_in(client.get("/search/", {"q": "dubu"}).content.decode()) == ["두부"]


def search_box(html: str) -> str:
    found = re.search(r'<input type="search" name="q" value="([^"]*)"', html)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize(
    ("params", "status"),
    [
        pytest.param({"q": "냉면"}, 200, id="results"),
        pytest.param({"q": "없는상품"}, 200, id="no-results"),
        pytest.param({"q": "냉면", "page": "9"}, 404, id="past-the-last-page"),
        pytest.param({"q": "냉면", "page": "abc"}, 400, id="malformed-page"),
    ],
)
def test_the_query_stays_in_the_search_box(client: Client, noodles, params, status):
    response = client.get("/search/", params)

    assert response.status_code == status
    assert search_box(response.content.decode()) == params["q"]


def test_a_product_sold_by_several_merchants_is_listed_once_with_its_sellers(
    client: Client, noodles
):
    for price in (2800, 3100):
        ProductFactory.create(
            name="평양랭면", name_en="Pyongyang cold noodles", price_won=price
        )

    html = client.get("/search/", {"q": "평양랭면"}).content.decode()

    cheapest = ProductFactory._meta.model.objects.get(name="평양랭면", price_won=2800)
    sellers_url = f"/products/{cheapest.pk}/sellers/"
    assert html.count("평양랭면</a>") == 1
    assert f'<a href="{sellers_url}">3곳에서 판매</a>' in html
    assert '<b class="price">2,800원부터</b>' in html
    assert f'<a class="button add" href="{sellers_url}">가격 비교</a>' in html


def test_the_sellers_page_compares_every_merchants_price_cheapest_first(
    client: Client, noodles
):
    dearer = ProductFactory.create(name="평양랭면", price_won=3500)
    cheaper = ProductFactory.create(name="평양랭면", price_won=2000)
    receive_stock(product_id=cheaper.pk, quantity=2, changed_by=None)
    ProductFactory.create(name="평양랭면", price_won=100, is_active=False)

    response = client.get(f"/products/{dearer.pk}/sellers/")

    html = response.content.decode()
    assert response.status_code == 200
    prices = re.findall(r'<b class="price">([0-9,]+원)</b>', html)
    assert prices == ["2,000원", "3,000원", "3,500원"]
    assert f'name="product" value="{cheaper.pk}"' in html
    assert cheaper.merchant.name in html


def test_the_sellers_page_of_an_unknown_product_is_a_404(client: Client):
    assert client.get("/products/999999/sellers/").status_code == 404
