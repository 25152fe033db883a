"""Tracking on the shopper's order page: each part's delivery, and the code for its owner only."""

import pytest
from django.test import Client
from django.urls import reverse

from okryu.accounts.models import Role
from okryu.delivery.models import DeliveryJob
from okryu.delivery.services import (
    dispatch,
    fail_delivery,
    hand_over_job,
    pick_up_job,
)
from okryu.delivery.tests.builders import Shop, make_courier
from okryu.delivery.tests.codes import make_codes_distinctive, occurs
from okryu.orders.tests.builders import make_user_with_role

pytestmark = pytest.mark.django_db

HAND_OVER_LINE = "물건을 받을 때 배달원에게만 알려 주십시오."


@pytest.fixture
def shop() -> Shop:
    return Shop(weight_grams=1_000)


def order_page(client: Client, job: DeliveryJob) -> str:
    response = client.get(reverse("order", args=[job.fulfilment.order_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_waiting_delivery_shows_its_status_and_the_code_in_large_type(
    client: Client, shop
):
    job = shop.ready_job()
    client.force_login(shop.shopper)

    page = order_page(client, job)

    assert '<strong class="delivery-status">배정 대기</strong>' in page
    assert f'<strong class="code">{job.confirmation_code}</strong>' in page
    assert HAND_OVER_LINE in page


def test_an_assigned_delivery_names_the_courier_vehicle_and_time(client: Client, shop):
    courier = make_courier(vehicle="van")
    job = shop.ready_job()
    dispatch()
    job.refresh_from_db()
    client.force_login(shop.shopper)

    page = order_page(client, job)

    assert '<strong class="delivery-status">배정됨</strong> · 화물차' in page
    assert f"배달원 {courier.user}" in page
    assert job.estimated_handover_at is not None
    assert "도착 예정" in page
    assert f'<strong class="code">{job.confirmation_code}</strong>' in page


def test_a_delivered_order_shows_delivered_and_no_code(client: Client, shop):
    courier = make_courier()
    job = shop.ready_job()
    dispatch()
    pick_up_job(courier_user_id=courier.user_id, job_id=job.pk)
    hand_over_job(
        courier_user_id=courier.user_id, job_id=job.pk, code=job.confirmation_code
    )
    client.force_login(shop.shopper)

    page = order_page(client, job)

    assert '<strong class="delivery-status">배달 완료</strong>' in page
    assert 'class="code"' not in page
    assert HAND_OVER_LINE not in page


def test_a_failed_hand_over_tells_the_shopper_the_couriers_reason(client: Client, shop):
    courier = make_courier()
    job = shop.ready_job()
    dispatch()
    pick_up_job(courier_user_id=courier.user_id, job_id=job.pk)
    fail_delivery(
        courier_user_id=courier.user_id, job_id=job.pk, reason="집에 아무도 없음"
    )
    client.force_login(shop.shopper)

    page = order_page(client, job)
    back = job.fulfilment.events.order_by("-pk").first()

    assert back is not None
    assert (back.to_status, back.note) == ("ready", "집에 아무도 없음")
    assert "준비 완료" in page
    assert "— 집에 아무도 없음" in page


def test_an_order_without_a_delivery_job_shows_no_delivery(client: Client, shop):
    fulfilment = shop.prepared_fulfilment()
    client.force_login(shop.shopper)

    response = client.get(reverse("order", args=[fulfilment.order_id]))

    assert 'class="delivery"' not in response.content.decode()


@pytest.mark.parametrize("role", [Role.SHOPPER, Role.COURIER, Role.OPERATOR])
def test_nobody_but_the_shopper_sees_the_order_and_its_code(
    client: Client, shop, role, monkeypatch
):
    make_codes_distinctive(monkeypatch)
    job = shop.ready_job()
    client.force_login(make_user_with_role(role))

    response = client.get(reverse("order", args=[job.fulfilment.order_id]))

    assert response.status_code == 404
    assert not occurs(job.confirmation_code, response.content.decode())
