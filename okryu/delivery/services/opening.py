"""Opening a delivery job when a fulfilment becomes ready, and closing jobs whose fulfilment
was cancelled before pick-up.

A merchant's "ready" goes through ``mark_ready_for_pickup``, which moves the fulfilment and
opens its job in one transaction. The sweep of every dispatch round opens the job of any
ready fulfilment that has none (one marked ready another way, or before this app existed),
so every ready fulfilment gets exactly one job whichever way it became ready.
"""

from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from okryu.core import clock
from okryu.core.jobs import enqueue_job
from okryu.core.transactions import service_transaction
from okryu.delivery.models import (
    CONFIRMATION_CODE_LENGTH,
    DELIVERY_CODE_PURPOSE,
    Courier,
    DeliveryJob,
    JobEventKind,
    JobStatus,
)
from okryu.delivery.rules import bulkiest_size_class, choose_vehicle
from okryu.delivery.services.transactions import (
    DISPATCH_JOB_KIND,
    enqueue_dispatch,
    record_event,
)
from okryu.notifications.outbox import queue_sms
from okryu.notifications.secret_codes import (
    CODE_PLACEHOLDER,
    SecretCode,
    new_secret_code,
)
from okryu.orders import services as orders
from okryu.orders.models import Fulfilment, OrderLine
from okryu.orders.rules import FulfilmentStatus
from okryu.parcels.thresholds import delivery_thresholds

S = FulfilmentStatus
# Fulfilments in these statuses will never be carried: a job still waiting for them closes.
CLOSED_FULFILMENT_STATUSES = (S.CANCELLED, S.REJECTED)


def new_code_fields(*, replacing: str = "") -> tuple[SecretCode, dict[str, object]]:
    """Return a new confirmation code and the job fields that name it (never the code).

    Four digits derived from a fresh random salt under the issuer's delivery code key; never
    the code it is ``replacing``.
    """
    code = new_secret_code(DELIVERY_CODE_PURPOSE, digits=CONFIRMATION_CODE_LENGTH)
    while replacing and code.reveal() == replacing:
        code = new_secret_code(DELIVERY_CODE_PURPOSE, digits=CONFIRMATION_CODE_LENGTH)
    fields: dict[str, object] = {
        "code_salt": code.salt,
        "code_key_version": code.key_version,
        "code_mac": code.mac_of(code.reveal()),
    }
    return code, fields


def queue_code_sms(*, phone: str, order_number: str, code: SecretCode) -> None:
    """Queue the SMS that tells the shopper the code; the outbox row keeps a placeholder."""
    queue_sms(
        phone=phone,
        body=(
            f"[옥류] 주문 {order_number}: 배달 확인 번호는 {CODE_PLACEHOLDER}입니다. "
            "물건을 받을 때 배달원에게 알려 주십시오."
        ),
        code=code,
    )


@service_transaction(durable=False)
def mark_ready_for_pickup(*, staff_user_id: int, fulfilment_id: int) -> Fulfilment:
    """Mark the staff member's fulfilment ready and open its delivery job, in one transaction.

    Raises what ``orders.services.mark_ready`` raises (NotFound for another merchant's
    fulfilment, TransitionNotAllowed from a status other than preparing), changing nothing.
    The shopper gets the confirmation code by SMS when it leaves; a dispatch round is queued.
    """
    fulfilment = orders.mark_ready(
        staff_user_id=staff_user_id, fulfilment_id=fulfilment_id
    )
    job = open_job(fulfilment_id=fulfilment.pk)
    assert job.fulfilment_id == fulfilment.pk
    enqueue_dispatch()
    return fulfilment


