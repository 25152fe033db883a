"""The shopper's order routes over the test client: shapes, refusals, exactly-once, access."""

import datetime as dt
from typing import Any

import pytest
import time_machine

from okryu.accounts.models import Role, User
from okryu.api.tests.support import (
    assert_problem,
    bearer,
    make_person,
    new_district,
    new_merchant,
    new_product,
)
from okryu.api.tokens import issue_token
from okryu.catalog.models import Product
from okryu.catalog.services import receive_stock
from okryu.core.clock import PYONGYANG
from okryu.core.models import IdempotencyRecord
from okryu.merchants.models import MerchantStaff, OpeningHours
from okryu.orders.models import DailyPurchase, Fulfilment, Order, OrderLine
from okryu.payments import ledger
from okryu.payments.cards import block_card, issue_card
from okryu.payments.models import Card, LedgerAccount, Transfer
from okryu.payments.tests.builders import make_teller

# place_order opens a durable transaction, which cannot nest in a test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)

ORDERS_URL = "/api/v1/orders"
PIN = "1234"
PRICE_WON = 8_000
BALANCE_WON = 200_000


@pytest.fixture
def central():
    return new_district(code="central", name="중구역", name_en="Central")


@pytest.fixture
def store(central):
    return new_merchant(district=central)


@pytest.fixture
def noodles(store) -> Product:
    product = new_product(merchant=store, price_won=PRICE_WON, name="냉면")
    return receive_stock(product_id=product.pk, quantity=10, changed_by=None)


@pytest.fixture
def card(shopper) -> Card:
    return funded_card(shopper, BALANCE_WON)


def funded_card(holder: User, amount_won: int) -> Card:
    card = issue_card(holder=holder, phone="01012345678", pin=PIN)
    if amount_won:
        ledger.top_up(
            card_number=card.number,
            amount_won=amount_won,
            transfer_id=f"top-up-{card.number}",
        )
    return card


def checkout(
    card: Card, *lines: tuple[Product, int], district: object = "Central"
) -> dict[str, Any]:
    return {
        "lines": [
            {"product": product.pk, "quantity": quantity} for product, quantity in lines
        ],
        "address": {"district": district, "detail": "Apartment 3-201"},
        "card": card.number,
        "pin": PIN,
    }


def post_order(client, token: str, body: dict[str, Any], *, key: str | None = "k-1"):
    headers: dict[str, Any] = {**bearer(token)}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(ORDERS_URL, body, content_type="application/json", **headers)


def snapshot() -> dict[str, Any]:
    """Everything a refused checkout must leave as it was."""
    return {
        "stock": list(
            Product.objects.order_by("pk").values_list(
                "pk", "stock_on_hand", "stock_reserved", "stock_sold"
            )
        ),
        "accounts": list(
            LedgerAccount.objects.order_by("pk").values_list(
                "pk", "balance_won", "held_won"
            )
        ),
        "orders": Order.objects.count(),
        "fulfilments": Fulfilment.objects.count(),
        "lines": OrderLine.objects.count(),
        "transfers": Transfer.objects.count(),
        "keys": IdempotencyRecord.objects.count(),
        "daily_purchases": list(
            DailyPurchase.objects.values_list("quantity", flat=True)
        ),
    }


def test_a_checkout_answers_201_with_the_order_as_the_contract_shows_it(
    api_client, shopper_token, card, noodles, store
):
    response = post_order(api_client, shopper_token, checkout(card, (noodles, 2)))

    assert response.status_code == 201, response.content
    body = response.json()
    order = Order.objects.get()
    fulfilment = Fulfilment.objects.get()
    assert body["id"] == order.pk
    assert body["status"] == "placed"
    assert body["items_total"] == 2 * PRICE_WON
    assert body["total"] == body["items_total"] + body["delivery_fee"]
    assert body["payment"] == {"status": "held", "amount": body["total"]}
    assert [
        {key: fulfilment_body[key] for key in ("id", "merchant", "status", "lines")}
        for fulfilment_body in body["fulfilments"]
    ] == [
        {
            "id": fulfilment.pk,
            "merchant": store.pk,
            "status": "placed",
            "lines": [
                {
                    "product": noodles.pk,
                    "name": "냉면",
                    "name_en": noodles.name_en,
                    "quantity": 2,
                    "price": PRICE_WON,
                    "total": 2 * PRICE_WON,
                    "options": "",
                    "options_en": "",
                }
            ],
        }
    ]
    noodles.refresh_from_db()
    assert (noodles.stock_on_hand, noodles.stock_reserved) == (10, 2)
    account = LedgerAccount.objects.get(pk=card.ledger_account_id)
    assert (account.balance_won, account.held_won) == (BALANCE_WON, body["total"])


