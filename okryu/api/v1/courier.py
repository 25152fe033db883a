"""The courier's routes (their jobs, pick-up, hand-over, failure, duty) and the logistics
office's routes on single jobs (assign, unassign, unlock).

Only holders of the courier role get past ``require_role`` (403 otherwise); a job not on the
caller's route is 404, decided by the delivery services and queries. The confirmation code
is never in a courier's answer: the shopper tells it at the door.

``deliver`` does not keep its ``Idempotency-Key`` (an accepted header, unused): a wrong code
must stay counted although the call is refused, and the key's record would roll back with
it. It is idempotent by state instead: the right code again on a delivered job answers the
job as it stands.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Router

from okryu.accounts.models import Role
from okryu.api.v1.auth import bearer_auth, require_role
from okryu.api.v1.idempotency import json_response, respond_once
from okryu.api.v1.orders import resolve_district_id
from okryu.api.v1.pagination import (
    Page,
    PageNumber,
    PageSize,
    page_body,
    read_page_request,
)
from okryu.api.v1.schemas.courier import (
    AssignIn,
    CourierJobOut,
    CourierOut,
    DeliverIn,
    DutyIn,
    FailIn,
)
from okryu.api.v1.schemas.problems import Problem
from okryu.delivery.models import Courier, DeliveryJob
from okryu.delivery.queries import (
    get_job_for_courier,
    list_jobs_for_courier,
    recipient_of,
)
from okryu.delivery.services import (
    assign_job,
    end_duty,
    fail_delivery,
    hand_over_job,
    pick_up_job,
    start_duty,
    unassign_job,
    unlock_job,
)

router = Router(tags=["delivery"])

ERRORS_OF_A_MOVE = {
    401: Problem,
    403: Problem,
    404: Problem,
    409: Problem,
    422: Problem,
}


def job_as_api_dict(job: DeliveryJob) -> dict[str, Any]:
    """Return a job as the courier (or the office) sees it: no confirmation code."""
    attempts_max: int = settings.OKRYU_DELIVERY_CODE_ATTEMPTS_MAX
    merchant = job.pickup_merchant
    recipient = recipient_of(job)
    return {
        "id": job.pk,
        "status": job.status,
        "route_position": job.route_position,
        "fulfilment": job.fulfilment_id,
        "order": job.fulfilment.order.number,
        "recipient": {"name": recipient.name, "phone": recipient.phone},
        "merchant": merchant.pk,
        "merchant_name": merchant.name,
        "pickup": {
            "district": job.pickup_district.code,
            "district_name": job.pickup_district.name,
            "district_name_en": job.pickup_district.name_en,
            "detail": merchant.address,
        },
        "dropoff": {
            "district": job.dropoff_district.code,
            "district_name": job.dropoff_district.name,
            "district_name_en": job.dropoff_district.name_en,
            "detail": job.dropoff_detail,
        },
        "weight_g": job.weight_grams,
        "size_class": job.size_class,
        "vehicle_needed": job.vehicle_needed,
        "courier": job.courier_id,
        "eta": (
            job.estimated_handover_at.isoformat() if job.estimated_handover_at else None
        ),
        "due_at": job.due_at.isoformat(),
        "attempts": job.attempts_count,
        "is_locked": job.is_locked,
        "code_attempts_left": max(0, attempts_max - job.wrong_code_count),
    }


def _courier_job_body(courier_user_id: int, job_id: int) -> dict[str, Any]:
    return job_as_api_dict(
        get_job_for_courier(courier_user_id=courier_user_id, job_id=job_id)
    )


@router.get(
    "/courier/jobs",
    auth=bearer_auth,
    response={200: Page[CourierJobOut], 401: Problem, 403: Problem, 422: Problem},
    summary="The caller's assigned and picked-up jobs, in route order (courier)",
)
def list_jobs_route(
    request: HttpRequest, page: PageNumber = 1, page_size: PageSize = None
) -> HttpResponse:
    """Return one page of the caller's route."""
    courier = require_role(request, Role.COURIER)
    page_request = read_page_request(page=page, page_size=page_size)
    jobs = list_jobs_for_courier(courier_user_id=courier.pk)
    shown = jobs[page_request.offset : page_request.offset + page_request.limit]
    items = [job_as_api_dict(job) for job in shown]
    return json_response(
        200, page_body(request, page_request, items=items, count=len(jobs))
    )


@router.get(
    "/courier/jobs/{job_id}",
    auth=bearer_auth,
    response={200: CourierJobOut, 401: Problem, 403: Problem, 404: Problem},
    summary="One job on (or delivered from) the caller's route (courier)",
)
def get_job_route(request: HttpRequest, job_id: int) -> HttpResponse:
    """Return the job; another courier's is 404."""
    courier = require_role(request, Role.COURIER)
    return json_response(200, _courier_job_body(courier.pk, job_id))


@router.post(
    "/courier/jobs/{job_id}/pickup",
    auth=bearer_auth,
    response={200: CourierJobOut, **ERRORS_OF_A_MOVE},
    summary="Take the job's goods from the merchant (courier)",
    description="The order goes out for delivery. Not assigned to the caller: 404.",
)
def pickup_route(request: HttpRequest, job_id: int) -> HttpResponse:
    """Pick the job up once per Idempotency-Key; answer it as it now stands."""
    courier = require_role(request, Role.COURIER)

    def pick_up() -> tuple[int, object]:
        pick_up_job(courier_user_id=courier.pk, job_id=job_id)
        return 200, _courier_job_body(courier.pk, job_id)

    return respond_once(request, route="courier.pickup", action=pick_up, required=False)


