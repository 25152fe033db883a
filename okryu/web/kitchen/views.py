"""The kitchen screen: a restaurant's new orders to accept, then its accepted and preparing
orders, oldest first.

A new order shows its dishes and options with "accept" (rejecting is a link apart, to the
merchant's reject page that asks for a reason). Each ticket shows its dishes with the chosen
options, how long ago it was accepted and when it is due; an overdue ticket stands out.
"Accept", "start" and "ready" call the same services (through the queue's table) as the
merchant's queue, so the two pages cannot disagree: "ready" is one call that also opens the
delivery job. The screen refreshes
itself as the queue does: a ``<noscript>`` meta refresh, or the deferred script that fetches
only the tickets (``?partial=1``) and swaps them in. Every button posts, then redirects (PRG),
so a refresh never repeats a move; a refused move is told in a message on the screen.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext, gettext_lazy
from django.views import View

from okryu.accounts.models import User
from okryu.catalog.models import Product
from okryu.catalog.portions import today
from okryu.catalog.products import list_dishes_for_staff, set_dish_sold_out
from okryu.core import clock
from okryu.core.errors import DomainError, NotFound
from okryu.merchants.models import MerchantKind
from okryu.orders.queries import (
    STATUS_VALUES,
    KitchenTicket,
    list_fulfilments_for_staff,
    list_kitchen_tickets_for_staff,
)
from okryu.orders.rules import FulfilmentStatus
from okryu.web.merchant.access import MerchantStaffRequiredMixin
from okryu.web.merchant.queue import ACTIONS, is_already_done
from okryu.web.orders.errors import refusal_message
from okryu.web.orders.timeline import status_label

TICKETS_MAX = 100
DISHES_MAX = 100
# The sold-out switch's two positions, as they appear in its URL.
DISH_STATES = {"sold-out": True, "on-sale": False}
S = FulfilmentStatus
# The queue's buttons that belong in a kitchen: accept, start preparing, then ready.
KITCHEN_ACTIONS = ("accept", "prepare", "ready")
# What the cook is told when the order moved away under the button, by where it went.
GONE_MESSAGES = {
    S.CANCELLED.value: gettext_lazy("손님이 이 주문을 취소했습니다. 만들지 마십시오."),
    S.REJECTED.value: gettext_lazy("이 주문은 거절되었습니다. 만들지 마십시오."),
}


class RestaurantStaffRequiredMixin(MerchantStaffRequiredMixin):
    """Let in only staff of a restaurant; other merchants' staff and everyone else get 403."""

    merchant_kind = MerchantKind.RESTAURANT
    refusal = gettext_lazy("식당 직원만 볼 수 있는 쪽입니다.")


@dataclass(frozen=True)
class TicketRow:
    """One ticket as the screen shows it at ``now``."""

    ticket: KitchenTicket
    waited_minutes: int
    late_minutes: int

    @property
    def is_late(self) -> bool:
        """Whether the ticket is past its due time."""
        return self.late_minutes > 0


