"""The shopper's waitlist pages: "입고 알림" from a sold-out product, and my waitlist.

Joining and cancelling are idempotent by themselves (a repeat answers the same entry; a
closed entry stays closed), so a double click or a resubmitted form changes nothing twice.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views import View

from okryu.accounts.models import User
from okryu.catalog.waitlist import (
    cancel_waitlist_entry,
    join_waitlist,
    list_waitlist_entries,
    waiting_position,
)
from okryu.core.errors import DomainError, InvalidInput, NotFound
from okryu.web.shop.listing import paging_for, parse_page_number

# Digits a typed quantity may have before it is read as a number (the service bounds it).
TYPED_QUANTITY_LENGTH_MAX = 4


def _page_url(number: int | None) -> str:
    if number is None:
        return ""
    base = reverse("waitlist")
    return base if number == 1 else f"{base}?page={number}"


class WaitlistView(LoginRequiredMixin, View):
    """My waitlist: each entry with its place, or the offer and until when it is held."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """Show one page of the shopper's own entries, newest first."""
        assert isinstance(request.user, User)
        try:
            number = parse_page_number(request)
        except InvalidInput as error:
            raise Http404(error.detail) from error
        size = int(settings.OKRYU_PAGE_SIZE)
        entries, total = list_waitlist_entries(
            shopper_id=request.user.pk, limit=size, offset=(number - 1) * size
        )
        paging = paging_for(number=number, total=total)
        if number > paging.count:
            raise Http404(gettext("그런 쪽은 없습니다."))
        context: dict[str, Any] = {
            "entries": [
                {"entry": entry, "position": waiting_position(entry)}
                for entry in entries
            ],
            "paging": paging,
            "previous_url": _page_url(paging.previous),
            "next_page_url": _page_url(paging.next),
        }
        return render(request, "web/waitlist/waitlist.html", context)


class JoinView(LoginRequiredMixin, View):
    """Ask to be told when a sold-out product returns ("입고 알림")."""

    def get(self, request: HttpRequest, product_id: int) -> HttpResponse:
        """Back to the product (where a visitor who signed in first comes back to)."""
        return redirect("product", product_id=product_id)

    def post(self, request: HttpRequest, product_id: int) -> HttpResponse:
        """Join the waitlist, then show my waitlist; a refusal goes back to the product."""
        assert isinstance(request.user, User)
        raw = request.POST.get("quantity", "")
        quantity = (
            int(raw)
            if raw.isascii() and raw.isdigit() and len(raw) <= TYPED_QUANTITY_LENGTH_MAX
            else 0
        )
        try:
            _entry, created = join_waitlist(
                shopper_id=request.user.pk, product_id=product_id, quantity=quantity
            )
        except NotFound as error:
            raise Http404(error.detail) from error
        except DomainError as error:
            messages.error(request, _refusal(error))
            if error.code == "phone_not_verified":
                # Mended on the phone's page, one step away; the product is one Back away.
                return redirect("phone-verify")
            return redirect("product", product_id=product_id)
        messages.success(
            request,
            gettext("입고되면 문자로 알려 드립니다.")
            if created
            else gettext("이미 입고 알림을 신청했습니다."),
        )
        return redirect("waitlist")


def _refusal(error: DomainError) -> str:
    if error.code == "in_stock":
        return gettext("지금 주문할 수 있는 상품입니다. 장바구니에 담으십시오.")
    if error.code == "phone_not_verified":
        return gettext(
            "입고 알림은 확인된 전화번호로 보냅니다. "
            "여기서 전화번호를 확인한 뒤 상품에서 다시 신청하십시오."
        )
    if error.code == "over_limit":
        return gettext("이 상품은 한 사람이 %(limit)d개까지 살 수 있습니다.") % {
            "limit": error.extra["limit"]
        }
    if isinstance(error, InvalidInput) and error.field == "quantity":
        return gettext("수량은 1부터 %(max)d까지입니다.") % {
            "max": settings.OKRYU_LINE_QUANTITY_MAX
        }
    return error.detail


class CancelView(LoginRequiredMixin, View):
    """Leave a waitlist; units offered to me pass to the next shopper."""

    def post(self, request: HttpRequest, entry_id: int) -> HttpResponse:
        """Cancel my entry and show my waitlist; another shopper's entry is 404."""
        assert isinstance(request.user, User)
        try:
            cancel_waitlist_entry(shopper_id=request.user.pk, entry_id=entry_id)
        except NotFound as error:
            raise Http404(error.detail) from error
        messages.success(request, gettext("입고 알림을 취소했습니다."))
        return redirect("waitlist")
