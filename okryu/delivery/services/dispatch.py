"""Dispatch: giving waiting jobs to couriers, by a round of the rules or by an operator's hand.

A round gives each job to the smallest vehicle that fits it, unless a bigger one would reach
the pick-up more than ``OKRYU_DISPATCH_BIGGER_VEHICLE_MINUTES`` sooner (``rules.assign_jobs``):
couriers with room are measured by the rest of their route and the drive; full couriers are
only asked how soon they could come (a job may wait for a smaller vehicle).

Every assignment is two conditional updates in one transaction: the job from waiting to
assigned (``WHERE status = 'waiting'``), then the courier's load up by the job's weight
(``WHERE load_grams <= capacity_grams - weight``). A job is therefore assigned at most once
and no courier's load passes their capacity, whatever runs at the same time; the database's
check constraints refuse the rest. Rounds and hand assignments also take the dispatch lock
(``transactions.take_dispatch_lock``), so on PostgreSQL they queue instead of deadlocking.
"""

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Max

from okryu.accounts.models import District
from okryu.core import clock
from okryu.core.errors import NotFound
from okryu.core.transactions import service_transaction
from okryu.delivery.errors import (
    CourierOffDuty,
    JobLocked,
    OverCapacity,
    TransitionNotAllowed,
    VehicleTooSmall,
)
from okryu.delivery.models import (
    ACTIVE_JOB_STATUSES,
    Courier,
    DeliveryJob,
    JobEventKind,
    JobStatus,
)
from okryu.delivery.rules import (
    ASSIGN_COURIERS_MAX,
    ASSIGN_JOBS_MAX,
    SCHEDULED,
    Assignment,
    CourierState,
    DeliveryThresholds,
    JobToAssign,
    Vehicle,
    assign_jobs,
    estimated_minutes,
    is_scheduled,
    road_distance_meters,
    vehicle_fits,
)
from okryu.delivery.services.opening import cancel_closed_jobs, open_missing_jobs
from okryu.delivery.services.transactions import (
    enqueue_dispatch,
    record_event,
    require_operator,
    take_dispatch_lock,
)
from okryu.parcels.thresholds import delivery_thresholds

Point = tuple[float, float]


@dataclass(frozen=True)
class AssignedJob:
    """One job a round gave to a courier, where on their route, and when it should arrive."""

    job_id: int
    courier_id: int
    route_position: int
    estimated_handover_at: dt.datetime


@dataclass(frozen=True)
class DispatchReport:
    """What one dispatch round did: jobs opened and cancelled by its sweep, and assigned."""

    opened: int
    cancelled: int
    assigned: tuple[AssignedJob, ...]


@dataclass(frozen=True)
class _Stop:
    """A job on its way onto a courier's route."""

    job: DeliveryJob
    pickup_distance_meters: int


@service_transaction(durable=False)
def dispatch(*, operator_user_id: int | None = None) -> DispatchReport:
    """Run one dispatch round and return what it did.

    Opens the missing jobs of ready fulfilments, cancels jobs of cancelled ones, then gives
    waiting, unlocked jobs (due first, at most ``ASSIGN_JOBS_MAX``) to on-duty couriers with
    ``rules.assign_jobs``. ``operator_user_id`` names the operator who asked (PermissionDenied
    for anyone else); None is the automatic round of the job runner. Idempotent: a second
    round with nothing new assigns nothing.
    """
    if operator_user_id is not None:
        require_operator(operator_user_id)
    take_dispatch_lock()
    opened = open_missing_jobs()
    cancelled = cancel_closed_jobs()
    jobs = list(
        DeliveryJob.objects.select_related("pickup_district", "dropoff_district")
        # A job for a later slot waits, scheduled, until it is due.
        .filter(status=JobStatus.WAITING, is_locked=False, due_at__lte=clock.now())
        .order_by("due_at", "pk")[:ASSIGN_JOBS_MAX]
    )
    couriers, coming = _couriers_on_duty()
    thresholds = delivery_thresholds()
    assignments = assign_jobs(
        [_job_to_assign(job) for job in jobs],
        couriers,
        thresholds,
        coming=coming,
        bigger_vehicle_minutes=settings.OKRYU_DISPATCH_BIGGER_VEHICLE_MINUTES,
    )
    assigned = _write_assignments(
        assignments,
        jobs={job.pk: job for job in jobs},
        couriers=Courier.objects.select_related("district").in_bulk(
            {assignment.courier_id for assignment in assignments}
        ),
        actor_id=operator_user_id,
        thresholds=thresholds,
    )
    return DispatchReport(opened=opened, cancelled=cancelled, assigned=tuple(assigned))


