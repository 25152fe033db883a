"""The checkout page: the basket per merchant with delivery fees, address, slot and card.

One POST places the order through ``orders.services.place_order``, which keeps the form's
hidden idempotency key with the order in one durable transaction: a double click, the
browser's "send again" or a retry after a dropped connection finds the first order and is
sent to it. A refusal (out of stock, wrong PIN, a changed price) shows the page again with the
reason and changes nothing; what was typed is kept, except the PIN.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import get_language, gettext
from django.views import View
from django.views.decorators.cache import never_cache

from okryu.accounts.models import Address, User
from okryu.accounts.queries import list_addresses_for_user
from okryu.cart.owners import BasketOwner
from okryu.cart.queries import get_basket_summary
from okryu.cart.rules import BasketSummary
from okryu.cart.services import remove_line
from okryu.catalog.availability import (
    closed_kitchens,
    is_every_kitchen_open,
    kitchen_hours,
)
from okryu.core import clock, rate_limits
from okryu.core.errors import DomainError, NotFound
from okryu.core.particles import resolve_particles
from okryu.merchants.rules import OpeningPeriod
from okryu.orders.services import CheckoutQuote, place_order, quote_checkout
from okryu.orders.services.checkout import CheckoutLine, CheckoutOrder
from okryu.web.checkout.forms import (
    CARD,
    LINE_PART_DIGITS_MAX,
    NEW_ADDRESS,
    CheckoutForm,
    SeenLine,
)
from okryu.web.orders import recovery
from okryu.web.orders.errors import refusal_message, refusal_status

CONFLICT = 409
UNPROCESSABLE = 422


def _seen_lines(summary: BasketSummary) -> list[SeenLine]:
    return [
        SeenLine(
            item.line_id,
            item.product_id,
            item.quantity,
            item.price_won,
            item.option_ids,
        )
        for group in summary.groups
        for item in group.items
    ]


def _checkout_lines(
    lines: tuple[SeenLine, ...] | list[SeenLine],
) -> tuple[CheckoutLine, ...]:
    return tuple(
        CheckoutLine(
            product_id=line.product_id,
            quantity=line.quantity,
            price_won_seen=line.price_won,
            option_ids=line.option_ids,
        )
        for line in lines
    )


@dataclass(frozen=True)
class _Kitchens:
    """The basket's restaurants' hours: which slots they allow, and who is closed now."""

    hours: dict[int, list[OpeningPeriod]]

    @classmethod
    def of(cls, summary: BasketSummary) -> "_Kitchens":
        return cls(
            kitchen_hours(
                item.product_id for group in summary.groups for item in group.items
            )
        )

    def is_open_at(self, moment: dt.datetime) -> bool:
        return is_every_kitchen_open(self.hours, moment)


def _default_district(addresses: list[Address]) -> int | None:
    return addresses[0].district_id if addresses else None


def _render_checkout(  # noqa: PLR0913  (the page and what a refusal adds to it)
    request: HttpRequest,
    *,
    form: CheckoutForm,
    summary: BasketSummary,
    addresses: list[Address],
    district_id: int | None,
    status: int = 200,
    refusal_code: str = "",
) -> HttpResponse:
    lines = _seen_lines(summary)
    quote: CheckoutQuote | None = None
    quote_problem = ""
    if district_id is not None:
        try:
            quote = quote_checkout(
                lines=_checkout_lines(lines), district_id=district_id
            )
        except DomainError as error:
            quote_problem = refusal_message(error)
    fees = {part.merchant_id: part for part in quote.merchants} if quote else {}
    closed = closed_kitchens(_Kitchens.of(summary).hours, at=clock.now())
    context: dict[str, Any] = {
        "form": form,
        "closed_parts": [
            (group, closed[group.merchant_id])
            for group in summary.groups
            if group.merchant_id in closed
        ],
        "summary": summary,
        "parts": [(group, fees.get(group.merchant_id)) for group in summary.groups],
        "addresses": addresses,
        "lines": lines,
        "quote": quote,
        "quote_problem": quote_problem,
        "quoted_district": district_id,
        "new_address": NEW_ADDRESS,
        # A refusal the shopper can mend elsewhere links there (the phone's check).
        "refusal_code": refusal_code,
    }
    return render(request, "web/checkout/checkout.html", context, status=status)


def _remove_ordered_lines(owner: BasketOwner, lines: tuple[SeenLine, ...]) -> None:
    for line in lines:
        try:
            remove_line(owner=owner, line_id=line.line_id)
        except NotFound:
            # Already gone: removed in another tab, or by the first of a double submit.
            continue


# Not kept by the browser: Back after a lost answer asks the server of the order.
@method_decorator(never_cache, name="dispatch")
class CheckoutView(LoginRequiredMixin, View):
    """Show the checkout page, and place the order from it."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """Show the page; an empty basket sends the shopper back to it."""
        assert isinstance(request.user, User)
        summary = get_basket_summary(BasketOwner.for_user(request.user.pk))
        if summary.is_empty:
            messages.info(
                request, gettext("장바구니가 비어 있습니다. 먼저 상품을 담으십시오.")
            )
            return redirect("basket")
        addresses = list_addresses_for_user(user=request.user)
        form = CheckoutForm(
            addresses=addresses,
            now=clock.now(),
            is_open_at=_Kitchens.of(summary).is_open_at,
        )
        form.initial = {
            "address": str(addresses[0].pk) if addresses else NEW_ADDRESS,
            "slot": form.first_slot(),
        }
        return _render_checkout(
            request,
            form=form,
            summary=summary,
            addresses=addresses,
            district_id=_default_district(addresses),
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        """Place the order, then go to it; a refusal shows the page again with the reason."""
        assert isinstance(request.user, User)
        owner = BasketOwner.for_user(request.user.pk)
        addresses = list_addresses_for_user(user=request.user)
        form = CheckoutForm(
            request.POST,
            addresses=addresses,
            now=clock.now(),
            is_open_at=_Kitchens.of(get_basket_summary(owner)).is_open_at,
        )
        if not request.POST.getlist("line"):
            messages.info(
                request, gettext("장바구니가 비어 있습니다. 먼저 상품을 담으십시오.")
            )
            return redirect("basket")

        def again(
            message: str, status: int, district_id: int | None, code: str = ""
        ) -> HttpResponse:
            # Show the basket as it is now, with fresh hidden lines and a fresh key.
            summary = get_basket_summary(owner)
            if summary.is_empty:
                messages.error(request, message or gettext("장바구니가 비어 있습니다."))
                return redirect("basket")
            if message:
                form.add_error(None, message)
            return _render_checkout(
                request,
                form=form,
                summary=summary,
                addresses=addresses,
                district_id=district_id,
                status=status,
                refusal_code=code,
            )

        quoted = _quoted_district(request)
        if not form.is_valid():
            return again("", UNPROCESSABLE, quoted)
        district_id, detail = form.chosen_place()
        if quoted != district_id:
            message = gettext(
                "배달 주소가 바뀌어 배달비를 다시 계산했습니다. "
                "확인하고 다시 주문하십시오."
            )
            return again(message, CONFLICT, district_id)
        slot = form.chosen_slot()
        lines: tuple[SeenLine, ...] = form.cleaned_data["line"]
        is_card = form.cleaned_data["payment"] == CARD
        checkout = CheckoutOrder(
            lines=_checkout_lines(lines),
            district_id=district_id,
            address_detail=detail,
            slot_starts_at=slot.starts_at if slot else None,
            card_number=form.cleaned_data["card_number"] if is_card else "",
            pin=form.cleaned_data["pin"] if is_card else "",
            payment_method=form.cleaned_data["payment"],
        )
        rate_limits.hit_all(
            "sms",
            address=rate_limits.client_address(request.META),
            account_id=request.user.pk,
            card=checkout.card_number or None,
        )
        key = form.cleaned_data["idempotency_key"]
        # Kept before placing: if the answer is lost, the basket and orders pages find it.
        recovery.remember_checkout_key(request.session, key)
        try:
            placed = place_order(
                shopper_id=request.user.pk, checkout=checkout, idempotency_key=key
            )
        except DomainError as error:
            recovery.forget_checkout_key(request.session, key)
            message = refusal_message(error, product_names=_product_names(owner))
            return again(message, refusal_status(error), district_id, error.code)
        recovery.note_checkout_placed(request.session, key, placed.order_id)
        _remove_ordered_lines(owner, lines)
        if placed.is_replay:
            messages.info(request, gettext("이미 받은 주문입니다."))
        else:
            messages.success(
                request,
                resolve_particles(
                    gettext("주문 %(number)s을(를) 받았습니다.")
                    % {"number": placed.number}
                ),
            )
        return redirect("order", order_id=placed.order_id)


def _product_names(owner: BasketOwner) -> dict[int, str]:
    english = get_language() == "en"
    return {
        item.product_id: (item.product_name_en if english else item.product_name)
        for group in get_basket_summary(owner).groups
        for item in group.items
    }


def _quoted_district(request: HttpRequest) -> int | None:
    raw = request.POST.get("quoted_district", "")
    return (
        int(raw)
        if raw.isascii() and raw.isdigit() and len(raw) <= LINE_PART_DIGITS_MAX
        else None
    )