def open_job(*, fulfilment_id: int) -> DeliveryJob:
    """Open the job of a ready fulfilment, or return the one it has (idempotent).

    In the caller's transaction. The vehicle follows from the fulfilment's distance, weight
    and bulkiest product; the job is due at the start of the shopper's slot, or now.
    """
    assert transaction.get_connection().in_atomic_block
    existing = DeliveryJob.objects.filter(fulfilment_id=fulfilment_id).first()
    if existing is not None:
        return existing
    fulfilment = Fulfilment.objects.select_related("order", "merchant").get(
        pk=fulfilment_id
    )
    assert fulfilment.status == S.READY, "a job opens for a ready fulfilment"
    size_class = bulkiest_size_class(
        OrderLine.objects.filter(fulfilment_id=fulfilment_id).values_list(
            "product__size_class", flat=True
        )
    )
    now = clock.now()
    order = fulfilment.order
    _code, code_fields = new_code_fields()
    try:
        # A savepoint: a concurrent sweep may have opened it first (one job per fulfilment).
        with transaction.atomic():
            job = DeliveryJob.objects.create(
                fulfilment=fulfilment,
                pickup_merchant_id=fulfilment.merchant_id,
                pickup_district_id=fulfilment.merchant.district_id,
                dropoff_district_id=order.district_id,
                dropoff_detail=order.address_detail,
                distance_meters=fulfilment.distance_meters,
                weight_grams=fulfilment.weight_grams,
                size_class=size_class,
                vehicle_needed=choose_vehicle(
                    distance_meters=fulfilment.distance_meters,
                    weight_grams=fulfilment.weight_grams,
                    size_class=size_class,
                    thresholds=delivery_thresholds(),
                ),
                due_at=order.slot_starts_at or now,
                **code_fields,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:
        return DeliveryJob.objects.get(fulfilment_id=fulfilment_id)
    record_event(
        job_id=job.pk, kind=JobEventKind.OPENED, actor_id=None, courier_id=None
    )
    if job.due_at > now:
        # Scheduled for its slot: a dispatch round runs when it is due, not before.
        enqueue_job(kind=DISPATCH_JOB_KIND, payload={}, run_at=job.due_at)
    return job


def open_missing_jobs() -> int:
    """Open the job of every ready fulfilment that has none (a bounded batch); return how many.

    In the caller's transaction; idempotent.
    """
    missing = list(
        Fulfilment.objects.filter(status=S.READY, delivery_job__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[: settings.OKRYU_DELIVERY_SWEEP_MAX]
    )
    for fulfilment_id in missing:
        open_job(fulfilment_id=fulfilment_id)
    return len(missing)


def cancel_closed_jobs(*, fulfilment_ids: Sequence[int] | None = None) -> int:
    """Cancel the jobs not yet picked up whose fulfilment was cancelled; return how many.

    In the caller's transaction: a dispatch round's sweep (which holds the dispatch lock)
    looks at every job; the service that cancelled fulfilments passes their ids, so their
    jobs close in the cancellation's own commit. The courier's load goes down by the job's
    weight. Idempotent.
    """
    assert transaction.get_connection().in_atomic_block
    stale_jobs = DeliveryJob.objects.filter(
        status__in=(JobStatus.WAITING, JobStatus.ASSIGNED),
        fulfilment__status__in=CLOSED_FULFILMENT_STATUSES,
    )
    if fulfilment_ids is not None:
        stale_jobs = stale_jobs.filter(fulfilment_id__in=list(fulfilment_ids))
    stale = list(stale_jobs.order_by("pk")[: settings.OKRYU_DELIVERY_SWEEP_MAX])
    now = clock.now()
    cancelled = 0
    for job in stale:
        same = DeliveryJob.objects.filter(pk=job.pk, status=job.status)
        same = (
            same.filter(courier__isnull=True)
            if job.courier_id is None
            else same.filter(courier_id=job.courier_id)
        )
        moved = same.update(
            status=JobStatus.CANCELLED,
            route_position=None,
            estimated_handover_at=None,
            updated_at=now,
        )
        if moved != 1:
            continue
        if job.courier_id is not None:
            unloaded = Courier.objects.filter(
                pk=job.courier_id, load_grams__gte=job.weight_grams
            ).update(load_grams=F("load_grams") - job.weight_grams, updated_at=now)
            assert unloaded == 1, "a courier's load includes their assigned jobs"
        record_event(
            job_id=job.pk,
            kind=JobEventKind.CANCELLED,
            actor_id=None,
            courier_id=job.courier_id,
        )
        cancelled += 1
    return cancelled