def _point(district: District) -> Point:
    return (district.latitude, district.longitude)


def _job_to_assign(job: DeliveryJob) -> JobToAssign:
    return JobToAssign(
        job_id=job.pk,
        pickup=_point(job.pickup_district),
        dropoff=_point(job.dropoff_district),
        weight_grams=job.weight_grams,
        size_class=job.size_class,
    )


def _couriers_on_duty() -> tuple[list[CourierState], list[CourierState]]:
    """Return the on-duty couriers with room (they may be given jobs) and those full (they
    are coming free: they tell dispatch how soon a smaller vehicle could come), each with
    the minutes left on their route. Two queries, each bounded."""
    on_duty = list(
        Courier.objects.select_related("district")
        .filter(is_on_duty=True)
        .order_by("pk")[: 2 * ASSIGN_COURIERS_MAX]
    )
    ends = dict(
        DeliveryJob.objects.filter(
            courier_id__in=[courier.pk for courier in on_duty],
            status__in=ACTIVE_JOB_STATUSES,
        )
        .values("courier_id")
        .annotate(end=Max("estimated_handover_at"))
        .values_list("courier_id", "end")
    )
    now = clock.now()
    with_room: list[CourierState] = []
    full: list[CourierState] = []
    for courier in on_duty:
        state = _courier_state(courier, free_at=ends.get(courier.pk), now=now)
        (with_room if courier.load_grams < courier.capacity_grams else full).append(
            state
        )
    return with_room[:ASSIGN_COURIERS_MAX], full[:ASSIGN_COURIERS_MAX]


def _courier_state(
    courier: Courier, *, free_at: dt.datetime | None, now: dt.datetime
) -> CourierState:
    left_seconds = (free_at - now).total_seconds() if free_at is not None else 0
    return CourierState(
        courier_id=courier.pk,
        vehicle=Vehicle(courier.vehicle),
        position=_point(courier.district),
        capacity_grams=courier.capacity_grams,
        load_grams=courier.load_grams,
        # A started minute counts whole; a route estimated to have ended counts as none.
        free_in_minutes=max(0, math.ceil(left_seconds / 60)),
    )


def _write_assignments(
    assignments: list[Assignment],
    *,
    jobs: dict[int, DeliveryJob],
    couriers: dict[int, Courier],
    actor_id: int | None,
    thresholds: DeliveryThresholds,
) -> list[AssignedJob]:
    by_courier: dict[int, list[_Stop]] = defaultdict(list)
    for assignment in assignments:
        by_courier[assignment.courier_id].append(
            _Stop(jobs[assignment.job_id], assignment.pickup_distance_meters)
        )
    written: list[AssignedJob] = []
    for courier_id, stops in sorted(by_courier.items()):
        written.extend(
            _put_on_route(
                couriers[courier_id],
                stops,
                actor_id=actor_id,
                thresholds=thresholds,
            )
        )
    return written


def _route_order(stops: list[_Stop]) -> list[_Stop]:
    """Order stops of one pick-up by nearest next drop-off (a greedy tour, good enough)."""
    remaining = list(stops)
    ordered: list[_Stop] = []
    here = _point(stops[0].job.pickup_district)
    while remaining:
        nearest = min(
            remaining,
            key=lambda stop: (
                road_distance_meters(here, _point(stop.job.dropoff_district)),
                stop.job.pk,
            ),
        )
        remaining.remove(nearest)
        ordered.append(nearest)
        here = _point(nearest.job.dropoff_district)
    return ordered


