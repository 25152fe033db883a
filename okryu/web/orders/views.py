"""The shopper's order pages: my orders (paginated), one order, and cancelling it.

Another shopper's order does not exist for the visitor (404): the orders queries take the
shopper and filter by them, so the page cannot show what the query would not.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views import View
from django.views.decorators.cache import never_cache

from okryu.accounts.models import User
from okryu.core import rate_limits
from okryu.core.errors import DomainError, InvalidInput, NotFound
from okryu.delivery.queries import FulfilmentDelivery, delivery_for_fulfilments
from okryu.delivery.services import cancel_order
from okryu.orders.models import Order, OrderStatusChoices, PaymentMethodChoices
from okryu.orders.queries import (
    due_at_door_of,
    find_order_for_shopper_by_checkout_key,
    get_order_for_shopper,
    list_orders_for_shopper,
)
from okryu.orders.rules import SHOPPER_CANCELLABLE_STATUSES, FulfilmentStatus
from okryu.web.confirmation import NOT_CONFIRMED, is_confirmed
from okryu.web.orders import recovery
from okryu.web.orders.errors import refusal_message, refusal_status
from okryu.web.orders.timeline import fulfilment_views
from okryu.web.shop.listing import paging_for, parse_page_number

UNPROCESSABLE = 422


def _page_url(number: int | None) -> str:
    if number is None:
        return ""
    base = reverse("orders")
    return base if number == 1 else f"{base}?page={number}"


# Not kept by the browser: Back after a lost answer asks the server of the order.
@method_decorator(never_cache, name="dispatch")
class OrderListView(LoginRequiredMixin, View):
    """My orders, newest first, one page at a time."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """Show one page of the shopper's own orders."""
        assert isinstance(request.user, User)
        try:
            number = parse_page_number(request)
        except InvalidInput as error:
            raise Http404(error.detail) from error
        size = int(settings.OKRYU_PAGE_SIZE)
        orders, total = list_orders_for_shopper(
            shopper_id=request.user.pk, limit=size, offset=(number - 1) * size
        )
        paging = paging_for(number=number, total=total)
        if number > paging.count:
            raise Http404(gettext("그런 쪽은 없습니다."))
        context: dict[str, Any] = {
            "orders": orders,
            "paging": paging,
            "previous_url": _page_url(paging.previous),
            "next_page_url": _page_url(paging.next),
            "recovered_orders": recovery.list_recovered_orders(
                request.session, shopper_id=request.user.pk
            ),
        }
        return render(request, "web/orders/orders.html", context)


def is_cancellable(order: Order) -> bool:
    """Whether the shopper may still cancel: no fulfilment is being prepared or beyond."""
    statuses = [FulfilmentStatus(f.status) for f in order.fulfilments.all()]
    live = [status for status in statuses if status not in _RELEASED]
    return bool(live) and all(status in SHOPPER_CANCELLABLE_STATUSES for status in live)


_RELEASED = frozenset({FulfilmentStatus.REJECTED, FulfilmentStatus.CANCELLED})


def _own_deliveries(order: Order) -> dict[int, FulfilmentDelivery]:
    # The order is the shopper's own (``get_order_for_shopper``): so are its fulfilments,
    # the one condition under which their confirmation codes may be shown.
    return delivery_for_fulfilments([f.pk for f in order.fulfilments.all()])


def _render_order(
    request: HttpRequest, order: Order, *, error: str = "", status: int = 200
) -> HttpResponse:
    context: dict[str, Any] = {
        "order": order,
        "fulfilments": fulfilment_views(order, _own_deliveries(order)),
        "can_cancel": is_cancellable(order),
        "due_at_door": due_at_door_of(
            order.payment_method, list(order.fulfilments.all())
        ),
        "error": error,
    }
    return render(request, "web/orders/order.html", context, status=status)


def _get_own_order(request: HttpRequest, order_id: int) -> Order:
    assert isinstance(request.user, User)
    try:
        return get_order_for_shopper(shopper_id=request.user.pk, order_id=order_id)
    except NotFound as error:
        raise Http404(error.detail) from error


