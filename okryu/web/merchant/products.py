"""The merchant's products: the list of their own products with stock, and editing them.

Staff of one merchant see only their merchants' products; another merchant's product is 404.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views import View

from okryu.accounts.models import User
from okryu.catalog.models import Product
from okryu.catalog.portions import available_units
from okryu.catalog.products import (
    create_product,
    get_product_for_staff,
    restore_product,
    set_product_photo,
    update_product,
    withdraw_product,
)
from okryu.core.errors import DomainError, InvalidInput, NotFound
from okryu.merchants.queries import get_merchant
from okryu.web.idempotency import submit_once
from okryu.web.merchant.access import MerchantStaffRequiredMixin
from okryu.web.merchant.dish_forms import dish_context
from okryu.web.merchant.forms import NewProductForm, PhotoForm, ProductForm
from okryu.web.orders.errors import refusal_message, refusal_status
from okryu.web.shop.listing import paging_for, parse_page_number

UNPROCESSABLE = 422


def list_products_for_staff(
    *, merchant_ids: list[int], limit: int, offset: int
) -> tuple[list[Product], int]:
    """Return one page of the merchants' products (withdrawn ones last) and the total."""
    products = Product.objects.filter(merchant_id__in=merchant_ids)
    page = list(
        products.select_related("merchant").order_by("-is_active", "name", "id")[
            offset : offset + limit
        ]
    )
    return page, products.count()


def _page_url(number: int | None) -> str:
    if number is None:
        return ""
    base = reverse("merchant-products")
    return base if number == 1 else f"{base}?page={number}"


class ProductListView(MerchantStaffRequiredMixin, View):
    """The merchant's products with price and stock, one page at a time."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """Show one page of the staff member's merchants' products."""
        try:
            number = parse_page_number(request)
        except InvalidInput as error:
            raise Http404(error.detail) from error
        size = int(settings.OKRYU_PAGE_SIZE)
        products, total = list_products_for_staff(
            merchant_ids=self.merchant_ids, limit=size, offset=(number - 1) * size
        )
        paging = paging_for(number=number, total=total)
        if number > paging.count:
            raise Http404(gettext("그런 쪽은 없습니다."))
        context: dict[str, Any] = {
            "products": products,
            # What can be ordered now: a dish's portions left today, else stock.
            "rows": [(product, available_units(product)) for product in products],
            "paging": paging,
            "previous_url": _page_url(paging.previous),
            "next_page_url": _page_url(paging.next),
            "several_merchants": len(self.merchant_ids) > 1,
        }
        return render(request, "web/merchant/products.html", context)


def _render_form(
    request: HttpRequest,
    *,
    form: ProductForm,
    product: Product | None = None,
    photo_form: PhotoForm | None = None,
    code: int = 200,
    dish_forms: dict[str, forms.Form] | None = None,
) -> HttpResponse:
    context: dict[str, Any] = {
        "form": form,
        "product": product,
        "photo_form": photo_form or PhotoForm(),
        **dish_context(product, **(dish_forms or {})),
    }
    return render(request, "web/merchant/product_form.html", context, status=code)


def render_product_page(
    request: HttpRequest,
    *,
    product: Product,
    dish_forms: dict[str, forms.Form],
    code: int,
) -> HttpResponse:
    """Show one's product page again with a dish form's errors (``okryu.web.merchant.dishes``)."""
    form = ProductForm(initial=_initial(product))
    return _render_form(
        request, form=form, product=product, dish_forms=dish_forms, code=code
    )


def _add_refusal(form: forms.Form, error: DomainError) -> None:
    field = str(error.extra.get("field", ""))
    field = {"category_id": "category"}.get(field, field)
    form.add_error(field if field in form.fields else None, refusal_message(error))


class ProductCreateView(MerchantStaffRequiredMixin, View):
    """A new product of one of the staff member's merchants."""

    def _form(self, data: Any = None) -> NewProductForm:
        merchants = [
            (merchant_id, get_merchant(merchant_id=merchant_id).name)
            for merchant_id in self.merchant_ids
        ]
        return NewProductForm(data, merchants=merchants)

    def get(self, request: HttpRequest) -> HttpResponse:
        """Show the empty product form."""
        return _render_form(request, form=self._form())

    def post(self, request: HttpRequest) -> HttpResponse:
        """Create the product once per form, then go to its page (PRG)."""
        assert isinstance(request.user, User)
        form = self._form(request.POST)
        if not form.is_valid():
            return _render_form(request, form=form, code=UNPROCESSABLE)
        data = form.cleaned_data
        user_id = request.user.pk

        def create() -> tuple[int, dict[str, int]]:
            product = create_product(
                staff_user_id=user_id,
                merchant_id=data["merchant"],
                name=data["name"],
                name_en=data["name_en"],
                category_id=data["category"],
                price_won=data["price_won"],
                unit=data["unit"],
                weight_grams=data["weight_grams"],
                stock=data["stock"],
                details=form.changes(),
            )
            return 201, {"product": product.pk}

        fields = {k: v for k, v in data.items() if k != "idempotency_key"}
        try:
            # A double click or a resubmitted form creates one product, not two.
            outcome = submit_once(
                scope=f"web:product-create:{user_id}",
                key=data["idempotency_key"],
                fields=fields,
                action=create,
            )
        except DomainError as error:
            _add_refusal(form, error)
            return _render_form(request, form=form, code=refusal_status(error))
        messages.success(request, gettext("상품을 만들었습니다."))
        return redirect("merchant-product-edit", product_id=outcome.body["product"])


