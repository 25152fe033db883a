"""The logistics office's stand-in page: operators send ready parts out and deliver them."""

import pytest
from django.test import Client
from django.urls import reverse

from okryu.accounts.models import Role, RoleGrant
from okryu.accounts.tests.factories import ShopperFactory, UserFactory
from okryu.merchants.tests.factories import MerchantFactory
from okryu.orders.models import Fulfilment
from okryu.orders.services import accept_fulfilment, mark_ready, start_preparing
from okryu.web.tests.test_checkout_pages import stocked_product
from okryu.web.tests.test_merchant_pages import staff_of
from okryu.web.tests.test_order_pages import place

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_pin_hashes(settings):
    settings.OKRYU_PIN_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


@pytest.fixture
def noodles():
    return stocked_product(
        merchant=MerchantFactory.create(name="옥류관"), name="평양랭면", price_won=1200
    )


@pytest.fixture
def ready(noodles):
    """A fulfilment of two bowls, moved to ready by the merchant's staff."""
    fulfilment = place(ShopperFactory.create(), (noodles, 2)).fulfilments.get()
    staff = staff_of(noodles.merchant)
    for move in (accept_fulfilment, start_preparing, mark_ready):
        move(staff_user_id=staff.pk, fulfilment_id=fulfilment.pk)
    return fulfilment


@pytest.fixture
def operator_client(client: Client):
    operator = UserFactory.create()
    RoleGrant.objects.create(user=operator, role=Role.OPERATOR)
    client.force_login(operator)
    return client


def act(client: Client, fulfilment_id: int, action: str):
    return client.post(
        reverse("logistics-action", args=[fulfilment_id, action]),
        {"idempotency_key": f"{action}-{fulfilment_id}"},
    )


def test_the_page_lists_ready_and_out_for_delivery_parts(operator_client, ready):
    response = operator_client.get(reverse("logistics"))

    assert response.status_code == 200
    assert [f.pk for f in response.context["ready"]] == [ready.pk]
    assert response.context["out"] == []


def test_sending_out_then_delivering_captures_the_payment_and_sells_the_stock(
    operator_client, ready, noodles
):
    sent = act(operator_client, ready.pk, "send-out")
    status_after_sending = Fulfilment.objects.get(pk=ready.pk).status
    delivered = act(operator_client, ready.pk, "deliver")

    assert (sent.status_code, delivered.status_code) == (302, 302)
    assert status_after_sending == "out_for_delivery"
    fulfilment = Fulfilment.objects.get(pk=ready.pk)
    assert fulfilment.status == "delivered"
    assert fulfilment.captured_won == (
        fulfilment.items_total_won + fulfilment.delivery_fee_won
    )
    noodles.refresh_from_db()
    assert (noodles.stock_on_hand, noodles.stock_reserved, noodles.stock_sold) == (
        8,
        0,
        2,
    )


def test_delivering_twice_is_told_as_done_and_captures_once(operator_client, ready):
    act(operator_client, ready.pk, "send-out")
    act(operator_client, ready.pk, "deliver")

    again = act(operator_client, ready.pk, "deliver")

    assert again.status_code == 302
    fulfilment = Fulfilment.objects.get(pk=ready.pk)
    assert fulfilment.captured_won == (
        fulfilment.items_total_won + fulfilment.delivery_fee_won
    )


def test_delivering_a_part_not_yet_sent_out_is_refused_and_changes_nothing(
    operator_client, ready
):
    response = act(operator_client, ready.pk, "deliver")

    assert response.status_code == 409
    fulfilment = Fulfilment.objects.get(pk=ready.pk)
    assert (fulfilment.status, fulfilment.captured_won) == ("ready", 0)


@pytest.mark.parametrize("role", [None, Role.SHOPPER, Role.MERCHANT])
def test_only_operators_may_use_the_page(client: Client, ready, role):
    user = UserFactory.create()
    if role is not None:
        RoleGrant.objects.create(user=user, role=role)
    client.force_login(user)

    page = client.get(reverse("logistics"))
    sent = act(client, ready.pk, "send-out")

    assert (page.status_code, sent.status_code) == (403, 403)
    assert Fulfilment.objects.get(pk=ready.pk).status == "ready"
