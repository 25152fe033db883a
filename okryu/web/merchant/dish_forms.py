"""Forms of a dish on the merchant's product page: kitchen settings and options.

They check the shape of input; ``okryu.catalog.dishes`` decides and checks membership again.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from okryu.catalog.models import Option, OptionChoice, OptionGroup, Product
from okryu.catalog.options import OptionMenu, load_option_menus

_EXPIRED = gettext_lazy("이 양식은 만료되었습니다. 쪽을 다시 열고 해 보십시오.")


class _KeyedForm(forms.Form):
    # Several forms share the product page: each has ids of its own.
    id_prefix = "dish"

    idempotency_key = forms.CharField(
        max_length=255,
        widget=forms.HiddenInput,
        error_messages={"required": _EXPIRED},
    )

    def __init__(self, *args: Any, id_prefix: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{id_prefix or self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class DishKitchenForm(_KeyedForm):
    """A dish's daily capacity, sold-out switch and preparation time."""

    id_prefix = "kitchen"

    daily_capacity = forms.IntegerField(
        label=gettext_lazy("하루 조리 수량(인분)"),
        min_value=0,
        max_value=Product.DAILY_CAPACITY_MAX,
        required=False,
        help_text=gettext_lazy("비우면 재고로 팝니다"),
    )
    is_sold_out = forms.BooleanField(label=gettext_lazy("오늘 품절"), required=False)
    preparation_minutes = forms.IntegerField(
        label=gettext_lazy("조리 시간(분)"),
        min_value=0,
        max_value=Product.PREPARATION_MINUTES_MAX,
        required=False,
        help_text=gettext_lazy("비우면 식당의 조리 시간"),
    )


class OptionGroupForm(_KeyedForm):
    """A new option group of a dish."""

    id_prefix = "group"

    name = forms.CharField(
        label=gettext_lazy("묶음 이름"), max_length=OptionGroup.NAME_LENGTH_MAX
    )
    name_en = forms.CharField(
        label=gettext_lazy("영어 묶음 이름"), max_length=OptionGroup.NAME_LENGTH_MAX
    )
    choice = forms.ChoiceField(
        label=gettext_lazy("고르는 방법"), choices=OptionChoice.choices
    )


class OptionForm(_KeyedForm):
    """A new option of a group, with its price change in won (ids per group)."""

    name = forms.CharField(
        label=gettext_lazy("선택 이름"), max_length=Option.NAME_LENGTH_MAX
    )
    name_en = forms.CharField(
        label=gettext_lazy("영어 선택 이름"), max_length=Option.NAME_LENGTH_MAX
    )
    price_change_won = forms.IntegerField(
        label=gettext_lazy("가격 변동(원)"),
        min_value=-Option.PRICE_CHANGE_WON_MAX,
        max_value=Option.PRICE_CHANGE_WON_MAX,
        initial=0,
    )


def dish_context(product: Product | None, **bound: forms.Form) -> dict[str, Any]:
    """Return the dish part of the product page's context (empty for goods).

    ``bound`` replaces a form by a bound one to show its errors: ``kitchen_form``,
    ``group_form``, or ``option_form`` (a group's, its ``id_prefix`` ``g<group id>``).
    """
    if product is None or not product.is_made_to_order:
        return {}
    menu: OptionMenu = load_option_menus([product.pk])[product.pk]
    groups = list(
        OptionGroup.objects.filter(product=product).order_by("sort_order", "id")
    )
    bound_option = bound.pop("option_form", None)
    option_forms = []
    for group in groups:
        prefix = f"g{group.pk}"
        form = (
            bound_option
            if bound_option is not None and bound_option.auto_id == f"id_{prefix}_%s"
            else OptionForm(id_prefix=prefix)
        )
        option_forms.append((group, form))
    context: dict[str, Any] = {
        "kitchen_form": DishKitchenForm(
            initial={
                "daily_capacity": product.daily_capacity,
                "is_sold_out": product.is_sold_out,
                "preparation_minutes": product.preparation_minutes,
            }
        ),
        "group_form": OptionGroupForm(),
        "option_forms": option_forms,
        "menu": menu,
    }
    context.update(bound)
    return context
