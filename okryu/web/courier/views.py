"""The courier's pages: my jobs in route order with the duty form, and one job with its moves.

Built for a phone on a bad link: small pages, no script, no images. Every move posts a form
with a hidden idempotency key and redirects (post/redirect/get), so a form sent again after a
dropped connection acts once: duty, pick-up and "nobody home" through ``submit_once``, the
hand-over through ``handover.hand_over_once``. A refusal is told on the page, changing
nothing. Another courier's job does not exist here (404). The shopper's confirmation code is
never on these pages: the shopper tells it at the door.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views import View

from okryu.accounts.models import User
from okryu.core.errors import DomainError, NotFound
from okryu.core.errors import PermissionDenied as NotAllowed
from okryu.delivery.models import DeliveryJob
from okryu.delivery.queries import (
    get_job_for_courier,
    list_jobs_for_courier,
    recipient_of,
)
from okryu.delivery.services import (
    end_duty,
    fail_delivery,
    pick_up_job,
    report_district,
    start_duty,
)
from okryu.orders.models import PaymentMethodChoices
from okryu.web.courier.access import CourierRequiredMixin
from okryu.web.courier.forms import DutyForm, FailForm, HandOverForm
from okryu.web.courier.handover import hand_over_once
from okryu.web.idempotency import submit_once
from okryu.web.logistics.forms import KeyedForm
from okryu.web.logistics.refusals import (
    delivery_refusal_message,
    delivery_refusal_text,
)


def _first_error(form: Any) -> str:
    return str(next(iter(form.errors.values()))[0])


def _get_job(user: User, job_id: int) -> DeliveryJob:
    try:
        return get_job_for_courier(courier_user_id=user.pk, job_id=job_id)
    except NotFound as error:
        raise Http404(error.detail) from error
    except NotAllowed as error:
        raise PermissionDenied(error.detail) from error


def _door_amount_won(job: DeliveryJob) -> int | None:
    """Return what the courier collects at the door with the chip terminal, or None."""
    fulfilment = job.fulfilment
    if fulfilment.order.payment_method != PaymentMethodChoices.DOOR:
        return None
    return fulfilment.items_total_won + fulfilment.delivery_fee_won


def _act_once(
    user: User,
    *,
    scope: str,
    key: str,
    fields: dict[str, Any],
    action: Callable[[], Any],
) -> None:
    """Run ``action`` once for the form's ``key``; refusals propagate, storing nothing."""

    def run() -> tuple[int, Any]:
        action()
        return 200, {}

    submit_once(
        scope=f"web:courier-{scope}:{user.pk}", key=key, fields=fields, action=run
    )


class JobListView(CourierRequiredMixin, View):
    """My duty and my jobs in route order."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """Show the duty form and the route."""
        return self.render_list(
            request, form=DutyForm(initial={"district": self.courier.district_id})
        )

    def render_list(
        self, request: HttpRequest, *, form: DutyForm, error: str = "", code: int = 200
    ) -> HttpResponse:
        """Render the list page, with ``error`` told above the duty form."""
        assert isinstance(request.user, User)
        jobs = list_jobs_for_courier(courier_user_id=request.user.pk)
        context: dict[str, Any] = {
            "courier": self.courier,
            "jobs": jobs,
            "rows": [(job, recipient_of(job)) for job in jobs],
            "form": form,
            "error": error,
        }
        return render(request, "web/courier/jobs.html", context, status=code)


class DutyView(JobListView):
    """Go on duty, report the district one is in, or go off duty."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        """Change the duty once per form, then show the list."""
        assert isinstance(request.user, User)
        user = request.user
        form = DutyForm(request.POST)
        if not form.is_valid():
            return self.render_list(
                request, form=form, error=_first_error(form), code=422
            )
        action: str = form.cleaned_data["action"]
        district_id: int | None = form.cleaned_data["district"]
        if action == "move" and district_id is None:
            return self.render_list(
                request, form=form, error=gettext("구역을 고르십시오."), code=422
            )
        try:
            _act_once(
                user,
                scope="duty",
                key=form.cleaned_data["idempotency_key"],
                fields={"action": action, "district": district_id},
                action=lambda: _change_duty(user, action, district_id),
            )
        except DomainError as error:
            return self.render_list(
                request,
                form=form,
                error=delivery_refusal_message(error),
                code=error.status,
            )
        messages.success(request, _duty_message(action))
        return redirect("courier-jobs")


def _change_duty(user: User, action: str, district_id: int | None) -> None:
    if action == "start":
        start_duty(courier_user_id=user.pk, district_id=district_id)
    elif action == "move":
        assert district_id is not None
        report_district(courier_user_id=user.pk, district_id=district_id)
    else:
        end_duty(courier_user_id=user.pk)


def _duty_message(action: str) -> str:
    return {
        "start": gettext("근무를 시작했습니다. 배달이 배정되면 여기에 나옵니다."),
        "move": gettext("있는 구역을 알렸습니다."),
        "end": gettext("근무를 끝냈습니다. 맡았던 배달은 다른 배달원에게 갑니다."),
    }[action]


class JobDetailView(CourierRequiredMixin, View):
    """One job on (or delivered from) my route, with the move it waits for."""

    def get(self, request: HttpRequest, job_id: int) -> HttpResponse:
        """Show the job."""
        return self.render_job(request, job_id)

    def render_job(
        self,
        request: HttpRequest,
        job_id: int,
        *,
        hand_over: HandOverForm | None = None,
        fail: FailForm | None = None,
        error: str = "",
        code: int = 200,
    ) -> HttpResponse:
        """Render the job page (found again, so a counted wrong code shows)."""
        assert isinstance(request.user, User)
        job = _get_job(request.user, job_id)
        attempts_max: int = settings.OKRYU_DELIVERY_CODE_ATTEMPTS_MAX
        context: dict[str, Any] = {
            "job": job,
            "recipient": recipient_of(job),
            "door_amount_won": _door_amount_won(job),
            "attempts_left": max(0, attempts_max - job.wrong_code_count),
            "hand_over": hand_over or HandOverForm(),
            "fail": fail or FailForm(),
            "error": error,
        }
        return render(request, "web/courier/job.html", context, status=code)


class JobPickUpView(JobDetailView):
    """I took the goods from the merchant."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, job_id: int) -> HttpResponse:
        """Pick up once per form, then show the job."""
        assert isinstance(request.user, User)
        user = request.user
        form = KeyedForm(request.POST)
        if not form.is_valid():
            return self.render_job(request, job_id, error=_first_error(form), code=422)
        try:
            _act_once(
                user,
                scope="pick-up",
                key=form.cleaned_data["idempotency_key"],
                fields={"job": job_id},
                action=lambda: pick_up_job(courier_user_id=user.pk, job_id=job_id),
            )
        except NotFound as error:
            raise Http404(error.detail) from error
        except DomainError as error:
            return self.render_job(
                request,
                job_id,
                error=delivery_refusal_message(error),
                code=error.status,
            )
        messages.success(request, gettext("물건을 받았습니다. 배달을 시작하십시오."))
        return redirect("courier-job", job_id=job_id)