class _OwnProductView(MerchantStaffRequiredMixin, View):
    def _product(self, request: HttpRequest, product_id: int) -> Product:
        assert isinstance(request.user, User)
        try:
            return get_product_for_staff(
                staff_user_id=request.user.pk, product_id=product_id
            )
        except NotFound as error:
            raise Http404(error.detail) from error


def _initial(product: Product) -> dict[str, object]:
    return {
        "name": product.name,
        "name_en": product.name_en,
        "category": product.category_id,
        "price_won": product.price_won,
        "unit": product.unit,
        "unit_en": product.unit_en,
        "weight_grams": product.weight_grams,
        "size_class": product.size_class,
        "is_made_to_order": product.is_made_to_order,
        "purchase_limit_per_day": product.purchase_limit_per_day,
        "description": product.description,
        "description_en": product.description_en,
    }


class ProductEditView(_OwnProductView):
    """Edit one of one's products: fields, price, photo, withdrawal."""

    def get(self, request: HttpRequest, product_id: int) -> HttpResponse:
        """Show the product form filled in."""
        product = self._product(request, product_id)
        form = ProductForm(initial=_initial(product))
        return _render_form(request, form=form, product=product)

    def post(self, request: HttpRequest, product_id: int) -> HttpResponse:
        """Save the fields (the same values twice change nothing more), then show it."""
        assert isinstance(request.user, User)
        product = self._product(request, product_id)
        form = ProductForm(request.POST)
        if not form.is_valid():
            return _render_form(request, form=form, product=product, code=UNPROCESSABLE)
        try:
            update_product(
                staff_user_id=request.user.pk,
                product_id=product.pk,
                changes=form.changes(),
            )
        except NotFound as error:
            raise Http404(error.detail) from error
        except DomainError as error:
            _add_refusal(form, error)
            return _render_form(
                request, form=form, product=product, code=refusal_status(error)
            )
        messages.success(request, gettext("상품을 고쳤습니다."))
        return redirect("merchant-product-edit", product_id=product.pk)


class ProductPhotoView(_OwnProductView):
    """Upload a product's photo; a small thumbnail is made from it."""

    def post(self, request: HttpRequest, product_id: int) -> HttpResponse:
        """Store the photo, or show the form again with why it was refused."""
        assert isinstance(request.user, User)
        product = self._product(request, product_id)
        photo_form = PhotoForm(request.POST, request.FILES)
        if photo_form.is_valid():
            upload = photo_form.cleaned_data["photo"]
            try:
                # One byte past the limit is enough for the service to refuse the size.
                data = upload.read(settings.OKRYU_PHOTO_BYTES_MAX + 1)
                set_product_photo(
                    staff_user_id=request.user.pk, product_id=product.pk, data=data
                )
            except DomainError as error:
                photo_form.add_error("photo", refusal_message(error))
            else:
                messages.success(request, gettext("사진을 올렸습니다."))
                return redirect("merchant-product-edit", product_id=product.pk)
        form = ProductForm(initial=_initial(product))
        return _render_form(
            request,
            form=form,
            product=product,
            photo_form=photo_form,
            code=UNPROCESSABLE,
        )


class ProductWithdrawView(_OwnProductView):
    """Take a product off sale (``withdraw``) or put it back (``restore``)."""

    def post(self, request: HttpRequest, product_id: int, action: str) -> HttpResponse:
        """Withdraw or restore, then show the product (both are idempotent by state)."""
        assert isinstance(request.user, User)
        if action not in {"withdraw", "restore"}:
            raise Http404(gettext("그런 동작은 없습니다."))
        product = self._product(request, product_id)
        service = withdraw_product if action == "withdraw" else restore_product
        service(staff_user_id=request.user.pk, product_id=product.pk)
        if action == "withdraw":
            messages.success(request, gettext("상품 판매를 멈췄습니다."))
        else:
            messages.success(request, gettext("상품을 다시 팝니다."))
        return redirect("merchant-product-edit", product_id=product.pk)
