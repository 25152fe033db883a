"""The "입고 알림" form on sold-out products, my waitlist page, and what they record."""

import datetime as dt

import pytest
import time_machine
from django.test import Client, override_settings

from okryu.accounts.models import Role, RoleGrant, User
from okryu.accounts.phone_verification import record_verified_phone
from okryu.accounts.tests.factories import UserFactory
from okryu.catalog.models import (
    EmptySearch,
    Product,
    SoldOutView,
    WaitlistEntry,
    WaitlistStatus,
)
from okryu.catalog.services import receive_stock
from okryu.catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def soap() -> Product:
    product = ProductFactory.create(name="고급 비누", name_en="Fine soap")
    assert isinstance(product, Product)
    return product


def signed_in(*, phone_verified: bool = True) -> tuple[Client, User]:
    user = UserFactory.create()
    assert isinstance(user, User)
    RoleGrant.objects.create(user=user, role=Role.SHOPPER)
    if phone_verified:
        record_verified_phone(user_id=user.pk)
    client = Client()
    client.force_login(user)
    return client, user


def test_a_sold_out_product_offers_a_signed_in_shopper_the_waitlist_form(soap):
    client, _user = signed_in()

    html = client.get(f"/products/{soap.pk}/").content.decode()

    assert f'action="/waitlist/join/{soap.pk}/"' in html
    assert ">입고 알림</button>" in html


def test_a_visitor_who_asks_signs_in_first_and_comes_back_to_the_product(soap):
    html = Client().get(f"/products/{soap.pk}/").content.decode()
    response = Client().post(f"/waitlist/join/{soap.pk}/", {"quantity": "1"})

    assert f'action="/waitlist/join/{soap.pk}/"' in html
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert WaitlistEntry.objects.count() == 0
    client, _user = signed_in()
    assert (
        client.get(f"/waitlist/join/{soap.pk}/")["Location"] == f"/products/{soap.pk}/"
    )


def test_a_product_in_stock_has_no_waitlist_form(soap):
    receive_stock(product_id=soap.pk, quantity=2, changed_by=None)
    client, _user = signed_in()

    html = client.get(f"/products/{soap.pk}/").content.decode()

    assert "/waitlist/join/" not in html


@time_machine.travel(START, tick=False)
def test_joining_shows_my_waitlist_with_my_place_and_then_the_offer(soap):
    client, user = signed_in()

    response = client.post(f"/waitlist/join/{soap.pk}/", {"quantity": "2"}, follow=True)

    html = response.content.decode()
    assert response.status_code == 200
    assert "입고되면 문자로 알려 드립니다." in html
    assert "기다리는 중 (1번째)" in html
    assert WaitlistEntry.objects.get(shopper=user).quantity == 2

    receive_stock(product_id=soap.pk, quantity=5, changed_by=None)
    html = client.get("/waitlist/").content.decode()
    assert "2개를 12-07 12:00까지 맡아 둠" in html


def test_joining_while_in_stock_goes_back_to_the_product_with_the_reason(soap):
    receive_stock(product_id=soap.pk, quantity=2, changed_by=None)
    client, _user = signed_in()

    response = client.post(f"/waitlist/join/{soap.pk}/", {"quantity": "1"}, follow=True)

    assert response.redirect_chain[-1][0] == f"/products/{soap.pk}/"
    assert "지금 주문할 수 있는 상품입니다." in response.content.decode()
    assert WaitlistEntry.objects.count() == 0


def test_an_unconfirmed_phone_is_sent_to_the_page_that_confirms_it(soap):
    client, _user = signed_in(phone_verified=False)

    response = client.post(f"/waitlist/join/{soap.pk}/", {"quantity": "1"}, follow=True)

    assert response.redirect_chain[-1][0] == "/accounts/phone/"
    assert "입고 알림은 확인된 전화번호로 보냅니다." in response.content.decode()
    assert WaitlistEntry.objects.count() == 0


def test_asking_for_more_than_one_person_may_buy_says_the_limit_in_english_too(soap):
    Product.objects.filter(pk=soap.pk).update(purchase_limit_per_day=2)
    client, _user = signed_in()
    client.cookies["okryu_language"] = "en"

    response = client.post(f"/waitlist/join/{soap.pk}/", {"quantity": "3"}, follow=True)

    assert response.redirect_chain[-1][0] == f"/products/{soap.pk}/"
    assert "One person may buy at most 2 of this product." in response.content.decode()
    assert WaitlistEntry.objects.count() == 0


def test_cancelling_from_my_waitlist_closes_the_entry(soap):
    client, user = signed_in()
    client.post(f"/waitlist/join/{soap.pk}/", {"quantity": "1"})
    entry = WaitlistEntry.objects.get(shopper=user)

    response = client.post(f"/waitlist/{entry.pk}/cancel/", follow=True)

    assert "입고 알림을 취소했습니다." in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.CANCELLED


def test_another_shoppers_entry_cannot_be_cancelled_from_the_page(soap):
    owner, user = signed_in()
    owner.post(f"/waitlist/join/{soap.pk}/", {"quantity": "1"})
    entry = WaitlistEntry.objects.get(shopper=user)
    stranger, _stranger = signed_in()

    response = stranger.post(f"/waitlist/{entry.pk}/cancel/")

    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.WAITING


def test_my_waitlist_needs_a_sign_in():
    response = Client().get("/waitlist/")

    assert response.status_code == 302


@time_machine.travel(START, tick=False)
def test_views_of_a_sold_out_product_are_counted_per_day_and_not_per_person(soap):
    first, _one = signed_in()
    second, _two = signed_in()

    first.get(f"/products/{soap.pk}/")
    first.get(f"/products/{soap.pk}/")
    second.get(f"/products/{soap.pk}/")

    assert list(SoldOutView.objects.values_list("product_id", "day", "count")) == [
        (soap.pk, dt.date(2026, 12, 7), 3)
    ]
    assert [field.name for field in SoldOutView._meta.get_fields()] == [
        "id",
        "product",
        "day",
        "count",
    ]


@time_machine.travel(START, tick=False)
def test_searches_that_found_nothing_are_counted_by_their_words(soap):
    client, _user = signed_in()

    client.get("/search/", {"q": "자전거  바퀴"})
    client.get("/search/", {"q": "자전거 바퀴"})
    client.get("/search/", {"q": "비누"})

    assert list(EmptySearch.objects.values_list("query", "count")) == [
        ("자전거 바퀴", 2)
    ]


@time_machine.travel(START, tick=False)
@override_settings(
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
)
def test_views_served_from_the_page_cache_count_too_and_hide_the_mark(soap):
    from django.core.cache import cache

    cache.clear()
    first = Client().get(f"/products/{soap.pk}/")
    second = Client().get(f"/products/{soap.pk}/")

    assert SoldOutView.objects.get(product=soap).count == 2
    assert b"okryu-demand" not in first.content + second.content
