"""The courier's use cases: duty and district, pick-up, hand-over against the code, failure.

Each moves the job and its fulfilment together in one transaction, through the orders
services (``send_out``, ``deliver``, ``return_delivery_attempt``), so the job and the order
never disagree; an orders refusal (a hold that ran out, a door payment not yet recorded)
propagates with its own code and changes nothing.
"""

import datetime as dt

from django.conf import settings
from django.db.models import F

from okryu.accounts.models import District, Role
from okryu.accounts.queries import holds_role
from okryu.core import clock
from okryu.core.errors import DomainError, InvalidInput, NotFound
from okryu.core.transactions import raise_if_refused, service_transaction
from okryu.delivery.errors import (
    CourierStillCarrying,
    JobLocked,
    OverCapacity,
    TransitionNotAllowed,
    WrongConfirmationCode,
)
from okryu.delivery.models import (
    CONFIRMATION_CODE_LENGTH,
    Courier,
    DeliveryJob,
    JobEventKind,
    JobStatus,
    VehicleChoices,
)
from okryu.delivery.services.dispatch import release_job, waiting_fields
from okryu.delivery.services.opening import new_code_fields, queue_code_sms
from okryu.delivery.services.transactions import (
    courier_of_user,
    enqueue_dispatch,
    record_event,
    require_operator,
    take_dispatch_lock,
)
from okryu.notifications.outbox import queue_sms
from okryu.orders import services as orders

ASCII_DIGITS = frozenset("0123456789")
REASON_LENGTH_MAX = 200
# A van carries at most 2 tonnes here; a larger figure is a typing mistake.
CAPACITY_GRAMS_MAX = 2_000_000


def _courier_job(courier: Courier, job_id: int) -> DeliveryJob:
    """Return a job on (or delivered from) this courier's route; NotFound for any other."""
    job = (
        DeliveryJob.objects.select_related("fulfilment__order")
        .filter(pk=job_id, courier=courier)
        .first()
    )
    if job is None:
        raise NotFound("배달을 찾을 수 없습니다.")
    return job


def _refused_move(job: DeliveryJob) -> TransitionNotAllowed:
    return TransitionNotAllowed(
        "이 배달은 지금 그렇게 할 수 없습니다.", status=str(job.status)
    )


@service_transaction(durable=False)
def pick_up_job(*, courier_user_id: int, job_id: int) -> DeliveryJob:
    """Take an assigned job's goods from the merchant: the fulfilment goes out for delivery.

    Refused, changing nothing: PermissionDenied (not a courier); NotFound (not on this
    courier's route); TransitionNotAllowed (not assigned). Picking up a job already picked
    up by this courier returns it unchanged (a repeated tap).
    """
    courier = courier_of_user(courier_user_id)
    job = _courier_job(courier, job_id)
    if job.status == JobStatus.PICKED_UP:
        return job
    now = clock.now()
    moved = DeliveryJob.objects.filter(
        pk=job.pk, status=JobStatus.ASSIGNED, courier=courier
    ).update(
        status=JobStatus.PICKED_UP,
        picked_up_at=now,
        attempts_count=F("attempts_count") + 1,
        updated_at=now,
    )
    if moved != 1:
        raise _refused_move(job)
    orders.send_out(
        actor_user_id=courier_user_id,
        fulfilment_id=job.fulfilment_id,
        confirmation_code=job.secret_code,
    )
    record_event(
        job_id=job.pk,
        kind=JobEventKind.PICKED_UP,
        actor_id=courier_user_id,
        courier_id=courier.pk,
    )
    job.refresh_from_db()
    assert job.status == JobStatus.PICKED_UP
    return job


def check_code_shape(code: object) -> str:
    """Return ``code`` if it is exactly four ASCII digits; InvalidInput (field code) else."""
    if (
        not isinstance(code, str)
        or len(code) != CONFIRMATION_CODE_LENGTH
        or not set(code) <= ASCII_DIGITS
    ):
        raise InvalidInput("확인 번호는 숫자 4자리입니다.", field="code")
    return code