def _route_end(courier: Courier) -> tuple[int, dt.datetime]:
    """Return the last route position of the courier's active jobs and when it ends."""
    found = DeliveryJob.objects.filter(
        courier=courier, status__in=ACTIVE_JOB_STATUSES
    ).aggregate(
        position=Max("route_position"), handover_at=Max("estimated_handover_at")
    )
    now = clock.now()
    handover_at = found["handover_at"]
    return found["position"] or 0, max(handover_at, now) if handover_at else now


def _put_on_route(
    courier: Courier,
    stops: list[_Stop],
    *,
    actor_id: int | None,
    thresholds: DeliveryThresholds,
) -> list[AssignedJob]:
    """Assign the stops to the courier after their current route; skip any that lost a race.

    The estimate: from the end of the courier's current route, the drive to the pick-up and
    then from drop-off to drop-off, with a hand-over at each stop before.
    """
    position, start_at = _route_end(courier)
    vehicle = Vehicle(courier.vehicle)
    written: list[AssignedJob] = []
    # The rules count the drive to the pick-up once per batch (the others at 0 metres).
    driven_meters = max(stop.pickup_distance_meters for stop in stops)
    here = _point(stops[0].job.pickup_district)
    for stop in _route_order(stops):
        job = stop.job
        driven_meters += road_distance_meters(here, _point(job.dropoff_district))
        here = _point(job.dropoff_district)
        minutes = estimated_minutes(
            distance_meters=driven_meters,
            vehicle=vehicle,
            preparation_minutes=thresholds.handover_minutes * len(written),
            thresholds=thresholds,
        )
        handover_at = start_at + dt.timedelta(minutes=minutes)
        if not assign_one(job, courier, position=position + 1, handover_at=handover_at):
            continue
        position += 1
        record_event(
            job_id=job.pk,
            kind=JobEventKind.ASSIGNED,
            actor_id=actor_id,
            courier_id=courier.pk,
        )
        written.append(AssignedJob(job.pk, courier.pk, position, handover_at))
    return written


def assign_one(
    job: DeliveryJob, courier: Courier, *, position: int, handover_at: dt.datetime
) -> bool:
    """Move a waiting job onto the courier's route; False (nothing changed) if either refused.

    The job must still be waiting and unlocked; the courier on duty with room for its weight.
    """
    now = clock.now()
    moved = DeliveryJob.objects.filter(
        pk=job.pk, status=JobStatus.WAITING, is_locked=False
    ).update(
        status=JobStatus.ASSIGNED,
        courier=courier,
        route_position=position,
        estimated_handover_at=handover_at,
        assigned_at=now,
        updated_at=now,
    )
    if moved != 1:
        return False
    loaded = Courier.objects.filter(
        pk=courier.pk,
        is_on_duty=True,
        load_grams__lte=F("capacity_grams") - job.weight_grams,
    ).update(load_grams=F("load_grams") + job.weight_grams, updated_at=now)
    if loaded != 1:
        undone = DeliveryJob.objects.filter(
            pk=job.pk, status=JobStatus.ASSIGNED, courier=courier
        ).update(**waiting_fields(now))
        assert undone == 1
        return False
    return True


def waiting_fields(now: dt.datetime) -> dict[str, object]:
    """Return the column values of a job back to waiting for a courier."""
    return {
        "status": JobStatus.WAITING,
        "courier": None,
        "route_position": None,
        "estimated_handover_at": None,
        "assigned_at": None,
        "picked_up_at": None,
        "updated_at": now,
    }


def release_job(job: DeliveryJob, *, actor_id: int | None, kind: JobEventKind) -> None:
    """Take an assigned job off its courier's route, back to waiting; their load goes down.

    In the caller's transaction; raises TransitionNotAllowed when it was picked up meanwhile.
    """
    assert job.courier_id is not None
    now = clock.now()
    moved = DeliveryJob.objects.filter(
        pk=job.pk, status=JobStatus.ASSIGNED, courier_id=job.courier_id
    ).update(**waiting_fields(now))
    if moved != 1:
        raise TransitionNotAllowed(
            "배달이 방금 바뀌었습니다. 다시 확인하십시오.", status=job.status
        )
    unloaded = Courier.objects.filter(
        pk=job.courier_id, load_grams__gte=job.weight_grams
    ).update(load_grams=F("load_grams") - job.weight_grams, updated_at=now)
    assert unloaded == 1, "a courier's load includes their assigned jobs"
    record_event(job_id=job.pk, kind=kind, actor_id=actor_id, courier_id=job.courier_id)


