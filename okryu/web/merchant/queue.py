"""The merchant's order queue: incoming fulfilments oldest first, and the buttons that move them.

The page refreshes itself: a meta refresh inside ``<noscript>`` when JavaScript is off, and a
small deferred script that fetches only the list (``?partial=1``) when it is on. Rejecting asks
for a reason on a page of its own, so a refresh never wipes a half-typed reason.

Each tab shows how many orders wait in it. An order just moved leaves its tab, so the page
it comes back to (``?handled=<id>``) shows it in a "just handled" box, in its new state and
with its next button, until the merchant goes elsewhere.
"""

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views import View

from okryu.accounts.models import User
from okryu.core.errors import DomainError, NotFound
from okryu.delivery.services import mark_ready_for_pickup
from okryu.orders.models import Fulfilment
from okryu.orders.queries import (
    count_fulfilments_for_staff,
    get_fulfilment_for_staff,
    list_fulfilments_for_staff,
)
from okryu.orders.rules import FulfilmentStatus
from okryu.orders.services import (
    accept_fulfilment,
    reject_fulfilment,
    start_preparing,
)
from okryu.web.merchant.access import MerchantStaffRequiredMixin
from okryu.web.merchant.forms import RejectForm
from okryu.web.orders.errors import refusal_message, refusal_status
from okryu.web.orders.timeline import status_label

QUEUE_LENGTH_MAX = 100
HANDLED_ID_DIGITS_MAX = 12
S = FulfilmentStatus
# The tabs of the queue, in the order work flows through them.
QUEUE_STATUSES = (S.PLACED, S.ACCEPTED, S.PREPARING, S.READY)

# What each button does: the service, the status it moves to, and the message after it.
ACTIONS: dict[str, tuple[Callable[..., object], FulfilmentStatus, Any]] = {
    "accept": (accept_fulfilment, S.ACCEPTED, gettext_lazy("주문을 받았습니다.")),
    "prepare": (start_preparing, S.PREPARING, gettext_lazy("준비를 시작했습니다.")),
    # Ready opens the delivery job in the same transaction.
    "ready": (
        mark_ready_for_pickup,
        S.READY,
        gettext_lazy("준비 완료로 표시했습니다."),
    ),
}


def is_already_done(error: DomainError, target: FulfilmentStatus) -> bool:
    """Whether a refused move was refused because it had already happened (a double click).

    The moves are idempotent by state: the second of two clicks finds the fulfilment in the
    status the first one moved it to, and is told the first one's success.
    """
    return error.code == "transition_not_allowed" and error.extra.get("status") == (
        target.value
    )


def _queue_status(request: HttpRequest) -> FulfilmentStatus:
    raw = request.GET.get("status", S.PLACED.value)
    for status in QUEUE_STATUSES:
        if status.value == raw:
            return status
    raise Http404(gettext("그런 주문 상태는 없습니다."))


def _queue_url(status: str, *, handled: int | None = None) -> str:
    url = f"{reverse('merchant-queue')}?status={status}"
    return f"{url}&handled={handled}" if handled is not None else url


def _handled(request: HttpRequest, user: User) -> Fulfilment | None:
    """The fulfilment named by ``?handled=`` if it is one of the user's, else None."""
    raw = request.GET.get("handled", "")
    if not (raw.isascii() and raw.isdigit() and len(raw) <= HANDLED_ID_DIGITS_MAX):
        return None
    try:
        return get_fulfilment_for_staff(staff_user_id=user.pk, fulfilment_id=int(raw))
    except NotFound:
        return None


def render_queue(
    request: HttpRequest, *, status: FulfilmentStatus, error: str = "", code: int = 200
) -> HttpResponse:
    """Render the queue of ``status`` (only the list when ``?partial=1``), its tabs with
    their counts, and the order just handled."""
    assert isinstance(request.user, User)
    fulfilments = _list_queue(request.user, status)
    counts = count_fulfilments_for_staff(
        staff_user_id=request.user.pk, statuses=[tab.value for tab in QUEUE_STATUSES]
    )
    handled = _handled(request, request.user)
    context: dict[str, Any] = {
        "fulfilments": fulfilments,
        "handled": handled if handled not in fulfilments else None,
        "status": status.value,
        "tabs": [
            {
                "value": tab.value,
                "label": status_label(tab),
                "url": _queue_url(tab),
                "count": counts[tab.value],
            }
            for tab in QUEUE_STATUSES
        ],
        "error": error,
    }
    if request.GET.get("partial") == "1":
        return render(request, "web/merchant/_queue_list.html", context, status=code)
    return render(request, "web/merchant/queue.html", context, status=code)


