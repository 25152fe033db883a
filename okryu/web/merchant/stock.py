"""The merchant's stock page of one product: receive goods, record a count, see the history.

Receiving is not idempotent by state (two receipts of 10 are 20), so each form's hidden key
goes through ``submit_once``: a double click or a resubmitted form receives once. A product of
another merchant does not exist for the staff member (404).
"""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views import View

from okryu.accounts.models import User
from okryu.catalog.models import Product, StockMovement
from okryu.catalog.products import (
    count_stock_for_staff,
    get_product_for_staff,
    receive_stock_for_staff,
)
from okryu.core.errors import DomainError, NotFound
from okryu.core.numbers import format_count
from okryu.web.idempotency import submit_once
from okryu.web.merchant.access import MerchantStaffRequiredMixin
from okryu.web.merchant.forms import ReceiveForm, StockForm
from okryu.web.orders.errors import refusal_message, refusal_status

HISTORY_LENGTH_MAX = 50


def list_stock_history(product: Product) -> list[StockMovement]:
    """Return the product's latest stock movements, newest first, with who made them."""
    return list(
        StockMovement.objects.filter(product=product)
        .select_related("changed_by")
        .order_by("-created_at", "-id")[:HISTORY_LENGTH_MAX]
    )


class _StockPage(MerchantStaffRequiredMixin, View):
    def _product(self, product_id: int) -> Product:
        assert isinstance(self.request.user, User)
        try:
            return get_product_for_staff(
                staff_user_id=self.request.user.pk, product_id=product_id
            )
        except NotFound as error:
            raise Http404(error.detail) from error

    def _render(
        self,
        request: HttpRequest,
        product: Product,
        *,
        forms: dict[str, StockForm] | None = None,
        code: int = 200,
    ) -> HttpResponse:
        given = forms or {}
        context: dict[str, Any] = {
            "product": product,
            "receive_form": given.get("receive", ReceiveForm(prefix="receive")),
            "count_form": given.get("count", StockForm(prefix="count")),
            "history": list_stock_history(product),
        }
        return render(request, "web/merchant/stock.html", context, status=code)


class StockView(_StockPage):
    """The stock figures, the two forms and the history."""

    def get(self, request: HttpRequest, product_id: int) -> HttpResponse:
        """Show the stock page."""
        return self._render(request, self._product(product_id))


class StockChangeView(_StockPage):
    """Receive units (``kind`` receive) or record a count (``kind`` count)."""

    def post(self, request: HttpRequest, product_id: int, kind: str) -> HttpResponse:
        """Change the stock once per form, then show the page again (PRG)."""
        assert isinstance(request.user, User)
        if kind not in {"receive", "count"}:
            raise Http404(gettext("그런 동작은 없습니다."))
        product = self._product(product_id)
        form_class = ReceiveForm if kind == "receive" else StockForm
        form = form_class(request.POST, prefix=kind)
        if not form.is_valid():
            return self._render(request, product, forms={kind: form}, code=422)
        user = request.user
        quantity: int = form.cleaned_data["quantity"]
        note: str = form.cleaned_data["note"]

        def change() -> tuple[int, dict[str, int]]:
            if kind == "receive":
                changed = receive_stock_for_staff(
                    staff_user_id=user.pk,
                    product_id=product.pk,
                    quantity=quantity,
                    note=note,
                )
            else:
                changed = count_stock_for_staff(
                    staff_user_id=user.pk,
                    product_id=product.pk,
                    counted=quantity,
                    note=note,
                )
            return 200, {"on_hand": changed.stock_on_hand}

        try:
            outcome = submit_once(
                scope=f"web:stock-{kind}:{user.pk}",
                key=form.cleaned_data["idempotency_key"],
                fields={"product": product.pk, "quantity": quantity, "note": note},
                action=change,
            )
        except DomainError as error:
            form.add_error(None, refusal_message(error))
            return self._render(
                request, product, forms={kind: form}, code=refusal_status(error)
            )
        messages.success(
            request,
            gettext("재고를 고쳤습니다. 지금 %(on_hand)s개 있습니다.")
            % {"on_hand": format_count(int(outcome.body["on_hand"]))},
        )
        return redirect("merchant-stock", product_id=product.pk)
