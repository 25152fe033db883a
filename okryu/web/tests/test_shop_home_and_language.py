"""The home page, the header, and the remembered English switch."""

import re

import pytest
from django.test import Client

from okryu.catalog.services import receive_stock
from okryu.catalog.tests.factories import CategoryFactory, ProductFactory
from okryu.merchants.models import MerchantKind
from okryu.merchants.tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf():
    noodles = CategoryFactory.create(name="국수", name_en="Noodles")
    CategoryFactory.create(name="냉면", name_en="Cold noodles", parent=noodles)
    house = MerchantFactory.create(
        name="옥류관", name_en="Okryu Restaurant", kind=MerchantKind.RESTAURANT
    )
    pharmacy = MerchantFactory.create(
        name="중앙약국", name_en="Central Pharmacy", kind=MerchantKind.PHARMACY
    )
    naengmyon = ProductFactory.create(
        merchant=house,
        category=noodles,
        name="평양랭면",
        name_en="Pyongyang cold noodles",
        unit="그릇",
        unit_en="bowl",
        price_won=1234,
    )
    receive_stock(product_id=naengmyon.pk, quantity=10, changed_by=None)
    return {
        "noodles": noodles,
        "house": house,
        "pharmacy": pharmacy,
        "naengmyon": naengmyon,
    }


def test_the_home_page_is_korean_by_default(client: Client, shelf):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ko">' in html
    assert response["Content-Language"] == "ko"
    assert "국수" in html
    assert "냉면" in html
    assert "옥류관" in html
    assert "중앙약국" in html
    assert "평양랭면" in html
    assert "1,234원" in html
    assert "식당" in html
    assert "약국" in html
    assert "English" in html


def test_the_home_page_offers_a_quantity_form_posting_to_the_basket(
    client: Client, shelf
):
    html = client.get("/").content.decode()

    form = re.search(
        r'<form class="add" method="post" action="/basket/add/">(.*?)</form>', html
    )
    assert form is not None
    assert 'name="csrfmiddlewaretoken"' in form.group(1)
    assert f'name="product" value="{shelf["naengmyon"].pk}"' in form.group(1)
    assert 'name="quantity" value="1"' in form.group(1)
    assert 'name="next" value="/"' in form.group(1)


def test_switching_to_english_redirects_back_and_is_remembered(client: Client, shelf):
    switched = client.post(
        "/language/", {"language": "en", "next": f"/products/{shelf['naengmyon'].pk}/"}
    )

    assert switched.status_code == 302
    assert switched["Location"] == f"/products/{shelf['naengmyon'].pk}/"
    cookie = switched.cookies["okryu_language"]
    assert cookie.value == "en"
    assert cookie["max-age"] == 365 * 24 * 60 * 60
    assert cookie["samesite"] == "Lax"
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Pyongyang cold noodles" in html
    assert "평양랭면" not in html
    assert "Noodles" in html
    assert "Okryu Restaurant" in html
    assert "Restaurant" in html
    assert "Search" in html
    assert "1,234원" in html
    assert "한국어" in html


def test_switching_back_to_korean_restores_korean(client: Client, shelf):
    client.post("/language/", {"language": "en", "next": "/"})

    client.post("/language/", {"language": "ko", "next": "/"})

    html = client.get("/").content.decode()
    assert '<html lang="ko">' in html
    assert "평양랭면" in html


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "javascript:alert(1)", ""],
    ids=["other-host", "scheme-relative", "javascript", "missing"],
)
def test_the_switch_never_redirects_off_the_site(client: Client, next_url):
    response = client.post("/language/", {"language": "en", "next": next_url})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_an_unknown_language_is_refused_and_changes_nothing(client: Client):
    response = client.post("/language/", {"language": "fr", "next": "/"})

    assert response.status_code == 400
    assert "okryu_language" not in response.cookies
    assert "알 수 없는 언어입니다." in response.content.decode()


def test_the_switch_only_answers_post(client: Client):
    response = client.get("/language/?language=en")

    assert response.status_code == 405
    assert "okryu_language" not in response.cookies


def test_the_switch_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)

    response = client.post("/language/", {"language": "en", "next": "/"})

    assert response.status_code == 403
    assert "okryu_language" not in response.cookies


def test_the_switch_works_with_the_token_from_the_page(shelf):
    client = Client(enforce_csrf_checks=True)
    html = client.get("/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token is not None

    response = client.post(
        "/language/",
        {"language": "en", "next": "/", "csrfmiddlewaretoken": token.group(1)},
    )

    assert response.status_code == 302
    assert response.cookies["okryu_language"].value == "en"


def test_a_garbage_language_cookie_falls_back_to_korean(client: Client):
    client.cookies["okryu_language"] = "xx"

    html = client.get("/").content.decode()

    assert '<html lang="ko">' in html


def test_the_header_links_to_basket_login_and_signup(client: Client):
    html = client.get("/").content.decode()

    assert 'href="/basket/"' in html
    assert 'href="/accounts/login/"' in html
    assert 'href="/accounts/signup/"' in html
    assert '<form class="search" method="get" action="/search/"' in html


def test_the_header_counts_the_basket_lines_after_adding(client: Client, shelf):
    added = client.post(
        "/basket/add/",
        {
            "product": shelf["naengmyon"].pk,
            "quantity": 2,
            "next": "/",
            "idempotency_key": "header-count-test",
        },
    )

    assert added.status_code == 302
    html = client.get("/").content.decode()
    assert '장바구니 <span class="count">1</span></a>' in html


def test_a_first_visit_costs_no_query_for_the_basket_badge(
    client: Client, shelf, django_assert_num_queries
):
    # The category tree, the merchants, their opening hours and the featured products.
    with django_assert_num_queries(4):
        html = client.get("/").content.decode()

    assert '<span class="count">' not in html