@pytest.mark.parametrize("district", ["Central", "central", "CENTRAL", "중구역"])
def test_the_district_may_be_named_in_english_any_case_in_korean_or_by_code(
    api_client, shopper_token, card, noodles, central, district
):
    response = post_order(
        api_client, shopper_token, checkout(card, (noodles, 1), district=district)
    )

    assert response.status_code == 201, response.content
    assert Order.objects.get().district_id == central.pk


def test_the_district_may_be_given_by_id(
    api_client, shopper_token, card, noodles, central
):
    response = post_order(
        api_client, shopper_token, checkout(card, (noodles, 1), district=central.pk)
    )

    assert response.status_code == 201, response.content


def test_an_unknown_district_is_422_on_the_address_and_changes_nothing(
    api_client, shopper_token, card, noodles
):
    before = snapshot()

    response = post_order(
        api_client, shopper_token, checkout(card, (noodles, 1), district="Atlantis")
    )

    body = assert_problem(response, status=422, code="invalid")
    assert body["field"] == "address.district"
    assert snapshot() == before


def test_a_checkout_without_an_idempotency_key_is_400_and_changes_nothing(
    api_client, shopper_token, card, noodles
):
    before = snapshot()

    response = post_order(
        api_client, shopper_token, checkout(card, (noodles, 1)), key=None
    )

    assert_problem(response, status=400, code="idempotency_key_required")
    assert snapshot() == before


def test_twenty_repeats_of_a_checkout_answer_the_same_body_and_make_one_order(
    api_client, shopper_token, card, noodles
):
    body = checkout(card, (noodles, 2))
    first = post_order(api_client, shopper_token, body, key="same")
    after_first = snapshot()

    repeats = [
        post_order(api_client, shopper_token, body, key="same") for _ in range(20)
    ]

    assert first.status_code == 201
    assert [response.status_code for response in repeats] == [201] * 20
    assert {response.content for response in repeats} == {first.content}
    assert all(response["Idempotent-Replayed"] == "true" for response in repeats)
    assert snapshot() == after_first
    assert Order.objects.count() == 1


def test_a_key_used_again_with_another_body_is_422_and_changes_nothing(
    api_client, shopper_token, card, noodles
):
    post_order(api_client, shopper_token, checkout(card, (noodles, 1)), key="k")
    before = snapshot()

    response = post_order(
        api_client, shopper_token, checkout(card, (noodles, 3)), key="k"
    )

    assert_problem(response, status=422, code="idempotency_key_reused")
    assert snapshot() == before


def test_one_shoppers_key_does_not_replay_another_shoppers_order(
    api_client, shopper_token, card, noodles
):
    other = make_person(Role.SHOPPER, username="shopper2")
    other_card = funded_card(other, BALANCE_WON)
    first = post_order(api_client, shopper_token, checkout(card, (noodles, 1)), key="k")

    second = post_order(
        api_client,
        issue_token(user=other).token,
        checkout(other_card, (noodles, 1)),
        key="k",
    )

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]


def test_more_than_is_available_is_409_out_of_stock_and_changes_nothing(
    api_client, shopper_token, card, noodles
):
    before = snapshot()

    response = post_order(api_client, shopper_token, checkout(card, (noodles, 11)))

    assert_problem(response, status=409, code="out_of_stock")
    assert snapshot() == before


def test_a_refused_key_may_be_used_again_once_the_refusal_is_fixed(
    api_client, shopper_token, card, noodles
):
    body = checkout(card, (noodles, 11))
    assert post_order(api_client, shopper_token, body, key="k").status_code == 409
    receive_stock(product_id=noodles.pk, quantity=5, changed_by=None)

    response = post_order(api_client, shopper_token, body, key="k")

    assert response.status_code == 201, response.content


