"""The main path of a delivery through the services: open, dispatch, pick up, hand over."""

import pytest

from okryu.core.jobs import load_job_handlers, run_due_jobs
from okryu.core.models import BackgroundJob
from okryu.delivery.models import Courier, DeliveryJob, DeliveryJobEvent, JobStatus
from okryu.delivery.services import (
    dispatch,
    hand_over_job,
    pick_up_job,
)
from okryu.delivery.tests.builders import Shop, make_courier
from okryu.notifications.models import OutboxMessage
from okryu.notifications.secret_codes import render_sms_body
from okryu.orders.audit import audit_orders
from okryu.orders.models import Fulfilment
from okryu.orders.services import mark_ready
from okryu.payments.audit import audit_ledger

pytestmark = pytest.mark.django_db


def test_marking_ready_opens_a_waiting_job_whose_code_is_texted_when_it_leaves():
    shop = Shop(weight_grams=1_200)

    job = shop.ready_job(quantity=2)

    assert job.status == JobStatus.WAITING
    assert (job.weight_grams, job.vehicle_needed, job.size_class) == (
        2_400,
        "motorbike",
        "small",
    )
    assert len(job.confirmation_code) == 4
    assert set(job.confirmation_code) <= set("0123456789")
    assert job.fulfilment.status == "ready"
    assert BackgroundJob.objects.filter(kind="delivery.dispatch").count() == 1
    assert list(job.events.values_list("kind", flat=True)) == ["opened"]
    number = job.fulfilment.order.number
    # Only "placed" so far: being ready is the merchant's step, not the shopper's.
    assert OutboxMessage.objects.filter(body__contains=number).count() == 1

    courier = make_courier()
    dispatch()
    pick_up_job(courier_user_id=courier.user_id, job_id=job.pk)

    on_its_way = OutboxMessage.objects.order_by("-pk").first()
    assert on_its_way is not None
    assert number in on_its_way.body
    assert on_its_way.code_ref == job.secret_code.ref  # the row keeps no code
    sent_body = render_sms_body(on_its_way.body, on_its_way.code_ref)[0]
    assert job.confirmation_code in sent_body
    assert "배달을 떠났습니다" in on_its_way.body


def test_a_round_assigns_the_job_then_pick_up_and_the_right_code_capture_the_payment():
    shop = Shop()
    courier = make_courier()
    job = shop.ready_job()

    report = dispatch()
    pick_up_job(courier_user_id=courier.user_id, job_id=job.pk)
    delivered = hand_over_job(
        courier_user_id=courier.user_id, job_id=job.pk, code=job.confirmation_code
    )

    assert [(a.job_id, a.courier_id, a.route_position) for a in report.assigned] == [
        (job.pk, courier.pk, 1)
    ]
    assert delivered.status == JobStatus.DELIVERED
    fulfilment = Fulfilment.objects.get(pk=job.fulfilment_id)
    assert fulfilment.status == "delivered"
    assert fulfilment.captured_won == (
        fulfilment.items_total_won + fulfilment.delivery_fee_won
    )
    assert Courier.objects.get(pk=courier.pk).load_grams == 0
    assert list(
        DeliveryJobEvent.objects.filter(job=job).values_list("kind", flat=True)
    ) == ["opened", "assigned", "picked_up", "delivered"]
    assert audit_orders().is_clean
    assert audit_ledger().violations == 0


def test_the_sweep_opens_a_job_for_a_fulfilment_marked_ready_without_one():
    shop = Shop()
    fulfilment = shop.prepared_fulfilment()
    mark_ready(staff_user_id=shop.staff.pk, fulfilment_id=fulfilment.pk)

    opened = open_missing_jobs_in_a_round()
    again = open_missing_jobs_in_a_round()

    assert (opened, again) == (1, 0)
    assert DeliveryJob.objects.filter(fulfilment=fulfilment).count() == 1


def open_missing_jobs_in_a_round() -> int:
    return dispatch().opened


def test_the_round_queued_when_a_job_opens_assigns_it_in_the_background():
    courier = make_courier()
    job = Shop().ready_job()

    report = run_due_jobs(handlers=load_job_handlers())

    assert (report.claimed, report.done) == (1, 1)
    job.refresh_from_db()
    assert (job.status, job.courier_id) == (JobStatus.ASSIGNED, courier.pk)