def hand_over_job(*, courier_user_id: int, job_id: int, code: str) -> DeliveryJob:
    """Hand a picked-up job over against the shopper's code: the payment is captured.

    Refused, changing nothing: InvalidInput (``code`` not four ASCII digits, checked first);
    PermissionDenied; NotFound; TransitionNotAllowed (not picked up); JobLocked (locked
    before); any refusal of ``orders.services.deliver``. A wrong code is counted and
    committed, then refused with WrongConfirmationCode (``attempts_left``); the wrong code
    that reaches ``OKRYU_DELIVERY_CODE_ATTEMPTS_MAX`` locks the job (JobLocked) until an
    operator unlocks it. Repeating the right code for a delivered job returns it unchanged.

    Durable: the count of wrong codes must commit even though the call is refused, so it
    cannot run inside a caller's transaction.
    """
    check_code_shape(code)
    # A wrong code comes back as a value, so its count commits before it is raised.
    return raise_if_refused(
        _hand_over_job(courier_user_id=courier_user_id, job_id=job_id, code=code)
    )


@service_transaction(durable=True)
def _hand_over_job(
    *, courier_user_id: int, job_id: int, code: str
) -> DeliveryJob | DomainError:
    courier = courier_of_user(courier_user_id)
    job = _courier_job(courier, job_id)
    is_right = job.is_confirmed_by(code)
    if job.status == JobStatus.DELIVERED and is_right:
        return job
    if job.status != JobStatus.PICKED_UP:
        raise _refused_move(job)
    if job.is_locked:
        raise JobLocked(
            "확인 번호를 여러 번 틀려 잠겼습니다. 배달 사무실에 연락하십시오."
        )
    if not is_right:
        return _count_wrong_code(job, courier_user_id=courier_user_id)
    _deliver(job, courier)
    job.refresh_from_db()
    assert job.status == JobStatus.DELIVERED
    return job


def _deliver(job: DeliveryJob, courier: Courier) -> None:
    orders.deliver(actor_user_id=courier.user_id, fulfilment_id=job.fulfilment_id)
    now = clock.now()
    moved = DeliveryJob.objects.filter(
        pk=job.pk, status=JobStatus.PICKED_UP, courier=courier, is_locked=False
    ).update(
        status=JobStatus.DELIVERED,
        delivered_at=now,
        route_position=None,
        updated_at=now,
    )
    if moved != 1:
        raise _refused_move(job)
    _unload(courier.pk, job.weight_grams, now=now)
    record_event(
        job_id=job.pk,
        kind=JobEventKind.DELIVERED,
        actor_id=courier.user_id,
        courier_id=courier.pk,
    )
    enqueue_dispatch()


def _unload(courier_id: int, weight_grams: int, *, now: dt.datetime) -> None:
    unloaded = Courier.objects.filter(
        pk=courier_id, load_grams__gte=weight_grams
    ).update(load_grams=F("load_grams") - weight_grams, updated_at=now)
    assert unloaded == 1, "a courier's load includes the jobs on their route"


def _count_wrong_code(job: DeliveryJob, *, courier_user_id: int) -> DomainError:
    """Count one wrong code (conditionally, so concurrent ones all count) and lock at the max."""
    now = clock.now()
    counted = DeliveryJob.objects.filter(pk=job.pk, is_locked=False).update(
        wrong_code_count=F("wrong_code_count") + 1, updated_at=now
    )
    assert counted == 1
    job.refresh_from_db(fields=["wrong_code_count"])
    attempts_max = settings.OKRYU_DELIVERY_CODE_ATTEMPTS_MAX
    if job.wrong_code_count < attempts_max:
        record_event(
            job_id=job.pk,
            kind=JobEventKind.WRONG_CODE,
            actor_id=courier_user_id,
            courier_id=job.courier_id,
        )
        return WrongConfirmationCode(
            "확인 번호가 틀렸습니다.",
            attempts_left=attempts_max - job.wrong_code_count,
        )
    DeliveryJob.objects.filter(pk=job.pk).update(is_locked=True, locked_at=now)
    record_event(
        job_id=job.pk,
        kind=JobEventKind.LOCKED,
        actor_id=courier_user_id,
        courier_id=job.courier_id,
    )
    order = job.fulfilment.order
    queue_sms(
        phone=order.contact_phone,
        body=(
            f"[옥류] 주문 {order.number}: 확인 번호가 여러 번 틀려 배달을 멈췄습니다. "
            "배달 사무실에서 전화드리겠습니다."
        ),
    )
    return JobLocked("확인 번호를 여러 번 틀려 잠겼습니다. 배달 사무실에 연락하십시오.")