def _list_queue(user: User, status: FulfilmentStatus) -> list[Fulfilment]:
    found = list_fulfilments_for_staff(
        staff_user_id=user.pk, status=status.value, limit=QUEUE_LENGTH_MAX, offset=0
    )
    fulfilments, _total = found
    return fulfilments


class QueueView(MerchantStaffRequiredMixin, View):
    """The queue of one status, oldest first."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """Show the queue (or just its list, for the refreshing script)."""
        return render_queue(request, status=_queue_status(request))


class QueueActionView(MerchantStaffRequiredMixin, View):
    """Accept, start preparing or mark ready one fulfilment of one's own merchant."""

    def post(
        self, request: HttpRequest, fulfilment_id: int, action: str
    ) -> HttpResponse:
        """Move the fulfilment, then go back to its former tab; a refusal is told there."""
        assert isinstance(request.user, User)
        if action not in ACTIONS:
            raise Http404(gettext("그런 동작은 없습니다."))
        service, target, done = ACTIONS[action]
        back = request.POST.get("status", S.PLACED.value)
        status = next((s for s in QUEUE_STATUSES if s.value == back), S.PLACED)
        try:
            service(staff_user_id=request.user.pk, fulfilment_id=fulfilment_id)
        except NotFound as error:
            raise Http404(error.detail) from error
        except DomainError as error:
            if is_already_done(error, target):
                messages.success(request, str(done))
                return redirect(_queue_url(status.value, handled=fulfilment_id))
            return render_queue(
                request,
                status=status,
                error=refusal_message(error),
                code=refusal_status(error),
            )
        messages.success(request, str(done))
        return redirect(_queue_url(status.value, handled=fulfilment_id))


class RejectView(MerchantStaffRequiredMixin, View):
    """Reject one fulfilment, with a reason the shopper will read."""

    def _render(
        self, request: HttpRequest, fulfilment: Fulfilment, form: RejectForm, code: int
    ) -> HttpResponse:
        context = {"fulfilment": fulfilment, "form": form}
        return render(request, "web/merchant/reject.html", context, status=code)

    def _get(self, request: HttpRequest, fulfilment_id: int) -> Fulfilment:
        assert isinstance(request.user, User)
        try:
            return get_fulfilment_for_staff(
                staff_user_id=request.user.pk, fulfilment_id=fulfilment_id
            )
        except NotFound as error:
            raise Http404(error.detail) from error

    def get(self, request: HttpRequest, fulfilment_id: int) -> HttpResponse:
        """Show the reason form."""
        fulfilment = self._get(request, fulfilment_id)
        return self._render(request, fulfilment, RejectForm(), HTTPStatus.OK)

    def post(self, request: HttpRequest, fulfilment_id: int) -> HttpResponse:
        """Reject, then go back to the queue; no reason or a refusal shows the form again."""
        assert isinstance(request.user, User)
        fulfilment = self._get(request, fulfilment_id)
        form = RejectForm(request.POST)
        if not form.is_valid():
            return self._render(
                request, fulfilment, form, HTTPStatus.UNPROCESSABLE_ENTITY
            )
        try:
            reject_fulfilment(
                staff_user_id=request.user.pk,
                fulfilment_id=fulfilment.pk,
                reason=form.cleaned_data["reason"],
            )
        except NotFound as error:
            raise Http404(error.detail) from error
        except DomainError as error:
            form.add_error(None, refusal_message(error))
            return self._render(request, fulfilment, form, refusal_status(error))
        messages.success(request, gettext("주문을 거절했습니다."))
        return redirect(_queue_url(fulfilment.status, handled=fulfilment.pk))