@router.post(
    "/courier/jobs/{job_id}/deliver",
    auth=bearer_auth,
    response={200: CourierJobOut, **ERRORS_OF_A_MOVE},
    summary="Hand the goods over against the shopper's code; captures the payment (courier)",
    description=(
        "`code` is exactly 4 ASCII digits (else 422 `invalid`, nothing counted). A wrong "
        "code is 422 `wrong_code` with `attempts_left`; the fifth locks the job: 409 "
        "`job_locked` until the office unlocks it. Repeating the right code on a "
        "delivered job answers the job."
    ),
)
def deliver_route(
    request: HttpRequest, job_id: int, payload: DeliverIn
) -> HttpResponse:
    """Hand the job over; refusals are problem+json."""
    courier = require_role(request, Role.COURIER)
    hand_over_job(courier_user_id=courier.pk, job_id=job_id, code=payload.code)
    return json_response(200, _courier_job_body(courier.pk, job_id))


@router.post(
    "/courier/jobs/{job_id}/fail",
    auth=bearer_auth,
    response={200: CourierJobOut, **ERRORS_OF_A_MOVE},
    summary="Bring the goods back: nobody was home (courier)",
    description="The job waits for another trip and leaves the caller's route.",
)
def fail_route(request: HttpRequest, job_id: int, payload: FailIn) -> HttpResponse:
    """Record the failed hand-over once per Idempotency-Key."""
    courier = require_role(request, Role.COURIER)

    def fail() -> tuple[int, object]:
        job = fail_delivery(
            courier_user_id=courier.pk, job_id=job_id, reason=payload.reason
        )
        job = DeliveryJob.objects.select_related(
            "pickup_merchant",
            "pickup_district",
            "dropoff_district",
            "fulfilment__order",
        ).get(pk=job.pk)
        return 200, job_as_api_dict(job)

    return respond_once(request, route="courier.fail", action=fail, required=False)


def _courier_body(courier: Courier) -> dict[str, Any]:
    return {
        "id": courier.pk,
        "vehicle": courier.vehicle,
        "capacity_g": courier.capacity_grams,
        "load_g": courier.load_grams,
        "district": courier.district.code,
        "on_duty": courier.is_on_duty,
    }


@router.post(
    "/courier/duty",
    auth=bearer_auth,
    response={200: CourierOut, **ERRORS_OF_A_MOVE},
    summary="Go on or off duty, and say where one is (courier)",
    description=(
        "Off duty, assigned jobs not yet picked up go back to waiting; with picked-up "
        "goods it is 409 `courier_still_carrying`."
    ),
)
def duty_route(request: HttpRequest, payload: DutyIn) -> HttpResponse:
    """Start or end the caller's duty."""
    user = require_role(request, Role.COURIER)
    district_id = (
        None
        if payload.district is None
        else resolve_district_id(payload.district, field="district")
    )
    if payload.on_duty:
        courier = start_duty(courier_user_id=user.pk, district_id=district_id)
    else:
        courier = end_duty(courier_user_id=user.pk)
    return json_response(200, _courier_body(courier))


def _office_job_body(job: DeliveryJob) -> dict[str, Any]:
    job = DeliveryJob.objects.select_related(
        "pickup_merchant", "pickup_district", "dropoff_district", "fulfilment__order"
    ).get(pk=job.pk)
    return job_as_api_dict(job)


@router.post(
    "/ops/delivery-jobs/{job_id}/assign",
    auth=bearer_auth,
    response={200: CourierJobOut, **ERRORS_OF_A_MOVE},
    summary="Give a job to a named courier by hand (operator)",
    description=(
        "Refusals: 409 `vehicle_too_small`, `over_capacity`, `courier_off_duty`, "
        "`job_locked`, `transition_not_allowed`; 404 for an unknown job or courier."
    ),
)
def assign_route(request: HttpRequest, job_id: int, payload: AssignIn) -> HttpResponse:
    """Assign the job once per Idempotency-Key."""
    operator = require_role(request, Role.OPERATOR)

    def assign() -> tuple[int, object]:
        job = assign_job(
            operator_user_id=operator.pk, job_id=job_id, courier_id=payload.courier
        )
        return 200, _office_job_body(job)

    return respond_once(request, route="ops.job.assign", action=assign, required=False)


@router.post(
    "/ops/delivery-jobs/{job_id}/unassign",
    auth=bearer_auth,
    response={200: CourierJobOut, **ERRORS_OF_A_MOVE},
    summary="Take an assigned job off its courier's route (operator)",
)
def unassign_route(request: HttpRequest, job_id: int) -> HttpResponse:
    """Unassign the job once per Idempotency-Key."""
    operator = require_role(request, Role.OPERATOR)

    def unassign() -> tuple[int, object]:
        job = unassign_job(operator_user_id=operator.pk, job_id=job_id)
        return 200, _office_job_body(job)

    return respond_once(
        request, route="ops.job.unassign", action=unassign, required=False
    )


@router.post(
    "/ops/delivery-jobs/{job_id}/unlock",
    auth=bearer_auth,
    response={200: CourierJobOut, **ERRORS_OF_A_MOVE},
    summary="Unlock a job locked by wrong codes, after calling the shopper (operator)",
)
def unlock_route(request: HttpRequest, job_id: int) -> HttpResponse:
    """Unlock the job; an unlocked job is answered as it stands."""
    operator = require_role(request, Role.OPERATOR)

    def unlock() -> tuple[int, object]:
        job = unlock_job(operator_user_id=operator.pk, job_id=job_id)
        return 200, _office_job_body(job)

    return respond_once(request, route="ops.job.unlock", action=unlock, required=False)
