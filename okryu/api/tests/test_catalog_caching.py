"""Public catalog answers are kept briefly; callers with a token always get fresh ones."""

from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.test import Client

from okryu.accounts.tests.factories import UserFactory
from okryu.api.tokens import issue_token
from okryu.api.v1.caching import public_answer_key
from okryu.catalog.models import Product
from okryu.catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def real_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    cache.clear()
    yield
    cache.clear()


def test_a_repeated_public_product_list_is_answered_from_the_cache(
    django_assert_num_queries,
):
    product = ProductFactory.create(name="두부")
    first = Client().get(f"/api/v1/products?merchant={product.merchant_id}")

    with django_assert_num_queries(0):
        second = Client().get(f"/api/v1/products?merchant={product.merchant_id}")

    assert second.status_code == 200
    assert second.json() == first.json()
    assert second["Content-Type"] == first["Content-Type"]


def test_a_caller_with_a_token_is_never_served_from_the_cache():
    product = ProductFactory.create(name="두부")
    url = f"/api/v1/products/{product.pk}"
    Client().get(url)
    Product.objects.filter(pk=product.pk).update(name="순두부")

    token = issue_token(user=UserFactory.create()).token

    fresh = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(url)

    assert fresh.status_code == 200
    assert fresh.json()["name"] == "순두부"


def test_errors_are_not_kept():
    Client().get("/api/v1/products/999999")

    assert cache.get(public_answer_key("/api/v1/products/999999")) is None


@pytest.mark.parametrize(
    "query", ["두부" * 20, "두부 순두부", "tab\there", "{'x': [1.5, 'true']}"]
)
def test_any_search_text_is_answered_and_kept_under_a_key_every_cache_accepts(query):
    # Found by the fuzz run: the raw query in the key made the cache refuse long or odd ones.
    ProductFactory.create(name="두부")
    path = "/api/v1/products?" + urlencode({"q": query})

    answer = Client().get(path)

    assert answer.status_code == 200
    assert cache.get(public_answer_key(path)) is not None