# Not kept by the browser: Back after a lost answer asks the server of the order.
@method_decorator(never_cache, name="dispatch")
class OrderDetailView(LoginRequiredMixin, View):
    """One of my orders: per merchant its lines, status, payment and timeline."""

    def get(self, request: HttpRequest, order_id: int) -> HttpResponse:
        """Show the order; another shopper's is 404."""
        order = _get_own_order(request, order_id)
        # Seen now: the basket and the orders list need no longer tell of it.
        recovery.forget_order_shown(request.session, order.pk)
        return _render_order(request, order)


class OrderCancelView(LoginRequiredMixin, View):
    """Cancel my order while no merchant has started preparing it."""

    def post(self, request: HttpRequest, order_id: int) -> HttpResponse:
        """Cancel, then show the order; too late shows the order with the reason (409)."""
        assert isinstance(request.user, User)
        order = _get_own_order(request, order_id)
        if not is_confirmed(request):
            return _render_order(
                request, order, error=str(NOT_CONFIRMED), status=UNPROCESSABLE
            )
        rate_limits.hit_all(
            "sms",
            address=rate_limits.client_address(request.META),
            account_id=request.user.pk,
        )
        try:
            cancel_order(shopper_id=request.user.pk, order_id=order.pk)
        except NotFound as error:
            raise Http404(error.detail) from error
        except DomainError as error:
            now = _get_own_order(request, order_id)
            if now.status == OrderStatusChoices.CANCELLED:
                # The second of two clicks, or a resubmitted form: it is done already.
                messages.info(request, gettext("이미 취소된 주문입니다."))
                return redirect("order", order_id=order.pk)
            return _render_order(
                request,
                now,
                error=refusal_message(error),
                status=refusal_status(error),
            )
        messages.success(
            request,
            gettext("주문을 취소했습니다.")
            if order.payment_method == PaymentMethodChoices.DOOR
            else gettext("주문을 취소했습니다. 카드 보류도 풀렸습니다."),
        )
        return redirect("order", order_id=order.pk)


class OrderOutcomeView(LoginRequiredMixin, View):
    """What became of a checkout, asked by its idempotency key instead of sending it again.

    A page (or the offline helper) that lost the answer to its checkout asks here: an order
    placed with the key is shown (302 to it, with when it was placed); otherwise 404 says
    that nothing was placed, and the same form may be sent again with the same key. Asked
    with ``Accept: application/json``, the answer is ``{"order": {"id", "number",
    "placed_at", "url"}}`` or 404 ``{"order": null}``.
    """

    def get(self, request: HttpRequest) -> HttpResponse:
        """Go to the order placed with ``idempotency_key``, or say none was (404)."""
        assert isinstance(request.user, User)
        key = request.GET.get("idempotency_key", "")
        order = find_order_for_shopper_by_checkout_key(
            shopper_id=request.user.pk, key=key
        )
        # The offline helper asks for JSON: the order's number and page, nothing to parse.
        wants_json = "application/json" in request.headers.get("Accept", "")
        if order is None:
            if wants_json:
                return JsonResponse({"order": None}, status=404)
            return render(request, "web/orders/outcome_unknown.html", status=404)
        if wants_json:
            if request.GET.get("kept") == "1":
                # The phone lists this order as its queued checkout's outcome (the service
                # worker asks with kept=1): the pages need not. A page that only asked
                # leaves the basket and the orders page to tell of it too.
                recovery.forget_order_shown(request.session, order.pk)
            return JsonResponse(
                {
                    "order": {
                        "id": order.pk,
                        "number": order.number,
                        "placed_at": order.placed_at.isoformat(),
                        "url": reverse("order", args=[order.pk]),
                    }
                }
            )
        found = recovery.RecoveredOrder(order.pk, order.number, order.placed_at)
        messages.info(request, found.notice)
        return redirect("order", order_id=order.pk, permanent=False)