def test_more_than_the_daily_limit_is_409_over_limit_and_changes_nothing(
    api_client, shopper_token, card, noodles
):
    Product.objects.filter(pk=noodles.pk).update(purchase_limit_per_day=2)
    before = snapshot()

    response = post_order(api_client, shopper_token, checkout(card, (noodles, 3)))

    assert_problem(response, status=409, code="over_limit")
    assert snapshot() == before


def test_a_price_other_than_the_one_seen_is_409_price_changed_with_both_figures(
    api_client, shopper_token, card, noodles
):
    body = checkout(card, (noodles, 1))
    body["lines"][0]["price"] = PRICE_WON - 1_000
    before = snapshot()

    response = post_order(api_client, shopper_token, body)

    problem = assert_problem(response, status=409, code="price_changed")
    assert (problem["product"], problem["price_seen"], problem["price_now"]) == (
        noodles.pk,
        PRICE_WON - 1_000,
        PRICE_WON,
    )
    assert snapshot() == before


def test_the_price_seen_when_it_is_still_the_price_is_accepted(
    api_client, shopper_token, card, noodles
):
    body = checkout(card, (noodles, 1))
    body["lines"][0]["price"] = PRICE_WON

    assert post_order(api_client, shopper_token, body).status_code == 201


def test_a_card_without_enough_money_is_402_and_changes_nothing(
    api_client, shopper, shopper_token, noodles
):
    poor_card = funded_card(shopper, PRICE_WON - 1)
    before = snapshot()

    response = post_order(api_client, shopper_token, checkout(poor_card, (noodles, 1)))

    assert_problem(response, status=402, code="insufficient_funds")
    assert snapshot() == before


def test_a_wrong_pin_is_403_with_the_attempts_left_and_changes_nothing_else(
    api_client, shopper_token, card, noodles
):
    body = checkout(card, (noodles, 1))
    body["pin"] = "9999"
    before = snapshot()

    first = post_order(api_client, shopper_token, body, key="a")
    second = post_order(api_client, shopper_token, body, key="b")

    assert assert_problem(first, status=403, code="wrong_pin")["attempts_left"] == 2
    assert assert_problem(second, status=403, code="wrong_pin")["attempts_left"] == 1
    assert snapshot() == before


def test_a_third_wrong_pin_locks_the_card_and_then_even_the_right_pin_is_refused(
    api_client, shopper_token, card, noodles
):
    wrong = checkout(card, (noodles, 1))
    wrong["pin"] = "9999"
    for attempt in range(3):
        post_order(api_client, shopper_token, wrong, key=f"wrong-{attempt}")
    before = snapshot()

    response = post_order(api_client, shopper_token, checkout(card, (noodles, 1)))

    assert_problem(response, status=403, code="card_locked")
    assert snapshot() == before


def test_a_blocked_card_is_403_card_blocked_and_changes_nothing(
    api_client, shopper_token, card, noodles
):
    block_card(card_number=card.number, reason="lost", actor=make_teller())
    before = snapshot()

    response = post_order(api_client, shopper_token, checkout(card, (noodles, 1)))

    assert_problem(response, status=403, code="card_blocked")
    assert snapshot() == before


def test_an_unknown_product_is_422_invalid_and_changes_nothing(
    api_client, shopper_token, card, noodles
):
    body = checkout(card, (noodles, 1))
    body["lines"][0]["product"] = noodles.pk + 1000
    before = snapshot()

    response = post_order(api_client, shopper_token, body)

    problem = assert_problem(response, status=422, code="invalid")
    assert problem["field"] == "lines"
    assert snapshot() == before


@pytest.mark.parametrize("quantity", [0, -1, "two", 1.5])
def test_a_quantity_that_is_not_a_positive_integer_is_422_on_that_line(
    api_client, shopper_token, card, noodles, quantity
):
    body = checkout(card, (noodles, 1))
    body["lines"][0]["quantity"] = quantity
    before = snapshot()

    response = post_order(api_client, shopper_token, body)

    problem = assert_problem(response, status=422, code="invalid")
    assert problem["field"] == "lines.0.quantity"
    assert snapshot() == before