def _check_reason(reason: object) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if not text or len(text) > REASON_LENGTH_MAX:
        raise InvalidInput("사유는 1자에서 200자까지입니다.", field="reason")
    return text


def fail_delivery(*, courier_user_id: int, job_id: int, reason: str) -> DeliveryJob:
    """Bring a picked-up job back (nobody home): it waits for another trip.

    The fulfilment goes back to ready (the orders service tells the shopper by SMS); the
    courier's load goes down; a round is queued. A locked job stays locked. Refused,
    changing nothing: InvalidInput (reason blank or over 200 characters); PermissionDenied;
    NotFound; TransitionNotAllowed (not picked up).
    """
    note = _check_reason(reason)
    return _fail_delivery(courier_user_id=courier_user_id, job_id=job_id, note=note)


@service_transaction(durable=False)
def _fail_delivery(*, courier_user_id: int, job_id: int, note: str) -> DeliveryJob:
    courier = courier_of_user(courier_user_id)
    job = _courier_job(courier, job_id)
    now = clock.now()
    moved = DeliveryJob.objects.filter(
        pk=job.pk, status=JobStatus.PICKED_UP, courier=courier
    ).update(**waiting_fields(now))
    if moved != 1:
        raise _refused_move(job)
    orders.return_delivery_attempt(
        actor_user_id=courier_user_id, fulfilment_id=job.fulfilment_id, note=note
    )
    _unload(courier.pk, job.weight_grams, now=now)
    record_event(
        job_id=job.pk,
        kind=JobEventKind.FAILED,
        actor_id=courier_user_id,
        courier_id=courier.pk,
        note=note,
    )
    enqueue_dispatch()
    job.refresh_from_db()
    assert job.status == JobStatus.WAITING
    return job


@service_transaction(durable=False)
def unlock_job(*, operator_user_id: int, job_id: int) -> DeliveryJob:
    """Unlock a job locked by wrong codes, after the office called the shopper.

    The count of wrong codes starts again, under a new code sent to the shopper by SMS (the
    old one may have been overheard or guessed in part). Unlocking a job that is not locked
    returns it unchanged. Refused: PermissionDenied (not an operator); NotFound.
    """
    require_operator(operator_user_id)
    job = DeliveryJob.objects.filter(pk=job_id).first()
    if job is None:
        raise NotFound("배달을 찾을 수 없습니다.")
    code, code_fields = new_code_fields(replacing=job.confirmation_code)
    unlocked = DeliveryJob.objects.filter(pk=job.pk, is_locked=True).update(
        is_locked=False,
        locked_at=None,
        wrong_code_count=0,
        updated_at=clock.now(),
        **code_fields,
    )
    if unlocked == 1:
        order = job.fulfilment.order
        queue_code_sms(phone=order.contact_phone, order_number=order.number, code=code)
        record_event(
            job_id=job.pk,
            kind=JobEventKind.UNLOCKED,
            actor_id=operator_user_id,
            courier_id=job.courier_id,
        )
        if job.status == JobStatus.WAITING:
            enqueue_dispatch()
    job.refresh_from_db()
    assert not job.is_locked
    return job


def _district_id(district_id: int) -> int:
    if not District.objects.filter(pk=district_id).exists():
        raise InvalidInput("그런 구역은 없습니다.", field="district")
    return district_id