class JobHandOverView(JobDetailView):
    """I handed the goods over: the shopper's code proves it and the payment is captured."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, job_id: int) -> HttpResponse:
        """Hand over once per form; a wrong code tells the attempts left."""
        assert isinstance(request.user, User)
        form = HandOverForm(request.POST)
        if not form.is_valid():
            return self.render_job(
                request, job_id, hand_over=form, error=_first_error(form), code=422
            )
        try:
            outcome = hand_over_once(
                courier_user_id=request.user.pk,
                job_id=job_id,
                code=form.cleaned_data["code"],
                key=form.cleaned_data["idempotency_key"],
            )
        except DomainError as error:
            return self.render_job(
                request,
                job_id,
                hand_over=form,
                error=delivery_refusal_message(error),
                code=error.status,
            )
        if outcome.is_delivered:
            messages.success(request, gettext("배달을 마쳤습니다. 결제가 끝났습니다."))
            return redirect("courier-jobs")
        if outcome.is_pending:
            messages.info(
                request,
                gettext("이 양식은 이미 보냈습니다. 배달 상태를 확인하십시오."),
            )
            return redirect("courier-job", job_id=job_id)
        if outcome.code == "not_found":
            raise Http404(outcome.detail)
        if outcome.code == "forbidden":
            raise PermissionDenied(outcome.detail)
        told = delivery_refusal_text(
            code=outcome.code,
            detail=outcome.detail,
            extra=outcome.extra,
            is_office=False,
        )
        return self.render_job(
            request, job_id, hand_over=form, error=told, code=outcome.status
        )


class JobFailView(JobDetailView):
    """Nobody was home: the goods come back and the job waits for another trip."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, job_id: int) -> HttpResponse:
        """Bring the job back once per form, with the reason."""
        assert isinstance(request.user, User)
        user = request.user
        form = FailForm(request.POST)
        if not form.is_valid():
            return self.render_job(
                request, job_id, fail=form, error=_first_error(form), code=422
            )
        reason: str = form.cleaned_data["reason"]
        try:
            _act_once(
                user,
                scope="fail",
                key=form.cleaned_data["idempotency_key"],
                fields={"job": job_id, "reason": reason},
                action=lambda: fail_delivery(
                    courier_user_id=user.pk, job_id=job_id, reason=reason
                ),
            )
        except NotFound as error:
            raise Http404(error.detail) from error
        except DomainError as error:
            return self.render_job(
                request,
                job_id,
                fail=form,
                error=delivery_refusal_message(error),
                code=error.status,
            )
        messages.success(
            request,
            gettext("배달하지 못한 것으로 적었습니다. 물건을 판매자에게 돌려주십시오."),
        )
        return redirect("courier-jobs")
