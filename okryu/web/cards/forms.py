"""Forms of the card pages: shape checks only; the card services decide the rest.

A PIN field never renders its value back, so a refused form never shows the PIN again.
"""

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

IDEMPOTENCY_KEY_LENGTH_MAX = 64


def pin_field(label: "StrOrPromise" = "") -> forms.CharField:
    """Return a PIN input: hidden characters, a digit keypad, never autofilled or echoed."""
    return forms.CharField(
        label=label or gettext_lazy("PIN"),
        min_length=4,
        max_length=6,
        strip=False,
        widget=forms.PasswordInput(
            render_value=False,
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "pattern": "[0-9]{4,6}",
            },
        ),
        error_messages={
            "required": gettext_lazy("PIN을 입력하십시오."),
            "min_length": gettext_lazy("PIN은 숫자 4~6자리입니다."),
            "max_length": gettext_lazy("PIN은 숫자 4~6자리입니다."),
        },
    )


def amount_field() -> forms.IntegerField:
    """Return a whole-won amount; its range is checked by the service, with the limit named."""
    return forms.IntegerField(
        label=gettext_lazy("금액(원)"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1"}),
        error_messages={
            "required": gettext_lazy("금액을 입력하십시오."),
            "invalid": gettext_lazy("금액은 원 단위의 정수입니다."),
        },
    )


class OnceForm(forms.Form):
    """A form posted once: it carries the hidden idempotency key of its rendering."""

    idempotency_key = forms.CharField(
        max_length=IDEMPOTENCY_KEY_LENGTH_MAX,
        error_messages={
            "required": gettext_lazy("이 양식은 만료되었습니다. 다시 시도하십시오.")
        },
    )


class QrApproveForm(OnceForm):
    """Pay a QR request from one of one's cards."""

    card = forms.ChoiceField(label=gettext_lazy("카드"))
    pin = pin_field()

    def __init__(
        self, *args: object, card_numbers: list[str], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["card"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(number, f"****{number[-4:]}") for number in card_numbers]


class QrCreateForm(OnceForm):
    """Ask for an amount by QR code."""

    amount = amount_field()
    description = forms.CharField(
        label=gettext_lazy("내용"), max_length=100, required=False
    )


class SettlementDayForm(forms.Form):
    """Which day's settlement to show."""

    day = forms.DateField(
        label=gettext_lazy("날짜"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": gettext_lazy("날짜는 YYYY-MM-DD 꼴입니다.")},
    )
