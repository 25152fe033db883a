"""Dishes over the API: option groups and portions left in the catalog, options in orders."""

import datetime as dt
from typing import Any

import pytest
import time_machine

from okryu.api.tests.support import assert_problem, bearer
from okryu.catalog.tests.factories import Noodles
from okryu.orders.models import Order
from okryu.orders.tests.builders import near_district
from okryu.orders.tests.dish_builders import (
    make_noodles,
    make_restaurant,
    portions_of,
)
from okryu.payments import ledger
from okryu.payments.cards import issue_card
from okryu.payments.models import Card

# place_order opens a durable transaction, which cannot nest in a test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)

PIN = "1234"
# 2026-12-01 12:00 in Pyongyang.
NOON = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _noon():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def noodles() -> Noodles:
    return make_noodles(make_restaurant(), capacity=5)


@pytest.fixture
def card(shopper) -> Card:
    card = issue_card(holder=shopper, phone="01012345678", pin=PIN)
    ledger.top_up(
        card_number=card.number, amount_won=200_000, transfer_id="dishes-api-top-up"
    )
    return card


def order_body(card: Card, *lines: dict[str, Any]) -> dict[str, Any]:
    return {
        "lines": list(lines),
        "address": {"district": near_district().pk, "detail": "Apartment 3-201"},
        "card": card.number,
        "pin": PIN,
    }


def test_a_dish_shows_its_option_groups_and_the_portions_left_today(
    api_client, noodles
):
    body = api_client.get(f"/api/v1/products/{noodles.dish.pk}").json()

    assert (body["available"], body["daily_capacity"], body["sold_out"]) == (
        5,
        5,
        False,
    )
    assert body["option_groups"] == [
        {
            "id": noodles.portion.pk,
            "name": "양",
            "name_en": "Portion",
            "choice": "one",
            "options": [
                {
                    "id": noodles.regular.pk,
                    "name": "보통",
                    "name_en": "Regular",
                    "price_change": 0,
                },
                {
                    "id": noodles.large.pk,
                    "name": "곱빼기",
                    "name_en": "Large",
                    "price_change": 2_000,
                },
            ],
        },
        {
            "id": noodles.extras.pk,
            "name": "추가",
            "name_en": "Extras",
            "choice": "any",
            "options": [
                {
                    "id": noodles.noodles.pk,
                    "name": "사리 추가",
                    "name_en": "Extra noodles",
                    "price_change": 1_500,
                },
                {
                    "id": noodles.egg.pk,
                    "name": "계란 추가",
                    "name_en": "Extra egg",
                    "price_change": 500,
                },
            ],
        },
    ]


def test_an_order_with_options_is_priced_with_them_and_shows_them(
    api_client, shopper_token, card, noodles
):
    response = api_client.post(
        "/api/v1/orders",
        order_body(
            card,
            {
                "product": noodles.dish.pk,
                "quantity": 2,
                "options": [noodles.egg.pk, noodles.large.pk],
                "price": 14_500,
            },
        ),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k",
        **bearer(shopper_token),
    )

    assert response.status_code == 201, response.content
    [line] = response.json()["fulfilments"][0]["lines"]
    assert (line["price"], line["total"], line["options"], line["options_en"]) == (
        14_500,
        29_000,
        "곱빼기, 계란 추가",
        "Large, Extra egg",
    )
    assert portions_of(noodles.dish) == (dt.date(2026, 12, 1), 2)
    detail = api_client.get(
        f"/api/v1/orders/{response.json()['id']}", **bearer(shopper_token)
    ).json()
    assert detail["fulfilments"][0]["lines"][0]["options"] == "곱빼기, 계란 추가"
    listing = api_client.get(f"/api/v1/products/{noodles.dish.pk}").json()
    assert listing["available"] == 3


def test_an_option_of_another_dish_is_422_invalid_on_options_and_changes_nothing(
    api_client, shopper_token, card, noodles
):
    other = make_noodles(make_restaurant())

    response = api_client.post(
        "/api/v1/orders",
        order_body(
            card,
            {
                "product": noodles.dish.pk,
                "quantity": 1,
                "options": [noodles.regular.pk, other.egg.pk],
            },
        ),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k",
        **bearer(shopper_token),
    )

    problem = assert_problem(response, status=422, code="invalid")
    assert problem["field"] == "options"
    assert Order.objects.count() == 0
    assert portions_of(noodles.dish) == (None, 0)


def test_a_missing_required_choice_is_422_invalid_on_options(
    api_client, shopper_token, card, noodles
):
    response = api_client.post(
        "/api/v1/orders",
        order_body(card, {"product": noodles.dish.pk, "quantity": 1}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k",
        **bearer(shopper_token),
    )

    problem = assert_problem(response, status=422, code="invalid")
    assert (problem["field"], problem["detail"]) == (
        "options",
        "양에서 하나를 고르십시오.",
    )
    assert Order.objects.count() == 0
