"""The shopper's order pages: only one's own orders, a timeline per merchant, cancelling."""

import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from okryu.accounts.models import Role, RoleGrant, User
from okryu.accounts.tests.factories import AddressFactory, ShopperFactory, UserFactory
from okryu.catalog.models import Product
from okryu.merchants.models import MerchantStaff
from okryu.merchants.tests.factories import MerchantFactory
from okryu.orders.models import Fulfilment, Order
from okryu.orders.services import accept_fulfilment, place_order, start_preparing
from okryu.orders.services.checkout import CheckoutLine, CheckoutOrder
from okryu.web.tests.test_checkout_pages import PIN, funded_card, stocked_product

pytestmark = pytest.mark.django_db


def place(shopper, *lines: tuple[Product, int]) -> Order:
    """Place an order through the service, so its holds and reservations are real."""
    card = funded_card(shopper)
    address = AddressFactory.create(user=shopper)
    placed = place_order(
        shopper_id=shopper.pk,
        checkout=CheckoutOrder(
            lines=tuple(
                CheckoutLine(product_id=p.pk, quantity=q, price_won_seen=p.price_won)
                for p, q in lines
            ),
            district_id=address.district_id,
            address_detail=address.detail,
            slot_starts_at=None,
            card_number=card.number,
            pin=PIN,
        ),
        idempotency_key=uuid.uuid4().hex,
    )
    return Order.objects.get(pk=placed.order_id)


@pytest.fixture
def shopper():
    return ShopperFactory.create()


@pytest.fixture
def noodles():
    return stocked_product(
        merchant=MerchantFactory.create(name="옥류관"), name="평양랭면", price_won=1200
    )


@pytest.fixture
def shopper_client(client: Client, shopper):
    client.force_login(shopper)
    return client


def staff_of(merchant) -> User:
    user: User = UserFactory.create()
    RoleGrant.objects.create(user=user, role=Role.MERCHANT)
    MerchantStaff.objects.create(merchant=merchant, user=user)
    return user


def test_my_orders_lists_only_mine_newest_first(shopper_client, shopper, noodles):
    first = place(shopper, (noodles, 1))
    second = place(shopper, (noodles, 2))
    place(ShopperFactory.create(), (noodles, 1))

    response = shopper_client.get(reverse("orders"))

    assert response.status_code == 200
    assert [order.pk for order in response.context["orders"]] == [second.pk, first.pk]


def test_my_orders_is_paginated(shopper_client, shopper, noodles, settings):
    settings.OKRYU_PAGE_SIZE = 1
    older = place(shopper, (noodles, 1))
    place(shopper, (noodles, 1))

    response = shopper_client.get(reverse("orders"), {"page": "2"})
    past_the_end = shopper_client.get(reverse("orders"), {"page": "3"})

    assert [order.pk for order in response.context["orders"]] == [older.pk]
    assert response.context["previous_url"] == reverse("orders")
    assert past_the_end.status_code == 404


def test_the_order_page_shows_each_merchant_with_status_payment_and_timeline(
    shopper_client, shopper, noodles
):
    order = place(shopper, (noodles, 2))
    fulfilment = order.fulfilments.get()
    accept_fulfilment(
        staff_user_id=staff_of(noodles.merchant).pk, fulfilment_id=fulfilment.pk
    )

    response = shopper_client.get(reverse("order", args=[order.pk]))

    assert response.status_code == 200
    [part] = response.context["fulfilments"]
    assert part.status_label == "주문 확인"
    assert part.payment_label == "카드 보류 중 (배달 때 결제)"
    assert [entry.status_label for entry in part.timeline] == ["주문 접수", "주문 확인"]
    assert [(line.name, line.quantity) for line in part.lines] == [("평양랭면", 2)]
    assert response.context["can_cancel"] is True


