"""Whole catalog pages are kept briefly and shared by every visitor, each with their own
header and fresh form fields."""

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


def test_a_signed_in_shopper_gets_the_shared_page_with_their_own_menu(noodles):
    url = f"/products/{noodles.pk}/"
    Client().get(url)
    shopper = Client()
    shopper.force_login(UserFactory.create())

    page = shopper.get(url).content.decode()

    assert "로그아웃" in page
    assert "내 주문" in page
    assert 'href="/accounts/login/"' not in page
    assert "평양랭면" in page


def test_a_page_first_rendered_for_a_shopper_shows_a_visitor_nothing_of_theirs(noodles):
    url = f"/products/{noodles.pk}/"
    shopper = Client()
    shopper.force_login(UserFactory.create(username="rimsongchol"))
    shopper.post(
        "/basket/add/",
        {"idempotency_key": uuid.uuid4().hex, "product": noodles.pk, "quantity": "1"},
    )
    shopper.get(url)

    page = Client().get(url).content.decode()

    assert cache.get(f"okryu:page:ko:{url}") is not None
    assert "로그아웃" not in page
    assert 'class="count"' not in page
    assert 'href="/accounts/login/"' in page


def test_the_basket_count_in_the_header_follows_each_change_at_once(noodles):
    url = f"/products/{noodles.pk}/"
    shopper = Client()
    shopper.force_login(UserFactory.create())
    assert 'class="count"' not in shopper.get(url).content.decode()

    shopper.post(
        "/basket/add/",
        {"idempotency_key": uuid.uuid4().hex, "product": noodles.pk, "quantity": "2"},
    )

    assert '<span class="count">1</span>' in shopper.get(url).content.decode()


def test_a_signed_in_shopper_pays_for_the_cached_page_with_two_queries(
    noodles, settings, django_assert_num_queries
):
    # The session is read from the cache; the user and their roles are the two queries.
    settings.SESSION_ENGINE = "okryu.core.sessions"
    url = f"/products/{noodles.pk}/"
    shopper = Client()
    shopper.force_login(UserFactory.create())
    shopper.get(url)

    with django_assert_num_queries(2):
        page = shopper.get(url)

    assert "로그아웃" in page.content.decode()


def test_a_message_is_shown_once_to_its_visitor_and_never_kept_for_others(noodles):
    url = f"/products/{noodles.pk}/"
    Client().get(url)
    visitor = Client()
    refused = visitor.post(
        "/basket/add/",
        {"idempotency_key": uuid.uuid4().hex, "product": noodles.pk, "quantity": "99"},
    )
    assert refused.status_code == 302

    own = visitor.get(refused["Location"]).content.decode()
    other = Client().get(refused["Location"]).content.decode()

    assert 'class="messages"' in own
    assert 'class="messages"' not in other


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
