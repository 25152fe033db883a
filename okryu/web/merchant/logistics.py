"""The logistics office's stand-in page: send ready fulfilments out, and mark them delivered.

Until the delivery app lands, an operator moves fulfilments with the same services the couriers
will use (``send_out``, ``deliver``); delivering captures the card hold.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views import View

from okryu.accounts.models import User
from okryu.core.errors import DomainError, NotFound
from okryu.orders.queries import list_fulfilments_for_logistics
from okryu.orders.rules import FulfilmentStatus
from okryu.orders.services import deliver, send_out
from okryu.web.merchant.access import OperatorRequiredMixin
from okryu.web.merchant.queue import is_already_done
from okryu.web.orders.errors import refusal_message, refusal_status

LOGISTICS_LIST_MAX = 100
S = FulfilmentStatus
ACTIONS: dict[str, tuple[Callable[..., object], FulfilmentStatus, Any]] = {
    "send-out": (send_out, S.OUT_FOR_DELIVERY, gettext_lazy("배달을 보냈습니다.")),
    "deliver": (
        deliver,
        S.DELIVERED,
        gettext_lazy("배달 완료로 표시했습니다. 결제가 끝났습니다."),
    ),
}


def _render_logistics(
    request: HttpRequest, *, error: str = "", code: int = 200
) -> HttpResponse:
    fulfilments = list(
        list_fulfilments_for_logistics(
            statuses=(S.READY, S.OUT_FOR_DELIVERY),
            limit=LOGISTICS_LIST_MAX,
        )
    )
    context: dict[str, Any] = {
        "ready": [f for f in fulfilments if f.status == FulfilmentStatus.READY],
        "out": [
            f for f in fulfilments if f.status == FulfilmentStatus.OUT_FOR_DELIVERY
        ],
        "error": error,
    }
    return render(request, "web/merchant/logistics.html", context, status=code)


class LogisticsView(OperatorRequiredMixin, View):
    """Fulfilments ready for pick-up, and those out for delivery."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """Show both lists."""
        return _render_logistics(request)


class LogisticsActionView(OperatorRequiredMixin, View):
    """Send a ready fulfilment out, or mark one out for delivery as delivered."""

    def post(
        self, request: HttpRequest, fulfilment_id: int, action: str
    ) -> HttpResponse:
        """Move the fulfilment and come back; a refusal is told on the page."""
        assert isinstance(request.user, User)
        if action not in ACTIONS:
            raise Http404(gettext("그런 동작은 없습니다."))
        service, target, done = ACTIONS[action]
        try:
            service(actor_user_id=request.user.pk, fulfilment_id=fulfilment_id)
        except NotFound as error:
            raise Http404(error.detail) from error
        except DomainError as error:
            if is_already_done(error, target):
                messages.success(request, str(done))
                return redirect("logistics")
            return _render_logistics(
                request, error=refusal_message(error), code=refusal_status(error)
            )
        messages.success(request, str(done))
        return redirect("logistics")