def test_checkout_needs_a_token(api_client, card, noodles):
    response = api_client.post(
        ORDERS_URL,
        checkout(card, (noodles, 1)),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k",
    )

    assert_problem(response, status=401, code="unauthenticated")


def test_checkout_is_refused_to_someone_without_the_shopper_role(
    api_client, card, noodles, store
):
    staff = make_person(Role.MERCHANT, username="store1")
    MerchantStaff.objects.create(merchant=store, user=staff)
    before = snapshot()

    response = post_order(
        api_client, issue_token(user=staff).token, checkout(card, (noodles, 1))
    )

    assert_problem(response, status=403, code="forbidden")
    assert snapshot() == before


def test_the_order_list_shows_the_callers_orders_only_newest_first(
    api_client, shopper_token, card, noodles
):
    other = make_person(Role.SHOPPER, username="shopper2")
    other_card = funded_card(other, BALANCE_WON)
    first = post_order(api_client, shopper_token, checkout(card, (noodles, 1)), key="1")
    second = post_order(
        api_client, shopper_token, checkout(card, (noodles, 2)), key="2"
    )
    post_order(
        api_client, issue_token(user=other).token, checkout(other_card, (noodles, 1))
    )

    response = api_client.get(ORDERS_URL, **bearer(shopper_token))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["next"] is None
    assert body["items"] == [
        with_no_delivery(second.json()),
        with_no_delivery(first.json()),
    ]


def with_no_delivery(order: dict[str, Any]) -> dict[str, Any]:
    """Return the placed order as GET shows it before any delivery job: ``delivery`` null."""
    return {
        **order,
        "fulfilments": [{**f, "delivery": None} for f in order["fulfilments"]],
    }


def test_one_order_is_shown_to_its_shopper_with_the_payment_status(
    api_client, shopper_token, card, noodles
):
    placed = post_order(api_client, shopper_token, checkout(card, (noodles, 1))).json()

    response = api_client.get(f"{ORDERS_URL}/{placed['id']}", **bearer(shopper_token))

    assert response.status_code == 200
    assert response.json() == with_no_delivery(placed)
    assert response.json()["payment"]["status"] == "held"


def test_another_shoppers_order_is_404(api_client, shopper_token, card, noodles):
    placed = post_order(api_client, shopper_token, checkout(card, (noodles, 1))).json()
    other = make_person(Role.SHOPPER, username="shopper2")

    response = api_client.get(
        f"{ORDERS_URL}/{placed['id']}", **bearer(issue_token(user=other).token)
    )

    assert_problem(response, status=404, code="not_found")


def test_cancelling_a_placed_order_voids_the_hold_and_releases_the_stock(
    api_client, shopper_token, card, noodles
):
    placed = post_order(api_client, shopper_token, checkout(card, (noodles, 2))).json()

    response = api_client.post(
        f"{ORDERS_URL}/{placed['id']}/cancel", **bearer(shopper_token)
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "cancelled"
    assert body["payment"]["status"] == "voided"
    assert {fulfilment["status"] for fulfilment in body["fulfilments"]} == {"cancelled"}
    noodles.refresh_from_db()
    assert noodles.stock_reserved == 0
    account = LedgerAccount.objects.get(pk=card.ledger_account_id)
    assert (account.balance_won, account.held_won) == (BALANCE_WON, 0)


def test_cancelling_another_shoppers_order_is_404_and_changes_nothing(
    api_client, shopper_token, card, noodles
):
    placed = post_order(api_client, shopper_token, checkout(card, (noodles, 1))).json()
    other = make_person(Role.SHOPPER, username="shopper2")
    before = snapshot()

    response = api_client.post(
        f"{ORDERS_URL}/{placed['id']}/cancel", **bearer(issue_token(user=other).token)
    )

    assert_problem(response, status=404, code="not_found")
    assert snapshot() == before


def test_cancelling_once_a_merchant_prepares_is_409_too_late_and_changes_nothing(
    api_client, shopper_token, card, noodles, store
):
    placed = post_order(api_client, shopper_token, checkout(card, (noodles, 1))).json()
    staff = make_person(Role.MERCHANT, username="store1")
    MerchantStaff.objects.create(merchant=store, user=staff)
    staff_token = issue_token(user=staff).token
    fulfilment_id = placed["fulfilments"][0]["id"]
    for move in ("accept", "preparing"):
        moved = api_client.post(
            f"/api/v1/merchant/fulfilments/{fulfilment_id}/{move}",
            **bearer(staff_token),
        )
        assert moved.status_code == 200, moved.content
    before = snapshot()

    response = api_client.post(
        f"{ORDERS_URL}/{placed['id']}/cancel", **bearer(shopper_token)
    )

    assert_problem(response, status=409, code="too_late")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("line", "field"),
    [
        pytest.param({"quantity": True}, "lines.0.quantity", id="true-as-quantity"),
        pytest.param({"quantity": "2"}, "lines.0.quantity", id="string-as-quantity"),
        pytest.param({"quantity": 1.0}, "lines.0.quantity", id="float-as-quantity"),
        pytest.param({"product": False}, "lines.0.product", id="false-as-product"),
    ],
)
def test_a_number_that_is_not_a_json_integer_is_422_and_changes_nothing(
    api_client, shopper_token, card, noodles, line, field
):
    body = checkout(card, (noodles, 1))
    body["lines"][0].update(line)
    before = snapshot()

    response = post_order(api_client, shopper_token, body)

    problem = assert_problem(response, status=422, code="invalid")
    assert problem["field"] == field
    assert snapshot() == before