def register_courier(
    *, user_id: int, vehicle: str, capacity_grams: int, district_id: int
) -> Courier:
    """Record (or change) the vehicle, capacity and district of a person holding the courier role.

    Idempotent. Refused, changing nothing: InvalidInput (no courier role, unknown vehicle,
    capacity not 1 to ``CAPACITY_GRAMS_MAX``, unknown district); OverCapacity (the new
    capacity is below what the courier carries now). A new courier starts off duty.
    """
    if vehicle not in VehicleChoices.values:
        raise InvalidInput("운송 수단은 오토바이나 화물차입니다.", field="vehicle")
    if isinstance(capacity_grams, bool) or not 0 < capacity_grams <= CAPACITY_GRAMS_MAX:
        raise InvalidInput("적재량이 범위를 벗어났습니다.", field="capacity_grams")
    return _register_courier(
        user_id=user_id,
        vehicle=vehicle,
        capacity_grams=capacity_grams,
        district_id=district_id,
    )


@service_transaction(durable=False)
def _register_courier(
    *, user_id: int, vehicle: str, capacity_grams: int, district_id: int
) -> Courier:
    if not holds_role(user_id, Role.COURIER):
        raise InvalidInput("배달원 역할이 없는 사람입니다.", field="user")
    _district_id(district_id)
    now = clock.now()
    changes = {
        "vehicle": vehicle,
        "capacity_grams": capacity_grams,
        "district_id": district_id,
        "updated_at": now,
    }
    # Conditional: a lower capacity must still hold what the courier carries.
    changed = Courier.objects.filter(
        user_id=user_id, load_grams__lte=capacity_grams
    ).update(**changes)
    if changed == 0:
        if Courier.objects.filter(user_id=user_id).exists():
            raise OverCapacity("지금 싣고 있는 무게보다 적은 적재량입니다.")
        Courier.objects.create(user_id=user_id, is_on_duty=False, **changes)
    return Courier.objects.get(user_id=user_id)


@service_transaction(durable=False)
def start_duty(*, courier_user_id: int, district_id: int | None = None) -> Courier:
    """Put the courier on duty (in ``district_id`` when given); a round is queued.

    Refused: PermissionDenied (not a courier); InvalidInput (unknown district).
    """
    courier = courier_of_user(courier_user_id)
    changes: dict[str, object] = {"is_on_duty": True, "updated_at": clock.now()}
    if district_id is not None:
        changes["district_id"] = _district_id(district_id)
    Courier.objects.filter(pk=courier.pk).update(**changes)
    enqueue_dispatch()
    courier.refresh_from_db()
    return courier


@service_transaction(durable=False)
def report_district(*, courier_user_id: int, district_id: int) -> Courier:
    """Record the district the courier is in now; on duty, a round is queued.

    Refused: PermissionDenied (not a courier); InvalidInput (unknown district).
    """
    courier = courier_of_user(courier_user_id)
    Courier.objects.filter(pk=courier.pk).update(
        district_id=_district_id(district_id), updated_at=clock.now()
    )
    if courier.is_on_duty:
        enqueue_dispatch()
    courier.refresh_from_db()
    return courier


@service_transaction(durable=False)
def end_duty(*, courier_user_id: int) -> Courier:
    """Take the courier off duty; jobs assigned but not picked up go back to waiting.

    Refused, changing nothing: PermissionDenied (not a courier); CourierStillCarrying (some
    goods are picked up: hand them over or bring them back first).
    """
    courier = courier_of_user(courier_user_id)
    take_dispatch_lock()
    if DeliveryJob.objects.filter(courier=courier, status=JobStatus.PICKED_UP).exists():
        raise CourierStillCarrying(
            "아직 배달하지 않은 물건이 있습니다. 배달하거나 돌려준 뒤 끝내십시오."
        )
    # Off duty first: a round from now on passes this courier by.
    Courier.objects.filter(pk=courier.pk).update(
        is_on_duty=False, updated_at=clock.now()
    )
    assigned = list(
        DeliveryJob.objects.filter(courier=courier, status=JobStatus.ASSIGNED)
    )
    for job in assigned:
        release_job(job, actor_id=courier_user_id, kind=JobEventKind.UNASSIGNED)
    if assigned:
        enqueue_dispatch()
    courier.refresh_from_db()
    assert courier.load_grams == 0
    return courier
