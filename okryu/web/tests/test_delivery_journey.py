"""A whole delivery through the pages only: from one basket of two merchants to the door.

A shopper orders cold noodles and socks in one basket; the shop accepts, prepares and marks
ready on its queue, the noodle house accepts on its queue and cooks on its kitchen screen;
the operator runs dispatch on the office page, which sends the light parcels by motorbike
though a van stands as near; the courier picks both up and hands them over with the codes
the shopper reads on the order page. The order ends
delivered, the card captured, and the audits clean. Each form is posted with the key the
page rendered into it, as a browser would.
"""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from okryu.accounts.models import Role
from okryu.accounts.tests.factories import AddressFactory
from okryu.catalog.audit import audit_stock
from okryu.delivery.tests.builders import make_courier
from okryu.delivery.tests.codes import make_codes_distinctive, occurs
from okryu.merchants.models import MerchantKind
from okryu.orders.audit import audit_orders
from okryu.orders.models import Fulfilment, Order
from okryu.orders.tests.builders import (
    TEST_PIN,
    make_merchant,
    make_product,
    make_shopper,
    make_user_with_role,
    open_all_week,
)
from okryu.payments.audit import audit_ledger
from okryu.web.tests.test_checkout_pages import checkout_form

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def key_of_form(page: str, action: str) -> str:
    """Return the idempotency key the page rendered into the form posting to ``action``."""
    found = re.search(
        rf'<form[^>]*action="{re.escape(action)}"[^>]*>.*?'
        r'name="idempotency_key" value="([0-9a-f]+)"',
        page,
        re.DOTALL,
    )
    assert found, f"no form posts to {action}"
    return found.group(1)


def submit(client: Client, page_url: str, action: str, **fields) -> None:
    """Open ``page_url``, post its form to ``action`` with ``fields``; expect a redirect."""
    page = client.get(page_url).content.decode()
    response = client.post(
        action, {"idempotency_key": key_of_form(page, action), **fields}
    )
    assert response.status_code == 302, (action, response.content.decode()[:2000])


def code_on_order_page(page: str, fulfilment_id: int) -> str:
    after = page.split(f'id="fulfilment-{fulfilment_id}"', maxsplit=1)[1]
    section = after.split("</section>", maxsplit=1)[0]
    found = re.search(r'<strong class="code">([0-9]{4})</strong>', section)
    assert found, "the shopper's page shows the code of each part on its way"
    return found.group(1)


def test_a_basket_of_two_merchants_is_delivered_and_paid_through_the_pages(monkeypatch):
    make_codes_distinctive(monkeypatch)
    restaurant, cook = make_merchant(kind=MerchantKind.RESTAURANT)
    open_all_week(restaurant, dt.time(0, 0), dt.time(0, 0))
    dish = make_product(restaurant, name="평양랭면", price_won=6_000, weight_grams=900)
    store, clerk = make_merchant()
    item = make_product(store, name="양말", price_won=800, weight_grams=100)
    shopper, card = make_shopper(balance_won=100_000)
    AddressFactory.create(user=shopper, is_default=True)
    courier = make_courier(vehicle="motorbike")
    make_courier(vehicle="van")  # As near as the motorbike: the smaller vehicle wins.
    shopper_client = logged_in(shopper)

    for product in (dish, item):
        submit(
            shopper_client,
            reverse("product", args=[product.pk]),
            reverse("basket-add"),
            product=product.pk,
            quantity=1,
        )
    placed = shopper_client.post(
        reverse("checkout"),
        checkout_form(shopper_client, card_number=card.number, pin=TEST_PIN),
    )
    order = Order.objects.get(shopper=shopper)
    assert placed["Location"] == reverse("order", args=[order.pk])

    for staff, moves in (
        (clerk, ("accept", "prepare", "ready")),
        (cook, ("accept",)),
    ):
        staff_client = logged_in(staff)
        for action, status in zip(
            moves, ("placed", "accepted", "preparing"), strict=False
        ):
            queue = f"{reverse('merchant-queue')}?status={status}"
            [fulfilment] = staff_client.get(queue).context["fulfilments"]
            submit(
                staff_client,
                queue,
                reverse("merchant-queue-action", args=[fulfilment.pk, action]),
                status=status,
            )
    kitchen_client = logged_in(cook)
    [noodles] = Fulfilment.objects.filter(order__shopper=shopper, merchant=restaurant)
    for action in ("prepare", "ready"):
        submit(
            kitchen_client,
            reverse("kitchen"),
            reverse("kitchen-action", args=[noodles.pk, action]),
        )

    operator_client = logged_in(make_user_with_role(Role.OPERATOR))
    submit(operator_client, reverse("logistics"), reverse("logistics-dispatch"))
    board = operator_client.get(reverse("logistics"))
    told = [str(message) for message in board.context["messages"]]
    assert "2건을 배정했습니다" in told[0]

    courier_client = logged_in(courier.user)
    jobs = courier_client.get(reverse("courier-jobs")).context["jobs"]
    assert [job.route_position for job in jobs] == [1, 2]
    assert {job.vehicle_needed for job in jobs} == {"motorbike"}
    for job in jobs:
        job_url = reverse("courier-job", args=[job.pk])
        submit(courier_client, job_url, reverse("courier-job-pick-up", args=[job.pk]))
        order_page = shopper_client.get(reverse("order", args=[order.pk]))
        code = code_on_order_page(order_page.content.decode(), job.fulfilment_id)
        assert not occurs(code, courier_client.get(job_url).content.decode())
        submit(
            courier_client,
            job_url,
            reverse("courier-job-hand-over", args=[job.pk]),
            code=code,
        )

    final = shopper_client.get(reverse("order", args=[order.pk])).content.decode()
    assert final.count('<strong class="delivery-status">배달 완료</strong>') == 2
    assert 'class="code"' not in final
    assert "완료" in final.split('class="order-status"', maxsplit=1)[1][:80]
    order.refresh_from_db()
    assert order.status == "completed"
    fulfilments = Fulfilment.objects.filter(order=order)
    assert [f.status for f in fulfilments] == ["delivered", "delivered"]
    assert sum(f.captured_won for f in fulfilments) == order.total_won
    assert courier_client.get(reverse("courier-jobs")).context["jobs"] == []
    assert audit_ledger().violations == 0
    assert audit_stock().is_clean
    assert audit_orders().is_clean