@pytest.mark.parametrize(
    "detail",
    [
        pytest.param("Apartment\x003-201", id="nul"),
        pytest.param("Apartment\x1b[2J3-201", id="escape"),
        pytest.param("Apartment\x7f3-201", id="delete"),
    ],
)
def test_a_control_character_in_the_address_is_422_and_changes_nothing(
    api_client, shopper_token, card, noodles, detail
):
    body = checkout(card, (noodles, 1))
    body["address"]["detail"] = detail
    before = snapshot()

    response = post_order(api_client, shopper_token, body)

    problem = assert_problem(response, status=422, code="invalid")
    assert problem["field"] == "address.detail"
    assert snapshot() == before


def _restaurant_open_from_eleven(central) -> Product:
    restaurant = new_merchant(
        district=central, kind="restaurant", name="옥류관", name_en="Okryu Restaurant"
    )
    for weekday in range(7):
        OpeningHours.objects.create(
            merchant=restaurant,
            weekday=weekday,
            opens_at=dt.time(11),
            closes_at=dt.time(21),
        )
    dish = new_product(merchant=restaurant, price_won=PRICE_WON, name="평양랭면")
    Product.objects.filter(pk=dish.pk).update(is_made_to_order=True)
    return receive_stock(product_id=dish.pk, quantity=10, changed_by=None)


@time_machine.travel(dt.datetime(2026, 12, 1, 8, 55, tzinfo=PYONGYANG), tick=False)
def test_a_closed_restaurant_is_422_merchant_closed_with_its_opening_before_the_pin(
    api_client, shopper, card, central
):
    dish = _restaurant_open_from_eleven(central)
    token = issue_token(user=shopper).token
    before = snapshot()

    response = post_order(
        api_client, token, {**checkout(card, (dish, 1)), "pin": "0000"}
    )

    problem = assert_problem(response, status=422, code="merchant_closed")
    assert problem["opens_at"] == "2026-12-01T11:00:00+09:00"
    assert problem["merchant_name"] == "옥류관"
    assert problem["field"] == "slot"
    card.refresh_from_db()
    assert card.pin_failed_attempts == 0
    assert snapshot() == before


@time_machine.travel(dt.datetime(2026, 12, 1, 8, 55, tzinfo=PYONGYANG), tick=False)
def test_a_closed_restaurant_takes_an_order_for_a_slot_in_its_hours(
    api_client, shopper, card, central
):
    dish = _restaurant_open_from_eleven(central)
    token = issue_token(user=shopper).token

    response = post_order(
        api_client,
        token,
        {**checkout(card, (dish, 1)), "slot": "2026-12-01T11:00:00+09:00"},
    )

    assert response.status_code == 201, response.json()
