"""The supervisor's pages: the queue of top-ups awaiting approval, every teller's drawers, and
what each teller did to cards today (issued, blocked, unblocked, reset a PIN).

A supervisor approves (the top-up is booked then) or rejects (the teller hands the cash back)
each top-up a teller took above the approval threshold, ticking a confirmation; the teller who
took it cannot decide it, even holding both roles (the service refuses ``same_person``). The
drawers list shows each drawer's difference to what the ledger booked through it. Anyone but
a supervisor gets 403.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views import View
from typing_extensions import override

from okryu.accounts.models import Role, User
from okryu.accounts.queries import has_role
from okryu.core import clock
from okryu.core.errors import DomainError
from okryu.payments.counter import (
    list_card_events_of_day,
    list_drawers,
    list_pending_top_ups,
)
from okryu.payments.counter_services import approve_top_up, reject_top_up
from okryu.web.idempotency import submit_once
from okryu.web.teller.forms import TopUpDecisionForm
from okryu.web.teller.journal import journal_lines

UNPROCESSABLE = 422


class SupervisorRequiredMixin(LoginRequiredMixin):
    """Let only supervisors in: 403 for everyone else who is logged in."""

    @override
    def dispatch(
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        if request.user.is_authenticated and not has_role(
            request.user, Role.SUPERVISOR
        ):
            raise PermissionDenied(gettext("은행 감독원만 쓸 수 있는 화면입니다."))
        return super().dispatch(request, *args, **kwargs)


def _supervisor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _render_queue(
    request: HttpRequest,
    *,
    refused: TopUpDecisionForm | None = None,
    refused_id: int | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "pending": list_pending_top_ups(),
        "drawers": list_drawers(),
        "decision_form": TopUpDecisionForm(),
        "refused": refused,
        "refused_id": refused_id,
        "me": _supervisor(request).pk,
    }
    return render(request, "web/teller/approvals.html", context, status=status)


class QueueView(SupervisorRequiredMixin, View):
    """Top-ups awaiting approval, oldest first, and the drawers with their differences."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """Show the queue and the drawers."""
        return _render_queue(request)


class CardActionsView(SupervisorRequiredMixin, View):
    """Today's actions on cards, by teller: a PIN reset nobody asked for is traced here."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """Show today's journal lines of every card, each teller's together."""
        today = clock.local_today()
        context = {
            "day": today,
            "lines": journal_lines(list_card_events_of_day(day=today)),
        }
        return render(request, "web/teller/card_actions.html", context)


class _DecisionView(SupervisorRequiredMixin, View):
    action_name = ""

    def decide(self, request: HttpRequest, top_up_id: int, reason: str) -> None:
        raise NotImplementedError

    def done_message(self) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, top_up_id: int) -> HttpResponse:
        """Decide the top-up once per form, or show the queue again with the reason."""
        form = TopUpDecisionForm(request.POST)
        if not form.is_valid():
            return _render_queue(
                request, refused=form, refused_id=top_up_id, status=UNPROCESSABLE
            )
        reason: str = form.cleaned_data["reason"]

        def decide() -> tuple[int, dict[str, object]]:
            self.decide(request, top_up_id, reason)
            return 200, {}

        try:
            submit_once(
                scope=f"web:supervisor-{self.action_name}:user:{_supervisor(request).pk}",
                key=form.cleaned_data["idempotency_key"],
                fields={"top_up": top_up_id, "reason": reason},
                action=decide,
            )
        except DomainError as error:
            form.add_error(None, error.detail)
            return _render_queue(
                request, refused=form, refused_id=top_up_id, status=UNPROCESSABLE
            )
        messages.success(request, self.done_message())
        return redirect("supervisor-queue")


class ApproveView(_DecisionView):
    """Approve a top-up: it is booked to the card now."""

    action_name = "approve"

    @override
    def decide(self, request: HttpRequest, top_up_id: int, reason: str) -> None:
        approve_top_up(supervisor=_supervisor(request), top_up_id=top_up_id)

    @override
    def done_message(self) -> str:
        return gettext("승인했습니다. 카드에 입금되었습니다.")


class RejectView(_DecisionView):
    """Reject a top-up: nothing is booked; the teller hands the cash back."""

    action_name = "reject"

    @override
    def decide(self, request: HttpRequest, top_up_id: int, reason: str) -> None:
        reject_top_up(
            supervisor=_supervisor(request), top_up_id=top_up_id, reason=reason
        )

    @override
    def done_message(self) -> str:
        return gettext("거절했습니다. 은행원이 현금을 돌려줍니다.")
