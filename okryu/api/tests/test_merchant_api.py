"""The merchant staff's routes: the order queue, its moves, products and stock."""

from typing import Any

import pytest

from okryu.accounts.models import Role, User
from okryu.api.tests.support import (
    assert_problem,
    bearer,
    make_person,
    new_category,
    new_district,
    new_merchant,
    new_product,
)
from okryu.api.tokens import issue_token
from okryu.catalog.models import Product, StockMovement
from okryu.catalog.services import receive_stock
from okryu.merchants.models import Merchant, MerchantStaff
from okryu.orders.models import Fulfilment, FulfilmentEvent
from okryu.payments import ledger
from okryu.payments.cards import issue_card
from okryu.payments.models import LedgerAccount

# place_order opens a durable transaction, which cannot nest in a test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)

PIN = "1234"
PRICE_WON = 5_000


def staff_of(merchant: Merchant, username: str) -> User:
    person = make_person(Role.MERCHANT, username=username)
    MerchantStaff.objects.create(merchant=merchant, user=person)
    return person


@pytest.fixture
def central():
    return new_district(code="central", name="중구역", name_en="Central")


@pytest.fixture
def store(central) -> Merchant:
    return new_merchant(district=central)


@pytest.fixture
def other_store(central) -> Merchant:
    return new_merchant(district=central)


@pytest.fixture
def store_token(store) -> str:
    return issue_token(user=staff_of(store, "store1")).token


@pytest.fixture
def other_token(other_store) -> str:
    return issue_token(user=staff_of(other_store, "store2")).token


@pytest.fixture
def tofu(store) -> Product:
    product = new_product(merchant=store, price_won=PRICE_WON)
    return receive_stock(product_id=product.pk, quantity=10, changed_by=None)


def place(client, shopper: User, *lines: tuple[Product, int], key: str = "k") -> Any:
    card = issue_card(holder=shopper, phone="01012345678", pin=PIN)
    ledger.top_up(card_number=card.number, amount_won=100_000, transfer_id=f"t-{key}")
    response = client.post(
        "/api/v1/orders",
        {
            "lines": [{"product": p.pk, "quantity": q} for p, q in lines],
            "address": {"district": "Central", "detail": "Apartment 3-201"},
            "card": card.number,
            "pin": PIN,
        },
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
        **bearer(issue_token(user=shopper).token),
    )
    assert response.status_code == 201, response.content
    return response.json()


def move(client, token: str, fulfilment_id: int, action: str, **body: Any) -> Any:
    return client.post(
        f"/api/v1/merchant/fulfilments/{fulfilment_id}/{action}",
        body or None,
        content_type="application/json",
        **bearer(token),
    )


def fulfilment_state() -> list[tuple[Any, ...]]:
    return list(
        Fulfilment.objects.order_by("pk").values_list(
            "pk", "status", "rejection_reason"
        )
    )


def test_the_queue_lists_placed_fulfilments_of_the_callers_merchant_oldest_first(
    api_client, shopper, store, other_store, store_token, tofu
):
    other_product = receive_stock(
        product_id=new_product(merchant=other_store).pk, quantity=5, changed_by=None
    )
    first = place(api_client, shopper, (tofu, 1), key="1")
    place(api_client, shopper, (other_product, 1), key="2")
    third = place(api_client, shopper, (tofu, 2), key="3")

    response = api_client.get(
        "/api/v1/merchant/fulfilments?status=placed", **bearer(store_token)
    )

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["next"] is None
    assert [item["id"] for item in body["items"]] == [
        first["fulfilments"][0]["id"],
        third["fulfilments"][0]["id"],
    ]
    assert body["items"][1]["lines"][0]["quantity"] == 2
    assert {item["merchant"] for item in body["items"]} == {store.pk}


def test_every_answer_about_a_fulfilment_names_its_order_and_when_it_was_placed(
    api_client, shopper, store_token, tofu
):
    # The schema promised both; the answers had neither (found by the fuzz run).
    placed = place(api_client, shopper, (tofu, 1), key="1")
    fulfilment_id = placed["fulfilments"][0]["id"]

    answers = [
        api_client.get("/api/v1/merchant/fulfilments", **bearer(store_token)).json()[
            "items"
        ][0],
        api_client.get(
            f"/api/v1/merchant/fulfilments/{fulfilment_id}", **bearer(store_token)
        ).json(),
        move(
            api_client, store_token, fulfilment_id, "reject", reason="다 팔렸습니다"
        ).json(),
    ]

    assert [answer["order"] for answer in answers] == [placed["id"]] * 3
    assert {answer["placed_at"] for answer in answers} == {placed["placed_at"]}


