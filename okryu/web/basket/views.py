"""Pages of the basket: see it grouped by merchant, add a product, change or remove a line.

A visitor who has not logged in has a basket too, kept with their browser session; it joins
their own basket when they log in. Every form posts, then redirects; a refused quantity is told
in a clear message and changes nothing. A line or product that does not exist for the visitor
is 404.
"""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext
from django.views import View
from django.views.decorators.cache import never_cache

from okryu.cart.owners import BasketOwner
from okryu.cart.queries import exists_basket_line, get_basket_summary
from okryu.cart.rules import BasketSummary
from okryu.cart.services import add_to_basket, remove_line, set_line_quantity
from okryu.catalog.availability import closed_kitchens, kitchen_hours
from okryu.core import clock
from okryu.core.errors import DomainError, NotFound
from okryu.core.won import format_won
from okryu.web.basket.forms import (
    TYPED_QUANTITY_LENGTH_MAX,
    BasketAddForm,
    LineQuantityForm,
)
from okryu.web.idempotency import submit_once
from okryu.web.orders import recovery

UNPROCESSABLE = 422
# Marks a visitor's session as holding a basket, so the session is stored and keeps its key.
_SESSION_HAS_BASKET = "has_basket"


def find_basket_owner(request: HttpRequest) -> BasketOwner | None:
    """Return who the request's basket belongs to, or None for a visitor with no session."""
    if request.user.is_authenticated:
        return BasketOwner.for_user(request.user.pk)
    session_key = request.session.session_key
    return BasketOwner.for_session(session_key) if session_key else None


def _get_or_start_basket_owner(request: HttpRequest) -> BasketOwner:
    owner = find_basket_owner(request)
    if owner is not None:
        return owner
    request.session[_SESSION_HAS_BASKET] = True
    request.session.save()
    assert request.session.session_key is not None
    return BasketOwner.for_session(request.session.session_key)


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        return candidate
    return reverse("basket")


