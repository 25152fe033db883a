"""Every limited route works at its limit and answers 429 with Retry-After at the limit + 1.

Each test sets its limits to 2 and calls the route three times through the real views; the
counts are kept in the test database (the database store of okryu.core.rate_limits).
"""

import uuid
from typing import Any

import pytest
from django.test import Client

from okryu.accounts.models import Role, RoleGrant, User
from okryu.accounts.tests.factories import DistrictFactory, UserFactory
from okryu.api.tokens import issue_token
from okryu.core import rate_limits
from okryu.core.models import RateCounter
from okryu.merchants.models import MerchantStaff
from okryu.merchants.services import create_merchant_payment_request
from okryu.merchants.tests.factories import MerchantFactory
from okryu.payments.models import PaymentRequest
from okryu.payments.tests.counter_support import PIN, balance, funded_card

pytestmark = pytest.mark.django_db

PASSWORD = "okryu-demo"


@pytest.fixture(autouse=True)
def limits_of_two(settings):
    settings.OKRYU_RATE_LIMITS = {
        name: (2, window)
        for name, (_count, window) in settings.OKRYU_RATE_LIMITS.items()
    }


def person(*roles: Role) -> User:
    user: User = UserFactory.create()
    user.set_password(PASSWORD)
    user.save()
    for role in roles:
        RoleGrant.objects.create(user=user, role=role)
    return user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bearer(user: User) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user=user).token}"}


def assert_limited_on_the_third(statuses: list[Any]) -> None:
    *allowed, refused = statuses
    assert [response.status_code for response in allowed] != [429, 429]
    assert all(response.status_code != 429 for response in allowed)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 24 * 60 * 60


def assert_problem_429(response: Any) -> None:
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "rate_limited"
    assert body["retry_after"] == int(response["Retry-After"])


def test_the_token_route_is_limited_per_account():
    user = person(Role.SHOPPER)
    client = Client()

    answers = [
        client.post(
            "/api/v1/auth/token",
            {"username": user.username, "password": PASSWORD},
            content_type="application/json",
        )
        for _ in range(3)
    ]

    assert [answer.status_code for answer in answers[:2]] == [200, 200]
    assert_limited_on_the_third(answers)
    assert_problem_429(answers[2])


def test_sign_up_is_limited_per_phone_number():
    district = DistrictFactory.create()
    client = Client()

    def sign_up(number: int) -> Any:
        return client.post(
            "/accounts/signup/",
            {
                "username": f"newcomer{number}",
                "display_name": "김철수",
                "phone": "010-1234-5678",
                "password": "moranbong-1950",
                "password_again": "moranbong-1950",
                "district": district.pk,
                "detail": "아빠트 3-201",
            },
        )

    answers = [sign_up(number) for number in range(3)]

    assert [answer.status_code for answer in answers[:2]] == [302, 302]
    assert_limited_on_the_third(answers)
    assert "요청이 너무 많습니다" in answers[2].content.decode()
    assert User.objects.filter(username__startswith="newcomer").count() == 2


@pytest.mark.parametrize("signed", [True, False], ids=["per-account", "per-address"])
def test_the_search_page_is_limited(signed):
    client = signed_in(person(Role.SHOPPER)) if signed else Client()

    answers = [client.get("/search/", {"q": f"냉면{number}"}) for number in range(3)]

    assert [answer.status_code for answer in answers[:2]] == [200, 200]
    assert_limited_on_the_third(answers)


def test_the_search_route_is_limited_per_address():
    client = Client()

    answers = [
        client.get("/api/v1/products", {"q": f"두부{number}"}) for number in range(3)
    ]

    assert [answer.status_code for answer in answers[:2]] == [200, 200]
    assert_limited_on_the_third(answers)
    assert_problem_429(answers[2])


def test_listing_products_without_a_search_is_not_counted():
    client = Client()

    answers = [client.get("/api/v1/products") for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 200]


def merchant_staff() -> User:
    user = person(Role.MERCHANT)
    MerchantStaff.objects.create(merchant=MerchantFactory.create(), user=user)
    return user


def test_qr_creation_is_limited_per_account_on_the_api():
    headers = bearer(merchant_staff())
    client = Client()

    answers = [
        client.post(
            "/api/v1/qr-requests",
            {"amount": 12_000},
            content_type="application/json",
            **headers,
        )
        for _ in range(3)
    ]

    assert [answer.status_code for answer in answers[:2]] == [201, 201]
    assert_limited_on_the_third(answers)
    assert PaymentRequest.objects.count() == 2


def test_qr_creation_is_limited_per_account_on_the_page():
    client = signed_in(merchant_staff())

    answers = [
        client.post(
            "/cards/qr/new/",
            {"amount": "12000", "idempotency_key": uuid.uuid4().hex},
        )
        for _ in range(3)
    ]

    assert [answer.status_code for answer in answers[:2]] == [302, 302]
    assert_limited_on_the_third(answers)
    assert PaymentRequest.objects.count() == 2