def test_the_queue_is_paginated(api_client, shopper, store_token, tofu):
    for key in ("1", "2", "3"):
        place(api_client, shopper, (tofu, 1), key=key)

    response = api_client.get(
        "/api/v1/merchant/fulfilments?status=placed&page_size=2", **bearer(store_token)
    )

    body = response.json()
    assert (len(body["items"]), body["count"]) == (2, 3)
    assert body["next"].endswith("page=2&page_size=2") or "page=2" in body["next"]


def test_an_unknown_status_filter_is_422_on_status(api_client, store_token):
    response = api_client.get(
        "/api/v1/merchant/fulfilments?status=lost", **bearer(store_token)
    )

    assert assert_problem(response, status=422, code="invalid")["field"] == "status"


def test_a_shopper_calling_a_merchant_route_is_403(api_client, shopper_token):
    response = api_client.get("/api/v1/merchant/fulfilments", **bearer(shopper_token))

    assert_problem(response, status=403, code="forbidden")


def test_accept_then_ready_moves_the_fulfilment_through_preparing(
    api_client, shopper, store_token, tofu
):
    placed = place(api_client, shopper, (tofu, 1))
    fulfilment_id = placed["fulfilments"][0]["id"]

    accepted = move(api_client, store_token, fulfilment_id, "accept")
    ready = move(api_client, store_token, fulfilment_id, "ready")

    assert (accepted.status_code, accepted.json()["status"]) == (200, "accepted")
    assert (ready.status_code, ready.json()["status"]) == (200, "ready")
    assert list(
        FulfilmentEvent.objects.filter(fulfilment_id=fulfilment_id).values_list(
            "to_status", flat=True
        )
    ) == ["placed", "accepted", "preparing", "ready"]


def test_ready_on_a_placed_fulfilment_is_409_and_changes_nothing(
    api_client, shopper, store_token, tofu
):
    placed = place(api_client, shopper, (tofu, 1))
    before = fulfilment_state()

    response = move(api_client, store_token, placed["fulfilments"][0]["id"], "ready")

    assert response.status_code == 409, response.content
    assert fulfilment_state() == before


