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
