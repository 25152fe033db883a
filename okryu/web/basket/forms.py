"""Forms of the basket pages: a product id, a quantity and options, checked for shape only."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy
from typing_extensions import override


class QuantityField(forms.IntegerField):
    """A whole number of units from 1 to the line maximum, with one clear message for each fault.

    The maximum is read when the form is made, so the settings' value at that time counts.
    """

    def __init__(self) -> None:
        super().__init__(
            label=gettext_lazy("수량"),
            min_value=1,
            error_messages={
                "required": gettext_lazy("수량을 입력하십시오."),
                "invalid": gettext_lazy("수량은 1 이상의 정수여야 합니다."),
                "min_value": gettext_lazy("수량은 1 이상의 정수여야 합니다."),
            },
        )

    def validate_maximum(self, value: int) -> None:
        """Refuse a quantity above the line maximum, naming the maximum."""
        maximum: int = settings.OKRYU_LINE_QUANTITY_MAX
        if value > maximum:
            raise ValidationError(
                gettext("수량은 한 번에 %(maximum)d개까지입니다.")
                % {"maximum": maximum},
                code="max_value",
            )


class OptionIdsInput(forms.MultipleHiddenInput):
    """Reads the checked ``option`` boxes and the ``option-<group>`` radio of each group.

    A radio group needs a name of its own, or choosing in one group would clear another.
    """

    @override
    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        """Return every value of ``name`` and of the fields named ``name-<group id>``."""
        values: list[str] = list(data.getlist(name))
        for key in sorted(data.keys()):
            group = key.removeprefix(f"{name}-")
            if group != key and group.isdigit():
                values += data.getlist(key)
        return values


class OptionIdsField(forms.Field):
    """A dish's chosen option ids, each a positive integer (see ``OptionIdsInput``).

    Whether they belong to the product is the basket service's check.
    """

    widget = OptionIdsInput

    def __init__(self) -> None:
        super().__init__(required=False)

    @override
    def to_python(self, value: Any) -> tuple[int, ...]:
        """Return the ids, refusing more than the line's maximum or anything not an id."""
        values = list(value or [])
        maximum: int = settings.OKRYU_LINE_OPTIONS_MAX
        if len(values) > maximum:
            raise ValidationError(
                gettext("선택은 %(maximum)d개까지 고를 수 있습니다.")
                % {"maximum": maximum},
                code="max_length",
            )
        if not all(isinstance(each, str) and each.isdigit() for each in values):
            raise ValidationError(gettext("선택이 올바르지 않습니다."), code="invalid")
        return tuple(int(each) for each in values)


class _QuantityForm(forms.Form):
    quantity = QuantityField()

    def clean_quantity(self) -> int:
        """Return the quantity within the line maximum."""
        quantity: int = self.cleaned_data["quantity"]
        field = self.fields["quantity"]
        assert isinstance(field, QuantityField)
        field.validate_maximum(quantity)
        return quantity


# What a refused form carries back to the product's page, at most: a quantity of this many
# characters, and the line's options.
TYPED_QUANTITY_LENGTH_MAX = 9


class BasketAddForm(_QuantityForm):
    """Put a product in the basket; ``next`` is where to go back to."""

    product = forms.IntegerField(min_value=1)
    option = OptionIdsField()

    @staticmethod
    def typed_values(data: Any) -> dict[str, str | list[str]]:
        """Return the quantity and option ids as typed, bounded, for the product page."""
        typed: dict[str, str | list[str]] = {}
        quantity = str(data.get("quantity", "")).strip()
        if quantity and len(quantity) <= TYPED_QUANTITY_LENGTH_MAX:
            typed["quantity"] = quantity
        options = [
            value
            for value in OptionIdsInput().value_from_datadict(data, {}, "option")
            if value.isascii()
            and value.isdigit()
            and len(value) <= TYPED_QUANTITY_LENGTH_MAX
        ][: settings.OKRYU_LINE_OPTIONS_MAX]
        if options:
            typed["option"] = options
        return typed

    next = forms.CharField(required=False, max_length=2000)
    idempotency_key = forms.CharField(
        max_length=255,
        error_messages={
            "required": gettext_lazy(
                "이 양식은 만료되었습니다. 상품 쪽에서 다시 담으십시오."
            )
        },
    )


class LineQuantityForm(_QuantityForm):
    """Change the quantity of a basket line."""