def _minutes_between(earlier: dt.datetime, later: dt.datetime) -> int:
    return max(0, int((later - earlier).total_seconds() // 60))


def _late_minutes(due_at: dt.datetime, now: dt.datetime) -> int:
    if now <= due_at:
        return 0
    # A ticket a few seconds past due is late already: one minute, never zero.
    return max(1, _minutes_between(due_at, now))


def ticket_rows(tickets: list[KitchenTicket], *, now: dt.datetime) -> list[TicketRow]:
    """Return the tickets with the minutes since acceptance and the minutes past due."""
    return [
        TicketRow(
            ticket=ticket,
            waited_minutes=_minutes_between(ticket.accepted_at, now),
            late_minutes=_late_minutes(ticket.due_at, now),
        )
        for ticket in tickets
    ]


def render_kitchen(request: HttpRequest) -> HttpResponse:
    """Render the kitchen screen (only the tickets when ``?partial=1``)."""
    assert isinstance(request.user, User)
    now = clock.now()
    tickets = list_kitchen_tickets_for_staff(
        staff_user_id=request.user.pk, limit=TICKETS_MAX
    )
    new_orders, _total = list_fulfilments_for_staff(
        staff_user_id=request.user.pk,
        status=S.PLACED.value,
        limit=TICKETS_MAX,
        merchant_kind=MerchantKind.RESTAURANT,
    )
    restaurants = {ticket.fulfilment.merchant_id for ticket in tickets} | {
        fulfilment.merchant_id for fulfilment in new_orders
    }
    context: dict[str, Any] = {
        "new_orders": new_orders,
        "rows": ticket_rows(tickets, now=now),
        "now": now,
        "several_restaurants": len(restaurants) > 1,
    }
    if request.GET.get("partial") == "1":
        return render(request, "web/kitchen/_tickets.html", context)
    context["dishes"] = dish_rows(
        list_dishes_for_staff(staff_user_id=request.user.pk, limit=DISHES_MAX)
    )
    return render(request, "web/kitchen/kitchen.html", context)


@dataclass(frozen=True)
class DishRow:
    """One dish of the sold-out switch, with the portions still orderable today."""

    product: Product
    portions_left: int | None


def dish_rows(dishes: list[Product]) -> list[DishRow]:
    """Return the dishes with their portions left today (None for a dish without a cap)."""
    day = today()
    return [
        DishRow(
            product=dish,
            portions_left=dish.portions_left_on(day) if dish.sells_portions else None,
        )
        for dish in dishes
    ]


class KitchenView(RestaurantStaffRequiredMixin, View):
    """The screen, or just its tickets for the refreshing script."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """Show the tickets of the staff member's restaurants."""
        return render_kitchen(request)


def kitchen_refusal(error: DomainError) -> str:
    """Return what the cook is told when a button's move was refused."""
    status = error.extra.get("status")
    if error.code != "transition_not_allowed" or status not in STATUS_VALUES:
        return refusal_message(error)
    if status in GONE_MESSAGES:
        return str(GONE_MESSAGES[str(status)])
    return gettext("이 주문은 지금 '%(status)s' 상태라 그렇게 바꿀 수 없습니다.") % {
        "status": status_label(str(status))
    }


class KitchenActionView(RestaurantStaffRequiredMixin, View):
    """Start preparing, or mark ready, one ticket of one's own restaurant."""

    def post(
        self, request: HttpRequest, fulfilment_id: int, action: str
    ) -> HttpResponse:
        """Move the ticket, then show the screen again with what happened."""
        assert isinstance(request.user, User)
        if action not in KITCHEN_ACTIONS:
            raise Http404(gettext("그런 동작은 없습니다."))
        service, target, done = ACTIONS[action]
        try:
            service(staff_user_id=request.user.pk, fulfilment_id=fulfilment_id)
        except NotFound as error:
            raise Http404(error.detail) from error
        except DomainError as error:
            if is_already_done(error, target):  # A double tap: the first one did it.
                messages.success(request, str(done))
            else:
                messages.error(request, kitchen_refusal(error))
            return redirect("kitchen")
        messages.success(request, str(done))
        return redirect("kitchen")


class KitchenDishView(RestaurantStaffRequiredMixin, View):
    """The sold-out switch of one dish of one's own restaurant."""

    def post(self, request: HttpRequest, product_id: int, state: str) -> HttpResponse:
        """Switch the dish (the same switch twice changes nothing), then show the screen."""
        assert isinstance(request.user, User)
        if state not in DISH_STATES:
            raise Http404(gettext("그런 동작은 없습니다."))
        try:
            dish = set_dish_sold_out(
                staff_user_id=request.user.pk,
                product_id=product_id,
                is_sold_out=DISH_STATES[state],
            )
        except NotFound as error:
            raise Http404(error.detail) from error
        except DomainError as error:
            messages.error(request, refusal_message(error))
            return redirect("kitchen")
        name = dish.name_en if get_language() == "en" else dish.name
        if dish.is_sold_out:
            messages.success(request, gettext("%(dish)s: 품절") % {"dish": name})
        else:
            messages.success(request, gettext("%(dish)s: 다시 팝니다") % {"dish": name})
        return redirect("kitchen")
