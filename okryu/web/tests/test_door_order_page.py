"""The shopper's order page for an order paid at the door: what is due, then that it is paid."""

import pytest
from django.test import Client
from django.urls import reverse

from okryu.orders.models import Order
from okryu.orders.services import place_order
from okryu.orders.services.door import pay_at_the_door
from okryu.orders.tests.door_support import (
    DUE_WON,
    door_checkout_request,
    door_record,
    make_door_world,
    signed_record,
)

pytestmark = pytest.mark.django_db


def test_the_order_page_says_it_is_paid_at_the_door_and_what_is_due(client: Client):
    world = make_door_world()
    client.force_login(world.shopper)

    page = client.get(reverse("order", args=[world.order_id]))

    html = page.content.decode()
    assert page.status_code == 200
    assert page.context["due_at_door"] == DUE_WON
    assert '<dd class="payment-method">문앞 결제</dd>' in html
    assert '<dd class="due-at-door">5,000원</dd>' in html
    assert "문앞에서 결제 예정" in html
    assert "****" not in html


def test_once_paid_at_the_door_nothing_is_due_and_the_part_is_paid(client: Client):
    world = make_door_world()
    pay_at_the_door(
        actor_user_id=world.courier.pk,
        fulfilment_id=world.fulfilment.pk,
        record=door_record(
            signed_record(world.chip, fulfilment_id=world.fulfilment.pk)
        ),
        idempotency_key="paid",
    )
    client.force_login(world.shopper)

    page = client.get(reverse("order", args=[world.order_id]))

    html = page.content.decode()
    assert page.context["due_at_door"] == 0
    assert '<dd class="due-at-door">0원</dd>' in html
    assert '<span class="payment">결제됨</span>' in html


def test_another_shoppers_door_order_is_not_found(client: Client):
    world = make_door_world()
    other = make_door_world()
    client.force_login(other.shopper)

    page = client.get(reverse("order", args=[world.order_id]))

    assert page.status_code == 404


def test_cancelling_a_door_order_on_its_page_releases_it_without_a_card_word(
    client: Client,
):
    world = make_door_world()
    placed = place_order(
        shopper_id=world.shopper.pk,
        checkout=door_checkout_request(world.card, [(world.product, 1)]),
        idempotency_key="to-cancel",
    )
    client.force_login(world.shopper)

    response = client.post(
        reverse("order-cancel", args=[placed.order_id]),
        {"idempotency_key": "cancel-1", "confirm": "yes"},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == ["주문을 취소했습니다."]
    assert Order.objects.get(pk=placed.order_id).status == "cancelled"
