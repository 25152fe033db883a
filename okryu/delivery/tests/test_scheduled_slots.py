"""A fulfilment for a later slot is carried for that slot: its job waits, scheduled, and no
courier gets it before it is due, however early the kitchen is ready."""

import datetime as dt

import pytest
import time_machine

from okryu.accounts.models import Role
from okryu.core.jobs import load_job_handlers, run_due_jobs
from okryu.core.models import BackgroundJob, BackgroundJobStatus
from okryu.delivery.errors import TransitionNotAllowed
from okryu.delivery.models import DeliveryJob, JobStatus
from okryu.delivery.queries import delivery_for_fulfilments
from okryu.delivery.services import assign_job, dispatch, mark_ready_for_pickup
from okryu.delivery.services.transactions import DISPATCH_JOB_KIND
from okryu.delivery.tests.builders import Shop, make_courier
from okryu.orders.models import Fulfilment
from okryu.orders.services import accept_fulfilment, place_order, start_preparing
from okryu.orders.tests.builders import checkout, make_user_with_role

pytestmark = pytest.mark.django_db

# 2026-12-01 08:55 in Pyongyang (UTC+9); the shopper chooses the 11:00 slot.
BEFORE_OPENING = dt.datetime(
    2026, 12, 1, 8, 55, tzinfo=dt.timezone(dt.timedelta(hours=9))
)
SLOT = BEFORE_OPENING.replace(hour=11, minute=0)


def _ready_for_the_slot(shop: Shop) -> DeliveryJob:
    placed = place_order(
        shopper_id=shop.shopper.pk,
        checkout=checkout(shop.card, [(shop.product, 1)], slot_starts_at=SLOT),
        idempotency_key="for-eleven",
    )
    fulfilment = Fulfilment.objects.get(order_id=placed.order_id)
    accept_fulfilment(staff_user_id=shop.staff.pk, fulfilment_id=fulfilment.pk)
    start_preparing(staff_user_id=shop.staff.pk, fulfilment_id=fulfilment.pk)
    mark_ready_for_pickup(staff_user_id=shop.staff.pk, fulfilment_id=fulfilment.pk)
    return DeliveryJob.objects.get(fulfilment=fulfilment)


def test_no_courier_is_given_a_job_for_a_later_slot_before_it_is_due():
    with time_machine.travel(BEFORE_OPENING, tick=False) as traveller:
        shop = Shop()
        courier = make_courier()
        job = _ready_for_the_slot(shop)

        assert job.due_at == SLOT
        assert dispatch().assigned == ()
        traveller.move_to(SLOT - dt.timedelta(minutes=1))
        assert dispatch().assigned == ()
        job.refresh_from_db()
        assert (job.status, job.courier_id) == (JobStatus.WAITING, None)

        traveller.move_to(SLOT)
        run_due_jobs(handlers=load_job_handlers())

        job.refresh_from_db()
        assert (job.status, job.courier_id) == (JobStatus.ASSIGNED, courier.pk)
        assert job.assigned_at is not None
        assert job.assigned_at >= SLOT


def test_a_round_is_queued_for_the_moment_a_scheduled_job_falls_due():
    with time_machine.travel(BEFORE_OPENING, tick=False):
        job = _ready_for_the_slot(Shop())

        assert BackgroundJob.objects.filter(
            kind=DISPATCH_JOB_KIND,
            run_at=job.due_at,
            status=BackgroundJobStatus.PENDING,
        ).exists()


def test_the_shopper_sees_a_job_for_a_later_slot_as_scheduled_until_it_is_due():
    with time_machine.travel(BEFORE_OPENING, tick=False) as traveller:
        job = _ready_for_the_slot(Shop())

        before = delivery_for_fulfilments([job.fulfilment_id])[job.fulfilment_id]
        traveller.move_to(SLOT)
        due = delivery_for_fulfilments([job.fulfilment_id])[job.fulfilment_id]

        assert (before.status, due.status) == ("scheduled", "waiting")


def test_the_office_cannot_hand_a_scheduled_job_to_a_courier_before_its_slot():
    with time_machine.travel(BEFORE_OPENING, tick=False):
        job = _ready_for_the_slot(Shop())
        courier = make_courier()
        operator = make_user_with_role(Role.OPERATOR)

        with pytest.raises(TransitionNotAllowed) as refusal:
            assign_job(
                operator_user_id=operator.pk, job_id=job.pk, courier_id=courier.pk
            )

        assert refusal.value.extra["status"] == "scheduled"
        job.refresh_from_db()
        assert job.courier_id is None


def test_a_job_without_a_slot_is_given_out_at_once():
    with time_machine.travel(BEFORE_OPENING, tick=False):
        shop = Shop()
        courier = make_courier()
        job = shop.ready_job()

        dispatch()

        job.refresh_from_db()
        assert (job.status, job.courier_id) == (JobStatus.ASSIGNED, courier.pk)
