"""A cancelled fulfilment's delivery job closes in the cancellation's own commit."""

import datetime as dt

import pytest
import time_machine

from okryu.core.models import BackgroundJob
from okryu.delivery import jobs as delivery_jobs
from okryu.delivery.audit import DeliveryAudit, audit_delivery
from okryu.delivery.models import Courier, DeliveryJob, DeliveryJobEvent, JobStatus
from okryu.delivery.services import cancelling, dispatch
from okryu.delivery.services.transactions import DISPATCH_JOB_KIND
from okryu.delivery.tests.builders import Shop, make_courier
from okryu.orders import services as orders_services
from okryu.orders.models import Fulfilment

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned():
    """A ready job dispatched to the (only) courier, and the moment its hold has run out."""
    courier = make_courier()
    job = Shop(weight_grams=3_000).ready_job()
    dispatch()
    job.refresh_from_db()
    assert (job.status, job.courier_id) == (JobStatus.ASSIGNED, courier.pk)
    BackgroundJob.objects.filter(kind=DISPATCH_JOB_KIND).delete()
    return job, courier, job.fulfilment.hold_expires_at + dt.timedelta(minutes=1)


def test_a_hold_running_out_closes_the_job_at_once_and_frees_the_courier(assigned):
    job, courier, after_the_hold = assigned

    with time_machine.travel(after_the_hold, tick=False):
        delivery_jobs.expire_fulfilment_hold_job({"fulfilment": job.fulfilment_id})

    job.refresh_from_db()
    assert Fulfilment.objects.get(pk=job.fulfilment_id).status == "cancelled"
    # No dispatch round ran: the cancellation closed the job itself.
    assert (job.status, job.route_position) == (JobStatus.CANCELLED, None)
    assert Courier.objects.get(pk=courier.pk).load_grams == 0
    assert list(job.events.values_list("kind", flat=True)) == [
        "opened",
        "assigned",
        "cancelled",
    ]
    # The courier has room again: a round is queued to use it.
    assert BackgroundJob.objects.filter(kind=DISPATCH_JOB_KIND).count() == 1


def test_a_cancellation_whose_job_cannot_close_is_undone_whole(assigned, monkeypatch):
    """One transaction: when closing the job fails, the fulfilment is not cancelled."""
    job, courier, after_the_hold = assigned

    def broken(**_kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(cancelling, "cancel_closed_jobs", broken)
    with (
        time_machine.travel(after_the_hold, tick=False),
        pytest.raises(RuntimeError, match="power cut"),
    ):
        cancelling.expire_fulfilment_hold(fulfilment_id=job.fulfilment_id)

    job.refresh_from_db()
    assert Fulfilment.objects.get(pk=job.fulfilment_id).status == "ready"
    assert (job.status, job.courier_id) == (JobStatus.ASSIGNED, courier.pk)
    assert Courier.objects.get(pk=courier.pk).load_grams == 3_000


def test_a_hold_not_yet_due_leaves_the_job_alone(assigned):
    job, courier, _after_the_hold = assigned
    events_before = DeliveryJobEvent.objects.count()

    outcome = cancelling.expire_fulfilment_hold(fulfilment_id=job.fulfilment_id)

    assert outcome is None
    assert DeliveryJob.objects.get(pk=job.pk).status == JobStatus.ASSIGNED
    assert Courier.objects.get(pk=courier.pk).load_grams == 3_000
    assert DeliveryJobEvent.objects.count() == events_before


def test_the_job_runner_hands_a_run_out_hold_to_delivery(settings):
    assert settings.OKRYU_JOB_HANDLERS["orders.expire_fulfilment_hold"] == (
        "okryu.delivery.jobs.expire_fulfilment_hold_job"
    )


def test_the_audit_finds_no_open_job_of_a_cancelled_fulfilment_after_a_cancellation(
    assigned,
):
    job, _courier, after_the_hold = assigned

    with time_machine.travel(after_the_hold, tick=False):
        cancelling.expire_fulfilment_hold(fulfilment_id=job.fulfilment_id)

    assert audit_delivery() == DeliveryAudit(
        open_jobs_of_closed_fulfilments=0, loads_not_matching_jobs=0
    )


def test_the_audit_counts_a_job_left_open_by_a_cancellation_that_bypassed_delivery(
    assigned,
):
    job, _courier, after_the_hold = assigned

    with time_machine.travel(after_the_hold, tick=False):
        orders_services.expire_fulfilment_hold(fulfilment_id=job.fulfilment_id)

    assert audit_delivery().open_jobs_of_closed_fulfilments == 1
    dispatch()  # the round's sweep closes it
    assert audit_delivery().is_clean
