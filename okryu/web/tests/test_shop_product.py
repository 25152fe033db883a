"""The product page: price, stock, purchase limit, the basket form, and 404s."""

import re

import pytest
from django.test import Client

from okryu.catalog.services import receive_stock
from okryu.catalog.tests.factories import CategoryFactory, ProductFactory
from okryu.merchants.tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rice():
    grain = CategoryFactory.create(name="곡물", name_en="Grain")
    white = CategoryFactory.create(name="흰쌀", name_en="White rice", parent=grain)
    product = ProductFactory.create(
        merchant=MerchantFactory.create(
            name="평양곡물상점", name_en="Pyongyang Grain Store"
        ),
        category=white,
        name="흰쌀 10kg",
        name_en="White rice 10 kg",
        unit="포대",
        unit_en="sack",
        price_won=12345,
        purchase_limit_per_day=2,
        description="햅쌀입니다.",
        description_en="This year's rice.",
    )
    receive_stock(product_id=product.pk, quantity=7, changed_by=None)
    return product


def test_a_product_page_shows_price_stock_and_purchase_limit(client: Client, rice):
    response = client.get(f"/products/{rice.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>흰쌀 10kg</h1>" in html
    assert '<p class="big price">12,345원 <small>/ 포대</small></p>' in html
    assert "<dd>7개 남음</dd>" in html
    assert "<dd>한 사람이 하루에 2개까지</dd>" in html
    assert "평양곡물상점" in html
    assert "햅쌀입니다." in html
    assert f'href="/categories/{rice.category.parent_id}/">곡물</a>' in html
    assert f'href="/categories/{rice.category_id}/">흰쌀</a>' in html


def test_the_basket_form_posts_the_product_and_a_bounded_quantity(client: Client, rice):
    html = client.get(f"/products/{rice.pk}/").content.decode()

    form = re.search(
        r'<form class="add big" method="post" action="/basket/add/">(.*?)</form>', html
    )
    assert form is not None
    fields = form.group(1)
    assert 'name="csrfmiddlewaretoken"' in fields
    assert f'name="product" value="{rice.pk}"' in fields
    assert f'name="next" value="/products/{rice.pk}/"' in fields
    assert 'name="quantity" value="1" min="1" max="2" required' in fields


def test_a_product_page_in_english(client: Client, rice):
    client.cookies["okryu_language"] = "en"

    html = client.get(f"/products/{rice.pk}/").content.decode()

    assert "<h1>White rice 10 kg</h1>" in html
    assert "<small>/ sack</small>" in html
    assert "12,345원" in html
    assert "Pyongyang Grain Store" in html
    assert "This year&#x27;s rice." in html
    assert "<dd>2 per person per day</dd>" in html
    assert "<dd>7 left</dd>" in html


def test_a_product_without_a_limit_says_none(client: Client):
    product = ProductFactory.create(name="양말", purchase_limit_per_day=None)
    receive_stock(product_id=product.pk, quantity=1, changed_by=None)

    html = client.get(f"/products/{product.pk}/").content.decode()

    assert "<dt>구매 한도</dt><dd>없음</dd>" in html
    assert 'max="1" required' in html


def test_a_product_out_of_stock_has_no_basket_form(client: Client):
    product = ProductFactory.create(name="두부")

    html = client.get(f"/products/{product.pk}/").content.decode()

    assert "지금은 품절입니다." in html
    assert 'action="/basket/add/"' not in html


def test_a_product_page_costs_two_queries(
    client: Client, rice, django_assert_num_queries
):
    # The product with its merchant and category; the category tree for the breadcrumb.
    with django_assert_num_queries(2):
        response = client.get(f"/products/{rice.pk}/")

    assert response.status_code == 200


def test_an_unknown_product_is_a_friendly_404(client: Client):
    response = client.get("/products/999999/")

    assert response.status_code == 404
    assert "상품을 찾을 수 없습니다." in response.content.decode()


def test_a_withdrawn_product_is_a_404(client: Client):
    product = ProductFactory.create(is_active=False)

    response = client.get(f"/products/{product.pk}/")

    assert response.status_code == 404


def test_a_non_numeric_product_id_is_a_404(client: Client):
    response = client.get("/products/abc/")

    assert response.status_code == 404