def test_another_shoppers_order_is_not_found(client: Client, shopper, noodles):
    order = place(shopper, (noodles, 1))
    client.force_login(ShopperFactory.create())

    page = client.get(reverse("order", args=[order.pk]))
    cancel = client.post(
        reverse("order-cancel", args=[order.pk]),
        {"idempotency_key": "k", "confirm": "yes"},
    )

    assert (page.status_code, cancel.status_code) == (404, 404)
    assert Fulfilment.objects.get().status == "placed"


def test_cancelling_before_preparation_releases_stock(shopper_client, shopper, noodles):
    order = place(shopper, (noodles, 2))

    response = shopper_client.post(
        reverse("order-cancel", args=[order.pk]),
        {"idempotency_key": "k1", "confirm": "yes"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("order", args=[order.pk])
    assert Fulfilment.objects.get().status == "cancelled"
    noodles.refresh_from_db()
    assert noodles.stock_reserved == 0
    page = shopper_client.get(response["Location"])
    assert page.context["can_cancel"] is False
    assert "주문 취소" not in page.content.decode()


def test_cancelling_twice_is_told_as_done(shopper_client, shopper, noodles):
    order = place(shopper, (noodles, 1))
    url = reverse("order-cancel", args=[order.pk])

    shopper_client.post(url, {"idempotency_key": "k1", "confirm": "yes"})
    again = shopper_client.post(
        url, {"idempotency_key": "k1", "confirm": "yes"}, follow=True
    )

    assert again.redirect_chain == [(reverse("order", args=[order.pk]), 302)]
    assert [str(m) for m in again.context["messages"]][-1] == "이미 취소된 주문입니다."


def test_cancelling_once_preparation_started_is_too_late_and_changes_nothing(
    shopper_client, shopper, noodles
):
    order = place(shopper, (noodles, 2))
    fulfilment = order.fulfilments.get()
    staff = staff_of(noodles.merchant)
    accept_fulfilment(staff_user_id=staff.pk, fulfilment_id=fulfilment.pk)
    start_preparing(staff_user_id=staff.pk, fulfilment_id=fulfilment.pk)

    response = shopper_client.post(
        reverse("order-cancel", args=[order.pk]),
        {"idempotency_key": "k1", "confirm": "yes"},
    )

    assert response.status_code == 409
    assert response.context["error"] == "이미 준비를 시작해 취소할 수 없습니다."
    assert response.context["can_cancel"] is False
    assert Fulfilment.objects.get().status == "preparing"
    noodles.refresh_from_db()
    assert noodles.stock_reserved == 2


def test_cancelling_asks_for_its_box_ticked_and_changes_nothing_without_it(
    shopper_client, shopper, noodles
):
    order = place(shopper, (noodles, 2))

    response = shopper_client.post(
        reverse("order-cancel", args=[order.pk]), {"idempotency_key": "k1"}
    )

    page = response.content.decode()
    assert response.status_code == 422
    assert response.context["error"] == (
        "실수로 누르지 않도록 확인란을 고른 뒤 다시 누르십시오."
    )
    assert 'name="confirm" value="yes" required' in page
    # The cancel button stands apart, after the order's parts.
    assert page.index('class="form danger-zone"') > page.index('class="fulfilment"')
    assert Fulfilment.objects.get().status == "placed"
    noodles.refresh_from_db()
    assert noodles.stock_reserved == 2


def test_a_cancelled_orders_timeline_reads_in_english_too(
    shopper_client, shopper, noodles
):
    order = place(shopper, (noodles, 1))
    shopper_client.post(
        reverse("order-cancel", args=[order.pk]),
        {"idempotency_key": "k1", "confirm": "yes"},
    )

    korean = shopper_client.get(reverse("order", args=[order.pk])).content.decode()
    shopper_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = shopper_client.get(reverse("order", args=[order.pk])).content.decode()

    assert "— 구매자 취소" in korean
    assert "— cancelled by the shopper" in english
    assert "구매자 취소" not in english