def test_rejecting_releases_the_stock_and_voids_the_hold(
    api_client, shopper, store_token, tofu
):
    placed = place(api_client, shopper, (tofu, 3))

    response = move(
        api_client,
        store_token,
        placed["fulfilments"][0]["id"],
        "reject",
        reason="재고 부족",
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "rejected"
    tofu.refresh_from_db()
    assert tofu.stock_reserved == 0
    card_account = LedgerAccount.objects.get(card__holder=shopper)
    assert card_account.held_won == 0


def test_rejecting_without_a_reason_is_422_and_changes_nothing(
    api_client, shopper, store_token, tofu
):
    placed = place(api_client, shopper, (tofu, 1))
    before = fulfilment_state()

    response = move(api_client, store_token, placed["fulfilments"][0]["id"], "reject")

    assert_problem(response, status=422, code="invalid")
    assert fulfilment_state() == before


@pytest.mark.parametrize("action", ["accept", "preparing", "ready"])
def test_another_merchants_fulfilment_is_404_and_changes_nothing(
    api_client, shopper, other_token, tofu, action
):
    placed = place(api_client, shopper, (tofu, 1))
    before = fulfilment_state()

    response = move(api_client, other_token, placed["fulfilments"][0]["id"], action)

    assert_problem(response, status=404, code="not_found")
    assert fulfilment_state() == before


def test_a_repeated_accept_with_its_key_answers_the_same(
    api_client, shopper, store_token, tofu
):
    placed = place(api_client, shopper, (tofu, 1))
    url = f"/api/v1/merchant/fulfilments/{placed['fulfilments'][0]['id']}/accept"

    headers = {**bearer(store_token), "HTTP_IDEMPOTENCY_KEY": "a"}
    first = api_client.post(url, content_type="application/json", **headers)
    second = api_client.post(url, content_type="application/json", **headers)

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert FulfilmentEvent.objects.filter(to_status="accepted").count() == 1


def product_body(category_id: int, **changes: Any) -> dict[str, Any]:
    return {
        "name": "두부",
        "name_en": "Tofu",
        "category": category_id,
        "price": 3_000,
        "unit": "1모",
        "weight_g": 400,
        "stock": 12,
        **changes,
    }


def test_creating_a_product_answers_201_with_its_stock(api_client, store, store_token):
    category = new_category()

    response = api_client.post(
        "/api/v1/merchant/products",
        product_body(category.pk),
        content_type="application/json",
        **bearer(store_token),
    )

    assert response.status_code == 201, response.content
    body = response.json()
    product = Product.objects.get(pk=body["id"])
    assert (product.merchant_id, product.name, product.price_won) == (
        store.pk,
        "두부",
        3000,
    )
    assert {
        key: body[key]
        for key in (
            "name",
            "name_en",
            "price",
            "unit",
            "weight_g",
            "merchant",
            "category",
            "available",
            "stock_on_hand",
            "stock_reserved",
            "stock_received",
        )
    } == {
        "name": "두부",
        "name_en": "Tofu",
        "price": 3000,
        "unit": "1모",
        "weight_g": 400,
        "merchant": store.pk,
        "category": category.pk,
        "available": 12,
        "stock_on_hand": 12,
        "stock_reserved": 0,
        "stock_received": 12,
    }


def test_a_product_with_an_unknown_category_is_422_and_nothing_is_created(
    api_client, store_token
):
    response = api_client.post(
        "/api/v1/merchant/products",
        product_body(999_999),
        content_type="application/json",
        **bearer(store_token),
    )

    assert assert_problem(response, status=422, code="invalid")["field"] == "category"
    assert Product.objects.count() == 0


def test_a_shopper_cannot_create_a_product(api_client, shopper_token):
    response = api_client.post(
        "/api/v1/merchant/products",
        product_body(new_category().pk),
        content_type="application/json",
        **bearer(shopper_token),
    )

    assert_problem(response, status=403, code="forbidden")
    assert Product.objects.count() == 0


def stock(api_client, token: str, product: Product, body: dict[str, Any]) -> Any:
    return api_client.post(
        f"/api/v1/merchant/products/{product.pk}/stock",
        body,
        content_type="application/json",
        **bearer(token),
    )


def test_receiving_goods_adds_to_the_stock(api_client, store_token, tofu):
    response = stock(api_client, store_token, tofu, {"receive": 5})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["stock_on_hand"], body["stock_received"], body["available"]) == (
        15,
        15,
        15,
    )


def test_a_stock_count_sets_on_hand_and_records_the_adjustment(
    api_client, store_token, tofu
):
    response = stock(api_client, store_token, tofu, {"count": 7})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["stock_on_hand"], body["stock_adjusted"]) == (7, -3)


@pytest.mark.parametrize("body", [{}, {"receive": 1, "count": 2}])
def test_neither_or_both_of_receive_and_count_is_422_and_changes_nothing(
    api_client, store_token, tofu, body
):
    movements = StockMovement.objects.count()

    response = stock(api_client, store_token, tofu, body)

    assert_problem(response, status=422, code="invalid")
    tofu.refresh_from_db()
    assert tofu.stock_on_hand == 10
    assert StockMovement.objects.count() == movements


def test_counting_below_what_is_reserved_is_409_and_changes_nothing(
    api_client, shopper, store_token, tofu
):
    place(api_client, shopper, (tofu, 4))

    response = stock(api_client, store_token, tofu, {"count": 3})

    assert_problem(response, status=409, code="out_of_stock")
    tofu.refresh_from_db()
    assert (tofu.stock_on_hand, tofu.stock_reserved) == (10, 4)


def test_another_merchants_product_stock_is_404_and_changes_nothing(
    api_client, other_token, tofu
):
    movements = StockMovement.objects.count()

    response = stock(api_client, other_token, tofu, {"receive": 5})

    assert_problem(response, status=404, code="not_found")
    tofu.refresh_from_db()
    assert tofu.stock_on_hand == 10
    assert StockMovement.objects.count() == movements
