"""The card statement a shopper reads after three orders: one line per purchase, named by
merchant and order number; holds apart until charged; a refund linked to its purchase. The
page and the API say the same."""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from okryu.accounts.models import Role
from okryu.api.tests.support import bearer
from okryu.api.tokens import issue_token
from okryu.merchants.models import MerchantKind
from okryu.orders.models import Fulfilment, Order
from okryu.orders.services import (
    accept_fulfilment,
    deliver,
    mark_ready,
    place_order,
    return_fulfilment,
    send_out,
    start_preparing,
)
from okryu.orders.tests.builders import (
    checkout,
    make_merchant,
    make_product,
    make_shopper,
    make_user_with_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_orders():
    """Order 1 from two merchants, delivered; order 2 placed (held); order 3 delivered
    and then returned (refunded)."""
    shopper, card = make_shopper(balance_won=200_000)
    shop, shop_staff = make_merchant()
    factory, factory_staff = make_merchant(kind=MerchantKind.FACTORY)
    socks = make_product(shop, price_won=3_000, stock=20)
    tofu = make_product(factory, price_won=2_000, stock=20)
    staff = {shop.pk: shop_staff, factory.pk: factory_staff}
    operator = make_user_with_role(Role.OPERATOR)

    def order(key: str, lines) -> Order:
        placed = place_order(
            shopper_id=shopper.pk, request=checkout(card, lines), idempotency_key=key
        )
        return Order.objects.get(pk=placed.order_id)

    def delivered(the_order: Order) -> None:
        for part in Fulfilment.objects.filter(order=the_order).order_by("pk"):
            person = staff[part.merchant_id].pk
            accept_fulfilment(staff_user_id=person, fulfilment_id=part.pk)
            start_preparing(staff_user_id=person, fulfilment_id=part.pk)
            mark_ready(staff_user_id=person, fulfilment_id=part.pk)
            send_out(actor_user_id=operator.pk, fulfilment_id=part.pk)
            deliver(actor_user_id=operator.pk, fulfilment_id=part.pk)

    first = order("first", [(socks, 1), (tofu, 2)])
    delivered(first)
    second = order("second", [(tofu, 1)])
    third = order("third", [(socks, 2)])
    delivered(third)
    returned = Fulfilment.objects.get(order=third)
    return_fulfilment(
        operator_user_id=operator.pk, fulfilment_id=returned.pk, reason="크기가 안 맞음"
    )
    return {
        "shopper": shopper,
        "card": card,
        "shop": shop,
        "factory": factory,
        "orders": (first, second, third),
    }


def test_the_api_statement_has_one_line_per_purchase_named_and_holds_replaced(
    three_orders,
):
    api_client: Any = Client()
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


def test_the_statement_page_lists_holds_apart_and_names_each_purchase(three_orders):
    client = Client()
    client.force_login(three_orders["shopper"])
    card = three_orders["card"]
    first, second, third = three_orders["orders"]

    html = client.get(reverse("my-card", args=[card.number])).content.decode()

    pending_table, lines_table = re.findall(r"<table>.*?</table>", html, re.DOTALL)
    assert "승인 대기" in pending_table
    assert second.number in pending_table
    assert first.number not in pending_table
    rows = re.findall(r"<tr id=.*?</tr>", lines_table, re.DOTALL)
    assert len(rows) == 5  # Top-up, two purchases of order 1, order 3 and its refund.
    assert sum(first.number in row for row in rows) == 2
    assert "승인(대기)" not in lines_table
    [refund_row] = [row for row in rows if "환불" in row]
    assert third.number in refund_row
    assert three_orders["shop"].name in refund_row
    assert 'href="#line-' in refund_row
