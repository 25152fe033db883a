"""The waitlist routes of API.md "Waitlists and insights" over the test client."""

import datetime as dt

import pytest
import time_machine

from okryu.accounts.models import Role, User
from okryu.accounts.phone_verification import record_verified_phone
from okryu.api.tests.support import (
    assert_problem,
    bearer,
    make_person,
    new_product,
)
from okryu.api.tokens import issue_token
from okryu.catalog.models import Product
from okryu.catalog.services import receive_stock

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)


def waitlist_url(product: Product) -> str:
    return f"/api/v1/products/{product.pk}/waitlist"


@pytest.fixture
def sold_out() -> Product:
    return new_product(name="고급 비누", name_en="Fine soap")


@pytest.fixture(autouse=True)
def phone_verified(shopper: User) -> None:
    """The shopper's phone was confirmed by an SMS code: offers are told on it."""
    record_verified_phone(user_id=shopper.pk)


def verified_shopper() -> User:
    person = make_person(Role.SHOPPER)
    record_verified_phone(user_id=person.pk)
    return person


def test_joining_a_sold_out_products_waitlist_answers_201_with_the_entry(
    api_client, shopper_token, sold_out
):
    response = api_client.post(
        waitlist_url(sold_out),
        {"quantity": 2},
        content_type="application/json",
        **bearer(shopper_token),
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert {
        key: body[key] for key in ("product", "quantity", "position", "status")
    } == {
        "product": sold_out.pk,
        "quantity": 2,
        "position": 1,
        "status": "waiting",
    }
    assert isinstance(body["id"], int)
    assert body["offered_until"] is None


def test_asking_again_answers_200_with_the_same_entry(
    api_client, shopper_token, sold_out
):
    first = api_client.post(
        waitlist_url(sold_out),
        {"quantity": 2},
        content_type="application/json",
        **bearer(shopper_token),
    )
    again = api_client.post(
        waitlist_url(sold_out),
        {"quantity": 2},
        content_type="application/json",
        **bearer(shopper_token),
    )

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]


def test_the_second_shopper_waits_in_position_two(api_client, shopper_token, sold_out):
    api_client.post(
        waitlist_url(sold_out),
        {"quantity": 1},
        content_type="application/json",
        **bearer(shopper_token),
    )
    second = issue_token(user=verified_shopper()).token

    response = api_client.post(
        waitlist_url(sold_out),
        {"quantity": 1},
        content_type="application/json",
        **bearer(second),
    )

    assert response.json()["position"] == 2


def test_a_product_that_can_be_ordered_is_409_in_stock(
    api_client, shopper_token, sold_out
):
    receive_stock(product_id=sold_out.pk, quantity=3, changed_by=None)

    response = api_client.post(
        waitlist_url(sold_out),
        {"quantity": 1},
        content_type="application/json",
        **bearer(shopper_token),
    )

    assert_problem(response, status=409, code="in_stock")


def test_a_shopper_whose_phone_no_code_confirmed_is_403_phone_not_verified(
    api_client, sold_out
):
    unconfirmed = issue_token(user=make_person(Role.SHOPPER)).token

    response = api_client.post(
        waitlist_url(sold_out),
        {"quantity": 1},
        content_type="application/json",
        **bearer(unconfirmed),
    )

    body = assert_problem(response, status=403, code="phone_not_verified")
    assert body["field"] == "phone"
    assert (
        api_client.get("/api/v1/waitlist", **bearer(unconfirmed)).json()["count"] == 0
    )


def test_more_than_one_shopper_may_buy_is_409_over_limit_with_the_limit(
    api_client, shopper_token, sold_out
):
    Product.objects.filter(pk=sold_out.pk).update(purchase_limit_per_day=2)

    response = api_client.post(
        waitlist_url(sold_out),
        {"quantity": 3},
        content_type="application/json",
        **bearer(shopper_token),
    )

    body = assert_problem(response, status=409, code="over_limit")
    assert body["limit"] == 2
    assert (
        api_client.get("/api/v1/waitlist", **bearer(shopper_token)).json()["count"] == 0
    )


@pytest.mark.parametrize(
    "body", [{"quantity": 0}, {"quantity": "1"}, {}, {"quantity": 1, "x": 1}]
)
def test_a_malformed_body_is_422_invalid(api_client, shopper_token, sold_out, body):
    response = api_client.post(
        waitlist_url(sold_out),
        body,
        content_type="application/json",
        **bearer(shopper_token),
    )

    assert_problem(response, status=422, code="invalid")


def test_an_unknown_product_is_404(api_client, shopper_token):
    response = api_client.post(
        "/api/v1/products/999999/waitlist",
        {"quantity": 1},
        content_type="application/json",
        **bearer(shopper_token),
    )

    assert_problem(response, status=404, code="not_found")


def test_only_shoppers_join_waitlists(api_client, operator_token, sold_out):
    anonymous = api_client.post(
        waitlist_url(sold_out), {"quantity": 1}, content_type="application/json"
    )
    operator = api_client.post(
        waitlist_url(sold_out),
        {"quantity": 1},
        content_type="application/json",
        **bearer(operator_token),
    )

    assert_problem(anonymous, status=401, code="unauthenticated")
    assert_problem(operator, status=403, code="forbidden")


@time_machine.travel(START, tick=False)
def test_the_waitlist_lists_own_entries_with_the_offer_and_its_time(
    api_client, shopper_token, sold_out
):
    other = new_product()
    for product in (sold_out, other):
        api_client.post(
            waitlist_url(product),
            {"quantity": 1},
            content_type="application/json",
            **bearer(shopper_token),
        )
    someone_else = issue_token(user=verified_shopper()).token
    api_client.post(
        waitlist_url(other),
        {"quantity": 1},
        content_type="application/json",
        **bearer(someone_else),
    )
    receive_stock(product_id=sold_out.pk, quantity=1, changed_by=None)

    response = api_client.get("/api/v1/waitlist", **bearer(shopper_token))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    by_product = {item["product"]: item for item in body["items"]}
    assert by_product[sold_out.pk]["status"] == "offered"
    assert by_product[sold_out.pk]["offered_quantity"] == 1
    assert by_product[sold_out.pk]["offered_until"] == "2026-12-07T03:00:00Z"
    assert by_product[sold_out.pk]["position"] is None
    assert by_product[other.pk]["status"] == "waiting"


def test_cancelling_an_entry_answers_it_cancelled_and_another_shoppers_is_404(
    api_client, shopper_token, sold_out
):
    entry = api_client.post(
        waitlist_url(sold_out),
        {"quantity": 1},
        content_type="application/json",
        **bearer(shopper_token),
    ).json()
    someone_else = issue_token(user=make_person(Role.SHOPPER)).token

    foreign = api_client.post(
        f"/api/v1/waitlist/{entry['id']}/cancel", **bearer(someone_else)
    )
    own = api_client.post(
        f"/api/v1/waitlist/{entry['id']}/cancel", **bearer(shopper_token)
    )

    assert_problem(foreign, status=404, code="not_found")
    assert own.status_code == 200
    assert own.json()["status"] == "cancelled"
