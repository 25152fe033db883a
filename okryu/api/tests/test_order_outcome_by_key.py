"""Asking what became of a checkout by its key, instead of sending it again blindly."""

import pytest

from okryu.accounts.models import Role
from okryu.api.tests.support import assert_problem, bearer, make_person
from okryu.api.tests.test_orders_api import (
    BALANCE_WON,
    ORDERS_URL,
    central,
    checkout,
    funded_card,
    noodles,
    post_order,
    store,
    with_no_delivery,
)
from okryu.api.tokens import issue_token
from okryu.orders.models import Order

# Fixtures shared with the order routes' tests.
__all__ = ["central", "noodles", "store"]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def card(shopper):
    return funded_card(shopper, BALANCE_WON)


def test_the_key_of_a_placed_checkout_finds_exactly_its_order(
    api_client, shopper_token, card, noodles
):
    post_order(api_client, shopper_token, checkout(card, (noodles, 2)), key="other")
    placed = post_order(
        api_client, shopper_token, checkout(card, (noodles, 1)), key="lost-answer"
    ).json()

    response = api_client.get(
        ORDERS_URL, {"idempotency_key": "lost-answer"}, **bearer(shopper_token)
    )

    assert response.status_code == 200
    assert response.json() == {
        "items": [with_no_delivery(placed)],
        "next": None,
        "count": 1,
    }


def test_a_key_never_sent_finds_nothing_and_may_then_be_sent(
    api_client, shopper_token, card, noodles
):
    response = api_client.get(
        ORDERS_URL, {"idempotency_key": "never-arrived"}, **bearer(shopper_token)
    )

    assert response.json() == {"items": [], "next": None, "count": 0}
    sent = post_order(
        api_client, shopper_token, checkout(card, (noodles, 1)), key="never-arrived"
    )
    assert sent.status_code == 201
    assert Order.objects.count() == 1


def test_a_refused_checkout_leaves_its_key_finding_nothing(
    api_client, shopper_token, card, noodles
):
    refused = post_order(
        api_client, shopper_token, checkout(card, (noodles, 11)), key="too-many"
    )
    assert refused.status_code == 409

    response = api_client.get(
        ORDERS_URL, {"idempotency_key": "too-many"}, **bearer(shopper_token)
    )

    assert response.json()["count"] == 0


def test_another_shoppers_key_finds_nothing(api_client, shopper_token, card, noodles):
    post_order(api_client, shopper_token, checkout(card, (noodles, 1)), key="mine")
    other = make_person(Role.SHOPPER, username="shopper2")

    response = api_client.get(
        ORDERS_URL,
        {"idempotency_key": "mine"},
        **bearer(issue_token(user=other).token),
    )

    assert response.json() == {"items": [], "next": None, "count": 0}


def test_a_key_longer_than_any_key_is_422_invalid(api_client, shopper_token):
    response = api_client.get(
        ORDERS_URL, {"idempotency_key": "k" * 256}, **bearer(shopper_token)
    )

    assert_problem(response, status=422, code="invalid")
