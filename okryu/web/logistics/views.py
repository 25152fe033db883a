"""The logistics office: the board of jobs and couriers, and the office's moves on it.

The board shows jobs waiting for a courier (due first, with how long each has waited), jobs
locked by wrong codes (unlocked by hand after the office called the shopper), and the
couriers on duty with their vehicle, district, load and route. "Run dispatch now" runs one
round and tells what it assigned; a job is moved by hand with a courier select, or taken
off a route. Every button posts a hidden idempotency key through ``submit_once`` and then
redirects, so a double click or a resubmitted form acts once; a refusal is told on the
board, changing nothing.

The board refreshes itself as the merchant's queue does: a ``<noscript>`` meta refresh, or
the shared deferred script that swaps only the board (``?partial=1``).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.views import View

from okryu.accounts.models import User
from okryu.core import clock
from okryu.core.errors import DomainError
from okryu.core.errors import PermissionDenied as NotAllowed
from okryu.core.idempotency import StoredOutcome
from okryu.core.particles import resolve_particles
from okryu.delivery.models import DeliveryJob
from okryu.delivery.queries import CourierWithJobs, get_office_overview
from okryu.delivery.rules import is_scheduled
from okryu.delivery.services import assign_job, dispatch, unassign_job, unlock_job
from okryu.web.idempotency import submit_once
from okryu.web.logistics.forms import AssignForm, KeyedForm
from okryu.web.logistics.refusals import delivery_refusal_message
from okryu.web.merchant.access import OperatorRequiredMixin

# The assignments named one by one in the message after a round; the rest are counted.
ASSIGNMENTS_TOLD_MAX = 10


@dataclass(frozen=True)
class WaitingRow:
    """A job waiting for a courier, as the board shows it at ``now``."""

    job: DeliveryJob
    waited_minutes: int
    is_overdue: bool
    # For a later slot: no courier may take it before it is due.
    is_scheduled: bool = False


@dataclass(frozen=True)
class CourierRow:
    """A courier on the board: their route and their room left, in grams."""

    courier: CourierWithJobs
    room_grams: int


def _minutes_since(moment: dt.datetime, now: dt.datetime) -> int:
    return max(0, int((now - moment).total_seconds() // 60))


def _board_context(user: User) -> dict[str, Any]:
    try:
        overview = get_office_overview(operator_user_id=user.pk)
    except NotAllowed as error:
        raise PermissionDenied(error.detail) from error
    now = clock.now()
    couriers = [
        CourierRow(row, row.courier.capacity_grams - row.courier.load_grams)
        for row in overview.couriers
    ]
    return {
        "waiting": [
            WaitingRow(
                job,
                _minutes_since(job.created_at, now),
                job.due_at < now,
                is_scheduled=is_scheduled(
                    status=job.status, due_at=job.due_at, now=now
                ),
            )
            for job in overview.waiting_jobs
        ],
        "locked": overview.locked_jobs,
        "on_duty": [row for row in couriers if row.courier.courier.is_on_duty],
        "off_duty": [row for row in couriers if not row.courier.courier.is_on_duty],
    }


def render_board(
    request: HttpRequest,
    *,
    error: str = "",
    code: int = 200,
    chosen: tuple[int, int] | None = None,
) -> HttpResponse:
    """Render the office's board (only the board when ``?partial=1``).

    ``chosen`` (job, courier) keeps a refused assignment's courier chosen in its job's select.
    """
    assert isinstance(request.user, User)
    context = _board_context(request.user)
    context["error"] = error
    context["chosen_job"], context["chosen_courier"] = chosen or (None, None)
    if request.GET.get("partial") == "1":
        return render(request, "web/logistics/_board.html", context, status=code)
    return render(request, "web/logistics/office.html", context, status=code)


def _act_once(
    request: HttpRequest,
    *,
    form: KeyedForm,
    scope: str,
    fields: dict[str, Any],
    action: Callable[[], tuple[int, Any]],
    chosen: tuple[int, int] | None = None,
) -> StoredOutcome | HttpResponse:
    """Run ``action`` once for the form's key; a refusal renders the board with its reason
    (and ``chosen`` still chosen, see ``render_board``)."""
    assert isinstance(request.user, User)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        return render_board(request, error=str(first), code=422, chosen=chosen)
    try:
        return submit_once(
            scope=f"web:logistics-{scope}:{request.user.pk}",
            key=form.cleaned_data["idempotency_key"],
            fields=fields,
            action=action,
        )
    except NotAllowed as error:
        raise PermissionDenied(error.detail) from error
    except DomainError as error:
        return render_board(
            request,
            error=delivery_refusal_message(error, is_office=True),
            code=error.status,
            chosen=chosen,
        )


class OfficeView(OperatorRequiredMixin, View):
    """The board: waiting and locked jobs, couriers and their routes."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """Show the board (or only the board's body, for the refreshing script)."""
        return render_board(request)


def _told_assignments(operator: User, assigned: list[dict[str, Any]]) -> str:
    if not assigned:
        return gettext("배차를 돌렸습니다. 새로 배정한 배달은 없습니다.")
    names = {
        row.courier.pk: str(row.courier.user)
        for row in get_office_overview(operator_user_id=operator.pk).couriers
    }
    told = [
        gettext("배달 %(job)d → %(courier)s (%(position)d번째, %(eta)s 도착 예정)")
        % {
            "job": item["job"],
            "courier": names.get(item["courier"], "?"),
            "position": item["position"],
            "eta": formats.time_format(
                timezone.localtime(dt.datetime.fromisoformat(item["eta"])), "H:i"
            ),
        }
        for item in assigned[:ASSIGNMENTS_TOLD_MAX]
    ]
    rest = len(assigned) - len(told)
    if rest:
        told.append(gettext("외 %(count)d건") % {"count": rest})
    summary = gettext("배차를 돌려 %(count)d건을 배정했습니다:") % {
        "count": len(assigned)
    }
    return f"{summary} {'; '.join(told)}"


class DispatchView(OperatorRequiredMixin, View):
    """Run a dispatch round now, and tell what it assigned."""

    def post(self, request: HttpRequest) -> HttpResponse:
        """Run the round once per form; show the board with what it did."""
        assert isinstance(request.user, User)
        operator = request.user

        def round_() -> tuple[int, Any]:
            report = dispatch(operator_user_id=operator.pk)
            return 200, {
                "opened": report.opened,
                "assigned": [
                    {
                        "job": item.job_id,
                        "courier": item.courier_id,
                        "position": item.route_position,
                        "eta": item.estimated_handover_at.isoformat(),
                    }
                    for item in report.assigned
                ],
            }

        outcome = _act_once(
            request,
            form=KeyedForm(request.POST),
            scope="dispatch",
            fields={},
            action=round_,
        )
        if isinstance(outcome, HttpResponse):
            return outcome
        messages.success(request, _told_assignments(operator, outcome.body["assigned"]))
        return redirect("logistics")


class JobAssignView(OperatorRequiredMixin, View):
    """Give a job to the courier chosen in the select (or move it from another courier)."""

    def post(self, request: HttpRequest, job_id: int) -> HttpResponse:
        """Assign once per form; a refusal (vehicle, capacity, duty, lock) changes nothing."""
        assert isinstance(request.user, User)
        operator = request.user
        form = AssignForm(request.POST)
        courier_id = form.cleaned_data["courier"] if form.is_valid() else 0

        def assign() -> tuple[int, Any]:
            job = assign_job(
                operator_user_id=operator.pk, job_id=job_id, courier_id=courier_id
            )
            return 200, {"position": job.route_position}

        outcome = _act_once(
            request,
            form=form,
            scope="assign",
            fields={"job": job_id, "courier": courier_id},
            action=assign,
            chosen=(job_id, courier_id),
        )
        if isinstance(outcome, HttpResponse):
            return outcome
        messages.success(
            request,
            resolve_particles(
                gettext("배달 %(job)d을(를) 배정했습니다 (%(position)d번째).")
                % {"job": job_id, "position": outcome.body["position"]}
            ),
        )
        return redirect("logistics")


class JobUnassignView(OperatorRequiredMixin, View):
    """Take an assigned job off its courier's route; it waits for the next round."""

    def post(self, request: HttpRequest, job_id: int) -> HttpResponse:
        """Unassign once per form."""
        assert isinstance(request.user, User)
        operator = request.user

        def unassign() -> tuple[int, Any]:
            unassign_job(operator_user_id=operator.pk, job_id=job_id)
            return 200, {}

        outcome = _act_once(
            request,
            form=KeyedForm(request.POST),
            scope="unassign",
            fields={"job": job_id},
            action=unassign,
        )
        if isinstance(outcome, HttpResponse):
            return outcome
        messages.success(
            request,
            gettext("배달 %(job)d의 배정을 풀었습니다. 다음 배차를 기다립니다.")
            % {"job": job_id},
        )
        return redirect("logistics")


class JobUnlockView(OperatorRequiredMixin, View):
    """Unlock a job locked by wrong codes, after the office called the shopper."""

    def post(self, request: HttpRequest, job_id: int) -> HttpResponse:
        """Unlock once per form."""
        assert isinstance(request.user, User)
        operator = request.user

        def unlock() -> tuple[int, Any]:
            unlock_job(operator_user_id=operator.pk, job_id=job_id)
            return 200, {}

        outcome = _act_once(
            request,
            form=KeyedForm(request.POST),
            scope="unlock",
            fields={"job": job_id},
            action=unlock,
        )
        if isinstance(outcome, HttpResponse):
            return outcome
        messages.success(
            request,
            gettext(
                "배달 %(job)d의 잠금을 풀었습니다. 새 확인 번호를 구매자에게 문자로 "
                "보냈습니다."
            )
            % {"job": job_id},
        )
        return redirect("logistics")
