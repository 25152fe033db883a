"""Forms of the merchant pages: a rejection reason, stock figures, a product and its photo.

They check the shape of input; the services decide and check membership again.
"""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from okryu.catalog.models import Product, SizeClass
from okryu.catalog.products import (
    DESCRIPTION_LENGTH_MAX,
    UNIT_LENGTH_MAX,
    ProductChanges,
)
from okryu.catalog.queries import list_category_tree
from okryu.catalog.services import STOCK_QUANTITY_MAX
from okryu.orders.models import Fulfilment

_EXPIRED = gettext_lazy("이 양식은 만료되었습니다. 쪽을 다시 열고 해 보십시오.")


class _KeyedForm(forms.Form):
    idempotency_key = forms.CharField(
        max_length=255,
        widget=forms.HiddenInput,
        error_messages={"required": _EXPIRED},
    )


class RejectForm(_KeyedForm):
    """Why the merchant cannot take the order; the shopper reads it."""

    reason = forms.CharField(
        label=gettext_lazy("거절 이유"),
        max_length=Fulfilment.REASON_LENGTH_MAX,
        error_messages={"required": gettext_lazy("거절 이유를 쓰십시오.")},
    )


class StockForm(_KeyedForm):
    """Units received, or the figure a count found, with an optional note."""

    quantity = forms.IntegerField(
        label=gettext_lazy("센 수량"),
        min_value=0,
        max_value=STOCK_QUANTITY_MAX,
        error_messages={
            "required": gettext_lazy("수량을 입력하십시오."),
            "invalid": gettext_lazy("수량은 0 이상의 정수여야 합니다."),
            "min_value": gettext_lazy("수량은 0 이상의 정수여야 합니다."),
            "max_value": gettext_lazy("수량이 너무 큽니다."),
        },
    )
    note = forms.CharField(label=gettext_lazy("메모"), max_length=200, required=False)


class ReceiveForm(StockForm):
    """Units received: at least one."""

    quantity = forms.IntegerField(
        label=gettext_lazy("받은 수량"),
        min_value=1,
        max_value=STOCK_QUANTITY_MAX,
        error_messages={
            "required": gettext_lazy("수량을 입력하십시오."),
            "invalid": gettext_lazy("입고 수량은 1 이상의 정수여야 합니다."),
            "min_value": gettext_lazy("입고 수량은 1 이상의 정수여야 합니다."),
            "max_value": gettext_lazy("수량이 너무 큽니다."),
        },
    )


def category_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Return the categories as select choices, grouped under their top-level category."""
    groups: list[tuple[str, list[tuple[int, str]]]] = []
    for root in list_category_tree():
        leaves: list[tuple[int, str]] = [(root.category.pk, root.category.name)]
        stack = list(reversed(root.children))
        while stack:
            node = stack.pop()
            leaves.append((node.category.pk, node.category.name))
            stack.extend(reversed(node.children))
        groups.append((root.category.name, leaves))
    return groups


class ProductForm(_KeyedForm):
    """A product's fields as the merchant edits them; the service checks them again."""

    name = forms.CharField(
        label=gettext_lazy("이름"), max_length=Product.NAME_LENGTH_MAX
    )
    name_en = forms.CharField(
        label=gettext_lazy("영어 이름"), max_length=Product.NAME_LENGTH_MAX
    )
    category = forms.TypedChoiceField(
        label=gettext_lazy("분류"),
        coerce=int,
        error_messages={"invalid_choice": gettext_lazy("그런 분류는 없습니다.")},
    )
    price_won = forms.IntegerField(
        label=gettext_lazy("가격(원)"), min_value=1, max_value=Product.PRICE_WON_MAX
    )
    unit = forms.CharField(label=gettext_lazy("단위"), max_length=UNIT_LENGTH_MAX)
    unit_en = forms.CharField(
        label=gettext_lazy("영어 단위"), max_length=UNIT_LENGTH_MAX, required=False
    )
    weight_grams = forms.IntegerField(
        label=gettext_lazy("무게(g)"), min_value=0, max_value=Product.WEIGHT_GRAMS_MAX
    )
    size_class = forms.ChoiceField(
        label=gettext_lazy("크기"), choices=SizeClass.choices
    )
    is_made_to_order = forms.BooleanField(
        label=gettext_lazy("주문 후 조리"), required=False
    )
    purchase_limit_per_day = forms.IntegerField(
        label=gettext_lazy("하루 구매 한도"),
        min_value=1,
        max_value=1_000_000,
        required=False,
        help_text=gettext_lazy("비우면 한도 없음"),
    )
    description = forms.CharField(
        label=gettext_lazy("설명"),
        max_length=DESCRIPTION_LENGTH_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    description_en = forms.CharField(
        label=gettext_lazy("영어 설명"),
        max_length=DESCRIPTION_LENGTH_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()  # type: ignore[attr-defined]

    def changes(self) -> ProductChanges:
        """Return every field as the service's changes (after validation)."""
        data = self.cleaned_data
        limit: int | None = data["purchase_limit_per_day"]
        return ProductChanges(
            name=data["name"],
            name_en=data["name_en"],
            category_id=data["category"],
            price_won=data["price_won"],
            unit=data["unit"],
            unit_en=data["unit_en"],
            weight_grams=data["weight_grams"],
            description=data["description"],
            description_en=data["description_en"],
            size_class=data["size_class"],
            is_made_to_order=data["is_made_to_order"],
            purchase_limit_per_day=limit,
            clears_purchase_limit=limit is None,
        )


class NewProductForm(ProductForm):
    """A new product: which of one's merchants sells it, and the units received at once."""

    merchant = forms.TypedChoiceField(label=gettext_lazy("판매자"), coerce=int)
    stock = forms.IntegerField(
        label=gettext_lazy("첫 입고 수량"),
        min_value=0,
        max_value=STOCK_QUANTITY_MAX,
        initial=0,
    )

    def __init__(
        self, *args: Any, merchants: Sequence[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["merchant"].choices = list(merchants)  # type: ignore[attr-defined]


class PhotoForm(forms.Form):
    """A product photo (JPEG, PNG or WebP); the service re-encodes it and makes a thumbnail."""

    photo = forms.FileField(
        label=gettext_lazy("사진"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp"}
        ),
        error_messages={"required": gettext_lazy("사진 파일을 고르십시오.")},
    )