def _operator_job(job_id: int) -> DeliveryJob:
    job = (
        DeliveryJob.objects.select_related("pickup_district", "dropoff_district")
        .filter(pk=job_id)
        .first()
    )
    if job is None:
        raise NotFound("배달을 찾을 수 없습니다.")
    return job


@service_transaction(durable=False)
def assign_job(*, operator_user_id: int, job_id: int, courier_id: int) -> DeliveryJob:
    """Give a waiting or assigned job to the named courier, by an operator's hand.

    Refused, changing nothing: PermissionDenied (not an operator); NotFound (no such job or
    courier); TransitionNotAllowed (picked up, delivered or cancelled); JobLocked;
    CourierOffDuty; VehicleTooSmall; OverCapacity. Assigning a job to its own courier
    returns it unchanged. A job taken from another courier frees their room: a round follows.
    """
    require_operator(operator_user_id)
    take_dispatch_lock()
    job = _operator_job(job_id)
    courier = Courier.objects.select_related("district").filter(pk=courier_id).first()
    if courier is None:
        raise NotFound("배달원을 찾을 수 없습니다.")
    _check_assignable(job, courier)
    if job.courier_id == courier.pk:
        return job
    if job.status == JobStatus.ASSIGNED:
        release_job(job, actor_id=operator_user_id, kind=JobEventKind.UNASSIGNED)
        enqueue_dispatch()
        job.refresh_from_db()
    stop = _Stop(
        job,
        road_distance_meters(_point(courier.district), _point(job.pickup_district)),
    )
    written = _put_on_route(
        courier, [stop], actor_id=operator_user_id, thresholds=delivery_thresholds()
    )
    if not written:
        raise OverCapacity("배달원의 적재량을 넘습니다.")
    job.refresh_from_db()
    assert job.courier_id == courier.pk
    return job


def _check_assignable(job: DeliveryJob, courier: Courier) -> None:
    if job.status not in (JobStatus.WAITING, JobStatus.ASSIGNED):
        raise TransitionNotAllowed("배정할 수 없는 배달입니다.", status=str(job.status))
    if is_scheduled(status=job.status, due_at=job.due_at, now=clock.now()):
        raise TransitionNotAllowed(
            "아직 배달 시간이 되지 않은 배달입니다.", status=SCHEDULED
        )
    if job.is_locked:
        raise JobLocked("확인 번호를 여러 번 틀려 잠긴 배달입니다.")
    if job.courier_id == courier.pk:
        return
    if not courier.is_on_duty:
        raise CourierOffDuty("근무 중이 아닌 배달원입니다.")
    if not vehicle_fits(Vehicle(courier.vehicle), Vehicle(job.vehicle_needed)):
        raise VehicleTooSmall("이 배달에는 화물차가 필요합니다.")
    if courier.load_grams + job.weight_grams > courier.capacity_grams:
        raise OverCapacity("배달원의 적재량을 넘습니다.")


@service_transaction(durable=False)
def unassign_job(*, operator_user_id: int, job_id: int) -> DeliveryJob:
    """Take an assigned job off its courier's route, back to waiting (an operator's hand).

    Refused, changing nothing: PermissionDenied; NotFound; TransitionNotAllowed (not
    assigned: waiting, picked up, delivered or cancelled). A round is queued, which may give
    the job to another courier, or to the same one.
    """
    require_operator(operator_user_id)
    take_dispatch_lock()
    job = _operator_job(job_id)
    if job.status != JobStatus.ASSIGNED:
        raise TransitionNotAllowed("배정된 배달이 아닙니다.", status=str(job.status))
    release_job(job, actor_id=operator_user_id, kind=JobEventKind.UNASSIGNED)
    enqueue_dispatch()
    job.refresh_from_db()
    assert job.status == JobStatus.WAITING
    return job
