"""A restaurant's dish on the merchant's product page: capacity, sold out, time, options.

Each form posts, then redirects to the product page (PRG); a refused value shows the page
again with the reason beside the field and changes nothing. Another merchant's dish, group
or option is 404: the services find them through the staff member's merchants.
"""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views import View

from okryu.accounts.models import User
from okryu.catalog.dishes import (
    add_option,
    add_option_group,
    get_dish_id_of_option_for_staff,
    get_dish_id_of_option_group_for_staff,
    remove_option,
    remove_option_group,
    set_dish_kitchen,
)
from okryu.catalog.products import get_product_for_staff
from okryu.core.errors import DomainError, NotFound
from okryu.web.confirmation import NOT_CONFIRMED, is_confirmed
from okryu.web.merchant.access import MerchantStaffRequiredMixin
from okryu.web.merchant.dish_forms import DishKitchenForm, OptionForm, OptionGroupForm
from okryu.web.merchant.products import UNPROCESSABLE, render_product_page
from okryu.web.orders.errors import refusal_status


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _act(
    request: HttpRequest,
    *,
    product_id: int,
    form: forms.Form,
    form_name: str,
    action: Callable[[], object],
    done: str,
) -> HttpResponse:
    """Run ``action`` for a valid ``form``, then go back to the product; else show why."""
    try:
        product = get_product_for_staff(
            staff_user_id=_user(request).pk, product_id=product_id
        )
    except NotFound as error:
        raise Http404(error.detail) from error
    status = UNPROCESSABLE
    if form.is_valid():
        try:
            action()
        except NotFound as error:
            raise Http404(error.detail) from error
        except DomainError as error:
            field = str(error.extra.get("field", ""))
            form.add_error(field if field in form.fields else None, error.detail)
            status = refusal_status(error)
        else:
            messages.success(request, done)
            return redirect("merchant-product-edit", product_id=product_id)
    return render_product_page(
        request, product=product, dish_forms={form_name: form}, code=status
    )


class DishKitchenView(MerchantStaffRequiredMixin, View):
    """Set a dish's daily capacity, sold-out switch and preparation time."""

    def post(self, request: HttpRequest, product_id: int) -> HttpResponse:
        """Save the three settings, or show why not."""
        form = DishKitchenForm(request.POST)

        def save() -> object:
            data = form.cleaned_data
            return set_dish_kitchen(
                staff_user_id=_user(request).pk,
                product_id=product_id,
                daily_capacity=data["daily_capacity"],
                is_sold_out=data["is_sold_out"],
                preparation_minutes=data["preparation_minutes"],
            )

        return _act(
            request,
            product_id=product_id,
            form=form,
            form_name="kitchen_form",
            action=save,
            done=gettext("조리 설정을 고쳤습니다."),
        )


class OptionGroupAddView(MerchantStaffRequiredMixin, View):
    """Add an option group to a dish."""

    def post(self, request: HttpRequest, product_id: int) -> HttpResponse:
        """Add the group, or show why not."""
        form = OptionGroupForm(request.POST)

        def add() -> object:
            data = form.cleaned_data
            return add_option_group(
                staff_user_id=_user(request).pk,
                product_id=product_id,
                name=data["name"],
                name_en=data["name_en"],
                choice=data["choice"],
            )

        return _act(
            request,
            product_id=product_id,
            form=form,
            form_name="group_form",
            action=add,
            done=gettext("선택 묶음을 더했습니다."),
        )


def _group_product_id(request: HttpRequest, group_id: int) -> int:
    try:
        return get_dish_id_of_option_group_for_staff(
            staff_user_id=_user(request).pk, group_id=group_id
        )
    except NotFound as error:
        raise Http404(error.detail) from error


class OptionAddView(MerchantStaffRequiredMixin, View):
    """Add an option to a group of a dish."""

    def post(self, request: HttpRequest, group_id: int) -> HttpResponse:
        """Add the option, or show why not."""
        form = OptionForm(request.POST, id_prefix=f"g{group_id}")

        def add() -> object:
            data = form.cleaned_data
            return add_option(
                staff_user_id=_user(request).pk,
                group_id=group_id,
                name=data["name"],
                name_en=data["name_en"],
                price_change_won=data["price_change_won"],
            )

        return _act(
            request,
            product_id=_group_product_id(request, group_id),
            form=form,
            form_name="option_form",
            action=add,
            done=gettext("선택을 더했습니다."),
        )


class OptionGroupRemoveView(MerchantStaffRequiredMixin, View):
    """Remove an option group (and its options) from a dish."""

    def post(self, request: HttpRequest, group_id: int) -> HttpResponse:
        """Remove it once its box is ticked, then show the dish."""
        product_id = _group_product_id(request, group_id)
        if not is_confirmed(request):
            messages.error(request, str(NOT_CONFIRMED))
            return redirect("merchant-product-edit", product_id=product_id)
        try:
            remove_option_group(staff_user_id=_user(request).pk, group_id=group_id)
        except NotFound as error:
            raise Http404(error.detail) from error
        messages.success(request, gettext("선택 묶음을 지웠습니다."))
        return redirect("merchant-product-edit", product_id=product_id)


class OptionRemoveView(MerchantStaffRequiredMixin, View):
    """Remove one option from a dish."""

    def post(self, request: HttpRequest, option_id: int) -> HttpResponse:
        """Remove it, then show the dish."""
        try:
            product_id = get_dish_id_of_option_for_staff(
                staff_user_id=_user(request).pk, option_id=option_id
            )
            remove_option(staff_user_id=_user(request).pk, option_id=option_id)
        except NotFound as error:
            raise Http404(error.detail) from error
        messages.success(request, gettext("선택을 지웠습니다."))
        return redirect("merchant-product-edit", product_id=product_id)