def test_paying_a_qr_request_sends_an_sms_and_is_limited_per_card(settings):
    # The account may send many; the card's own limit is the one reached.
    settings.OKRYU_RATE_LIMITS = {
        **settings.OKRYU_RATE_LIMITS,
        "sms_account": (100, 3600),
    }
    holder = person(Role.SHOPPER)
    card = funded_card(holder, 50_000)
    merchant = MerchantFactory.create()
    headers = bearer(holder)
    client = Client()

    def pay(number: int) -> Any:
        request = create_merchant_payment_request(
            merchant_id=merchant.pk, amount_won=1_000
        )
        return client.post(
            f"/api/v1/qr-requests/{request.token}/approve",
            {"card": card.number, "pin": PIN},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"pay-{number}",
            **headers,
        )

    answers = [pay(number) for number in range(3)]

    assert [answer.status_code for answer in answers[:2]] == [200, 200]
    assert_limited_on_the_third(answers)
    assert balance(card) == 48_000


def test_placing_orders_sends_sms_and_is_limited_per_account_on_the_api():
    headers = bearer(person(Role.SHOPPER))
    client = Client()
    body = {
        "lines": [{"product": 999_999, "quantity": 1}],
        "address": {"district": "Central", "detail": "3-201"},
        "card": "9410000000000013",
        "pin": "1111",
    }

    answers = [
        client.post(
            "/api/v1/orders",
            body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"order-{number}",
            **headers,
        )
        for number in range(3)
    ]

    # An unknown product is 422 `invalid` (field `lines`), as API.md says.
    assert [answer.status_code for answer in answers[:2]] == [422, 422]
    assert_limited_on_the_third(answers)
    assert_problem_429(answers[2])


def test_cancelling_orders_is_limited_per_account_on_the_api():
    headers = bearer(person(Role.SHOPPER))
    client = Client()

    answers = [client.post("/api/v1/orders/999999/cancel", **headers) for _ in range(3)]

    assert [answer.status_code for answer in answers[:2]] == [404, 404]
    assert_limited_on_the_third(answers)


def test_a_window_that_ended_counts_again_from_one(settings):
    settings.OKRYU_RATE_LIMITS = {"search_address": (1, 60)}

    first = rate_limits.hit("search_address", "175.45.176.10")
    RateCounter.objects.update(expires_at="2000-01-01T00:00:00Z")
    again = rate_limits.counters().increment(
        RateCounter.objects.get().key,
        expires_at=RateCounter.objects.get().expires_at.replace(year=2100),
    )

    assert first == 1
    assert again == 1


def test_an_ipv6_address_counts_as_its_network():
    one = rate_limits.client_address({"REMOTE_ADDR": "2001:db8:1:2:aaaa::1"})
    other = rate_limits.client_address({"REMOTE_ADDR": "2001:db8:1:2:bbbb::9"})

    assert one == other == "2001:db8:1:2::/64"


def test_behind_one_trusted_proxy_the_forwarded_address_counts(settings):
    settings.OKRYU_TRUSTED_PROXY_HOPS = 1

    address = rate_limits.client_address(
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 175.45.176.10"}
    )

    assert address == "175.45.176.10"


def test_paying_qr_requests_on_the_page_is_limited_per_card(settings):
    settings.OKRYU_RATE_LIMITS = {
        **settings.OKRYU_RATE_LIMITS,
        "sms_account": (100, 3600),
    }
    holder = person(Role.SHOPPER)
    card = funded_card(holder, 50_000)
    merchant = MerchantFactory.create()
    client = signed_in(holder)

    def pay() -> Any:
        request = create_merchant_payment_request(
            merchant_id=merchant.pk, amount_won=1_000
        )
        return client.post(
            f"/pay/{request.token}/",
            {"card": card.number, "pin": PIN, "idempotency_key": uuid.uuid4().hex},
        )

    answers = [pay() for _ in range(3)]

    assert [answer.status_code for answer in answers[:2]] == [302, 302]
    assert_limited_on_the_third(answers)
    assert "요청이 너무 많습니다" in answers[2].content.decode()
    assert balance(card) == 48_000


@pytest.mark.django_db(transaction=True)
def test_cancelling_orders_on_the_page_is_limited_per_account():
    from okryu.accounts.tests.factories import ShopperFactory
    from okryu.orders.models import Order
    from okryu.web.tests.test_checkout_pages import stocked_product
    from okryu.web.tests.test_order_pages import place

    shopper = ShopperFactory.create()
    noodles = stocked_product(name="평양랭면", price_won=1_200)
    orders = [place(shopper, (noodles, 1)) for _ in range(3)]
    client = signed_in(shopper)

    answers = [
        client.post(f"/orders/{order.pk}/cancel/", {"confirm": "yes"})
        for order in orders
    ]

    assert [answer.status_code for answer in answers[:2]] == [302, 302]
    assert_limited_on_the_third(answers)
    assert Order.objects.get(pk=orders[2].pk).status == orders[2].status
