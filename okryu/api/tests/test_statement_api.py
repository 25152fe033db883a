"""The API statement after three orders: one line per purchase, named by merchant and order
number; holds replaced by their capture; a refund linked to its purchase."""

import pytest

from okryu.api.tests.support import bearer
from okryu.api.tokens import issue_token
from okryu.merchants.services import create_merchant_payment_request
from okryu.orders.tests.builders import TEST_PIN, make_merchant, make_shopper
from okryu.orders.tests.statement_builders import make_three_orders
from okryu.payments.qr import approve_payment_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_orders():
    return make_three_orders()


def test_the_api_statement_has_one_line_per_purchase_named_and_holds_replaced(
    api_client, three_orders
):
    card = three_orders["card"]
    first, second, third = three_orders["orders"]
    token = issue_token(user=three_orders["shopper"]).token

    items = api_client.get(
        f"/api/v1/cards/{card.number}/statement", **bearer(token)
    ).json()["items"]

    by_kind = [(i["kind"], i["order"], i["merchant"]) for i in items]
    shop, factory = three_orders["shop"].name, three_orders["factory"].name
    assert sorted(by_kind, key=str) == sorted(
        [
            ("single", None, None),  # The top-up.
            ("capture", first.number, shop),
            ("capture", first.number, factory),
            ("pending", second.number, factory),
            ("capture", third.number, shop),
            ("refund", third.number, shop),
        ],
        key=str,
    )
    first_shop = next(
        i for i in items if i["order"] == first.number and i["merchant"] == shop
    )
    fee = first.fulfilments.get(merchant=three_orders["shop"]).delivery_fee_won
    assert first_shop["amount"] == 3_000 + fee  # Items and delivery fee: one line.
    refund = next(i for i in items if i["kind"] == "refund")
    purchase = next(
        i for i in items if i["kind"] == "capture" and i["order"] == third.number
    )
    assert refund["refund_of"] == purchase["id"]
    assert refund["amount"] == 6_000
    assert not any(i["kind"] in {"hold", "void"} for i in items)


def test_a_qr_payment_is_named_by_the_merchant_it_paid_and_has_no_order(api_client):
    merchant, _staff = make_merchant()
    shopper, card = make_shopper()
    request = create_merchant_payment_request(
        merchant_id=merchant.pk, amount_won=1_500, description="두부 2모"
    )
    approve_payment_request(
        token=request.token, card_number=card.number, pin=TEST_PIN, transfer_id="qr-1"
    )

    items = api_client.get(
        f"/api/v1/cards/{card.number}/statement",
        **bearer(issue_token(user=shopper).token),
    ).json()["items"]

    paid = next(i for i in items if i["amount"] == 1_500)
    assert (paid["kind"], paid["order"], paid["merchant"], paid["merchant_en"]) == (
        "single",
        None,
        merchant.name,
        merchant.name_en,
    )
    top_up = next(i for i in items if i["direction"] == "in")
    assert (top_up["order"], top_up["merchant"]) == (None, None)
