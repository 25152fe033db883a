"""Reads of delivery for the courier's terminal, the logistics office and the shopper's order.

A courier sees only the jobs on (or delivered from) their route; the office's overview is for
operators only; the shopper's view of a delivery is given per fulfilment id, and the caller
passes only ids of the shopper's own fulfilments (it is the one place the code is shown).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from okryu.core import clock
from okryu.core.errors import NotFound
from okryu.delivery.models import ACTIVE_JOB_STATUSES, Courier, DeliveryJob, JobStatus
from okryu.delivery.rules import shown_job_status
from okryu.delivery.services.transactions import courier_of_user, require_operator

# Fulfilments asked at once, at most: a full page of orders (100) of 50 merchants each.
FULFILMENT_IDS_MAX = 5_000
# The code is shown while it may still be needed at the door.
CODE_SHOWN_STATUSES = frozenset(
    {JobStatus.WAITING, JobStatus.ASSIGNED, JobStatus.PICKED_UP}
)


def _jobs_with_places() -> QuerySet[DeliveryJob]:
    return DeliveryJob.objects.select_related(
        "pickup_merchant",
        "pickup_district",
        "dropoff_district",
        "fulfilment__order__shopper",
        "courier__user",
    )


@dataclass(frozen=True)
class Recipient:
    """Who takes a delivery at the door: the shopper's name, and the order's phone while the
    job is on a courier's route (None once it is handed over, cancelled or back waiting)."""

    name: str
    phone: str | None


def recipient_of(job: DeliveryJob) -> Recipient:
    """Return the recipient of ``job`` as its courier (or the office) may see them."""
    order = job.fulfilment.order
    shopper = order.shopper
    is_on_route = job.status in ACTIVE_JOB_STATUSES
    return Recipient(
        name=shopper.display_name or shopper.username,
        phone=(order.contact_phone or None) if is_on_route else None,
    )


def find_courier_for_user(*, user_id: int) -> Courier | None:
    """Return the courier row of the person, or None when they are not a courier."""
    return Courier.objects.select_related("district").filter(user_id=user_id).first()


def list_jobs_for_courier(*, courier_user_id: int) -> list[DeliveryJob]:
    """Return the courier's assigned and picked-up jobs in route order (bounded).

    PermissionDenied for a person who is not a registered courier.
    """
    courier = courier_of_user(courier_user_id)
    return list(
        _jobs_with_places()
        .filter(courier=courier, status__in=ACTIVE_JOB_STATUSES)
        .order_by("route_position", "pk")[: settings.OKRYU_DELIVERY_LIST_MAX]
    )


def get_job_for_courier(*, courier_user_id: int, job_id: int) -> DeliveryJob:
    """Return one job on (or delivered from) the courier's route; NotFound for any other."""
    courier = courier_of_user(courier_user_id)
    job = _jobs_with_places().filter(pk=job_id, courier=courier).first()
    if job is None:
        raise NotFound("배달을 찾을 수 없습니다.")
    return job


def check_fulfilment_on_courier_route(
    *, courier_user_id: int, fulfilment_id: int
) -> None:
    """Refuse (NotFound) a fulfilment whose job is not on, or delivered from, the courier's route.

    For the courier's terminal: a courier takes payment only for parcels they carry.
    """
    courier = courier_of_user(courier_user_id)
    if not DeliveryJob.objects.filter(
        fulfilment_id=fulfilment_id, courier=courier
    ).exists():
        raise NotFound("배달을 찾을 수 없습니다.")


@dataclass(frozen=True)
class CourierWithJobs:
    """A courier, their load and the jobs on their route, in route order."""

    courier: Courier
    jobs: tuple[DeliveryJob, ...]


@dataclass(frozen=True)
class OfficeOverview:
    """The logistics office's board: jobs waiting (due first), locked jobs, couriers."""

    waiting_jobs: tuple[DeliveryJob, ...]
    locked_jobs: tuple[DeliveryJob, ...]
    couriers: tuple[CourierWithJobs, ...]


def get_office_overview(*, operator_user_id: int) -> OfficeOverview:
    """Return the office's board; PermissionDenied for anyone but an operator.

    Every list holds at most ``OKRYU_DELIVERY_LIST_MAX`` rows; couriers on duty come first.
    """
    require_operator(operator_user_id)
    limit = settings.OKRYU_DELIVERY_LIST_MAX
    waiting = _jobs_with_places().filter(status=JobStatus.WAITING)
    locked = _jobs_with_places().filter(
        is_locked=True, status__in=(JobStatus.WAITING, *ACTIVE_JOB_STATUSES)
    )
    couriers = list(
        Courier.objects.select_related("user", "district").order_by(
            "-is_on_duty", "pk"
        )[:limit]
    )
    jobs_by_courier: dict[int, list[DeliveryJob]] = {c.pk: [] for c in couriers}
    active = _jobs_with_places().filter(
        courier_id__in=list(jobs_by_courier), status__in=ACTIVE_JOB_STATUSES
    )
    for job in active.order_by("courier_id", "route_position", "pk")[: limit * 10]:
        assert job.courier_id is not None
        jobs_by_courier[job.courier_id].append(job)
    return OfficeOverview(
        waiting_jobs=tuple(waiting.order_by("due_at", "pk")[:limit]),
        locked_jobs=tuple(locked.order_by("locked_at", "pk")[:limit]),
        couriers=tuple(
            CourierWithJobs(courier, tuple(jobs_by_courier[courier.pk]))
            for courier in couriers
        ),
    )


@dataclass(frozen=True)
class FulfilmentDelivery:
    """The delivery of one fulfilment as its shopper sees it."""

    status: str
    vehicle: str
    courier: str | None
    eta: dt.datetime | None
    confirmation_code: str | None

    def as_api_dict(self) -> dict[str, Any]:
        """Return it as API.md's ``delivery`` of a fulfilment (``eta`` in ISO 8601)."""
        return {
            "status": self.status,
            "vehicle": self.vehicle,
            "courier": self.courier,
            "eta": self.eta.isoformat() if self.eta else None,
            "confirmation_code": self.confirmation_code,
        }


def delivery_for_fulfilments(
    fulfilment_ids: Iterable[int],
) -> dict[int, FulfilmentDelivery]:
    """Return the delivery of each fulfilment that has a job, by fulfilment id (one query).

    For the shopper's own fulfilments only (the caller filtered them): the confirmation code
    is in it while the job is open. ``vehicle`` is the courier's once assigned, else the one
    the job needs; ``courier`` the courier's display name once assigned.
    """
    wanted = list(fulfilment_ids)
    assert len(wanted) <= FULFILMENT_IDS_MAX
    if not wanted:
        return {}
    jobs = DeliveryJob.objects.select_related("courier__user").filter(
        fulfilment_id__in=wanted
    )
    found: dict[int, FulfilmentDelivery] = {}
    now = clock.now()
    for job in jobs:
        courier = job.courier
        has_courier = courier is not None and job.status != JobStatus.CANCELLED
        found[job.fulfilment_id] = FulfilmentDelivery(
            status=shown_job_status(status=job.status, due_at=job.due_at, now=now),
            vehicle=str(courier.vehicle if courier else job.vehicle_needed),
            courier=str(courier.user) if courier and has_courier else None,
            eta=job.estimated_handover_at
            if job.status in ACTIVE_JOB_STATUSES
            else None,
            confirmation_code=job.confirmation_code
            if job.status in CODE_SHOWN_STATUSES
            else None,
        )
    return found