def _render_basket(
    request: HttpRequest,
    *,
    line_errors: dict[int, list[str]] | None = None,
    typed_line_id: int | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the basket; after a refused quantity, the line ``typed_line_id`` shows the
    quantity as it was typed, beside the reason."""
    owner = find_basket_owner(request)
    summary = (
        get_basket_summary(owner) if owner else BasketSummary(groups=(), total_won=0)
    )
    typed = str(request.POST.get("quantity", ""))[:TYPED_QUANTITY_LENGTH_MAX]
    hours = kitchen_hours(
        item.product_id for group in summary.groups for item in group.items
    )
    context: dict[str, Any] = {
        "summary": summary,
        "closed": closed_kitchens(hours, at=clock.now()),
        "line_errors": line_errors or {},
        "typed_line_id": typed_line_id,
        "typed_quantity": typed,
        "recovered_orders": _recovered_orders(request),
    }
    return render(request, "web/basket/basket.html", context, status=status)


def _recovered_orders(request: HttpRequest) -> list[recovery.RecoveredOrder]:
    user = request.user
    if not user.is_authenticated:
        return []
    return recovery.list_recovered_orders(request.session, shopper_id=user.pk)


def _first_errors(form: BasketAddForm | LineQuantityForm) -> list[str]:
    return [str(message) for messages_ in form.errors.values() for message in messages_]


# A price seen on a page, in won: beyond this it is not a price a page showed.
PRICE_DIGITS_MAX = 12


# Not kept by the browser: Back after a lost answer asks the server of the order.
@method_decorator(never_cache, name="dispatch")
class BasketView(View):
    """The basket, grouped by merchant, with subtotals and the total."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """Show the basket."""
        return _render_basket(request)


def _typed_again_url(request: HttpRequest, product_id: int) -> str:
    """Return the product's page holding the quantity and options typed, after a refusal.

    The product page shows them in its form again (``web.shop.views.product``), so the
    shopper corrects what was refused instead of typing it all again.
    """
    typed = BasketAddForm.typed_values(request.POST)
    url = reverse("product", args=[product_id])
    return f"{url}?{urlencode(typed, doseq=True)}" if typed else url


class BasketAddView(View):
    """Put a product in the basket, then go back to ``next`` (or to the basket)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        """Add the product; a refusal goes to the product's page with the reason as a
        message and what was typed still in its form."""
        form = BasketAddForm(request.POST)
        if "product" in form.errors:
            raise Http404(gettext("상품을 찾을 수 없습니다."))
        destination = _safe_next(request, request.POST.get("next", ""))
        if not form.is_valid():
            for message in _first_errors(form):
                messages.error(request, message)
            if "idempotency_key" in form.errors:
                return redirect(destination)
            return redirect(_typed_again_url(request, form.cleaned_data["product"]))
        owner = _get_or_start_basket_owner(request)
        product_id: int = form.cleaned_data["product"]
        quantity: int = form.cleaned_data["quantity"]
        option_ids: tuple[int, ...] = form.cleaned_data["option"]

        def add() -> tuple[int, dict[str, object]]:
            line = add_to_basket(
                owner=owner,
                product_id=product_id,
                quantity=quantity,
                option_ids=option_ids,
            )
            return 200, {
                "product": line.product.name,
                "quantity": line.quantity,
                "price_won": line.product.price_won,
            }

        try:
            # A double click or a resubmitted form repeats the key: the product goes in once.
            outcome = submit_once(
                scope=f"web:basket-add:{owner.label}",
                key=form.cleaned_data["idempotency_key"],
                fields={
                    "product": product_id,
                    "quantity": quantity,
                    "options": list(option_ids),
                },
                action=add,
            )
        except NotFound as error:
            raise Http404(error.detail) from error
        except DomainError as error:
            messages.error(request, error.detail)
            return redirect(_typed_again_url(request, product_id))
        messages.success(
            request,
            gettext("장바구니에 담았습니다 (%(product)s %(quantity)d개).")
            % outcome.body,
        )
        _tell_a_changed_price(request, outcome.body)
        return redirect(destination)


def _tell_a_changed_price(request: HttpRequest, added: dict[str, Any]) -> None:
    """Say so when the product's price is not the one its page showed (``price_seen``).

    A page kept on the phone while offline may be hours old: the basket edit is sent when
    the link returns and the server's price is the one that counts.
    """
    seen = str(request.POST.get("price_seen", ""))
    now = added.get("price_won")
    if not (seen.isascii() and seen.isdigit() and len(seen) <= PRICE_DIGITS_MAX):
        return
    if isinstance(now, int) and int(seen) != now:
        messages.warning(
            request,
            gettext("%(product)s의 가격이 %(seen)s에서 %(now)s으로 바뀌었습니다.")
            % {
                "product": added["product"],
                "seen": format_won(int(seen)),
                "now": format_won(now),
            },
        )


class BasketLineUpdateView(View):
    """Change the quantity of one line."""

    def post(self, request: HttpRequest, line_id: int) -> HttpResponse:
        """Set the quantity, or show the basket again with the reason beside the line."""
        owner = find_basket_owner(request)
        if owner is None or not exists_basket_line(owner, line_id=line_id):
            raise Http404(gettext("장바구니에 그런 줄이 없습니다."))
        form = LineQuantityForm(request.POST)
        if not form.is_valid():
            return _render_basket(
                request,
                line_errors={line_id: _first_errors(form)},
                typed_line_id=line_id,
                status=UNPROCESSABLE,
            )
        try:
            set_line_quantity(
                owner=owner, line_id=line_id, quantity=form.cleaned_data["quantity"]
            )
        except NotFound as error:
            raise Http404(error.detail) from error
        except DomainError as error:
            return _render_basket(
                request,
                line_errors={line_id: [error.detail]},
                typed_line_id=line_id,
                status=error.status,
            )
        messages.success(request, gettext("수량을 바꿨습니다."))
        return redirect("basket")


class BasketLineRemoveView(View):
    """Remove one line."""

    def post(self, request: HttpRequest, line_id: int) -> HttpResponse:
        """Remove the line; a line of another basket is 404."""
        owner = find_basket_owner(request)
        if owner is None:
            raise Http404(gettext("장바구니에 그런 줄이 없습니다."))
        try:
            remove_line(owner=owner, line_id=line_id)
        except NotFound as error:
            raise Http404(error.detail) from error
        messages.success(request, gettext("장바구니에서 뺐습니다."))
        return redirect("basket")
