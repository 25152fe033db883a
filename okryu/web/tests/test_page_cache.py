"""Whole catalog pages are kept briefly for first-time visitors, with fresh form fields."""

import re
import uuid

import pytest
from django.core.cache import cache
from django.test import Client

from okryu.accounts.tests.factories import UserFactory
from okryu.catalog.services import receive_stock
from okryu.catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY = re.compile(r'name="idempotency_key" value="([0-9a-f]{32})"')


@pytest.fixture(autouse=True)
def real_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def noodles():
    product = ProductFactory.create(name="평양랭면", name_en="Pyongyang cold noodles")
    receive_stock(product_id=product.pk, quantity=5, changed_by=None)
    return product


def test_a_second_first_time_visitor_gets_the_page_without_a_query(
    noodles, django_assert_num_queries
):
    url = f"/products/{noodles.pk}/"
    first = Client().get(url)

    with django_assert_num_queries(0):
        second = Client().get(url)

    assert second.status_code == 200
    assert "평양랭면" in second.content.decode()
    assert first.content.decode().count(
        "csrfmiddlewaretoken"
    ) == second.content.decode().count("csrfmiddlewaretoken")


def test_each_cached_answer_carries_fresh_form_keys_and_a_working_csrf_token(noodles):
    url = f"/products/{noodles.pk}/"
    Client().get(url)
    visitor = Client(enforce_csrf_checks=True)

    page = visitor.get(url).content.decode()
    again = Client().get(url).content.decode()
    token_match = TOKEN.search(page)
    key_match = KEY.search(page)
    assert token_match is not None
    assert key_match is not None
    token = token_match.group(1)
    posted = visitor.post(
        "/basket/add/",
        {
            "csrfmiddlewaretoken": token,
            "idempotency_key": key_match.group(1),
            "product": noodles.pk,
            "quantity": "1",
        },
    )

    assert posted.status_code == 302
    assert set(KEY.findall(page)).isdisjoint(KEY.findall(again))


def test_a_visitor_with_a_basket_sees_their_own_header_not_the_cached_one(noodles):
    url = f"/products/{noodles.pk}/"
    Client().get(url)
    visitor = Client()
    visitor.post(
        "/basket/add/",
        {"idempotency_key": uuid.uuid4().hex, "product": noodles.pk, "quantity": "1"},
    )

    page = visitor.get(url).content.decode()

    assert '<span class="count">1</span>' in page


def test_a_signed_in_shopper_never_gets_the_visitors_page(noodles):
    url = f"/products/{noodles.pk}/"
    Client().get(url)
    shopper = Client()
    shopper.force_login(UserFactory.create())

    page = shopper.get(url).content.decode()

    assert "로그아웃" in page


def test_the_cache_keeps_each_language_apart(noodles):
    url = f"/products/{noodles.pk}/"
    Client().get(url)
    english = Client()
    english.cookies["okryu_language"] = "en"

    page = english.get(url).content.decode()

    assert "Pyongyang cold noodles" in page
    assert '<html lang="en">' in page


def test_a_missing_page_is_not_kept(noodles):
    Client().get("/products/999999/")

    assert cache.get("okryu:page:ko:/products/999999/") is None
