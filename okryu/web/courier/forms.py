"""Forms of the courier pages. They check the shape of input; the delivery services decide.

The code field refuses anything but four ASCII digits before the service is asked, so a
mistyped code (three digits, a letter) is told at once and never counted as a wrong code.
"""

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy

from okryu.delivery.models import CONFIRMATION_CODE_LENGTH, DeliveryJobEvent
from okryu.web.accounts.forms import district_choices
from okryu.web.confirmation import confirmation_field
from okryu.web.logistics.forms import KeyedForm

CODE_SHAPE = gettext_lazy("확인 번호는 숫자 4자리입니다.")
# The moves of the duty form, as its buttons name them.
DUTY_ACTIONS = ("start", "move", "end")


class DutyForm(KeyedForm):
    """Go on duty (in a district), report a new district, or go off duty."""

    action = forms.ChoiceField(
        choices=[(action, action) for action in DUTY_ACTIONS],
        error_messages={"invalid_choice": gettext_lazy("그런 동작은 없습니다.")},
    )
    district = forms.TypedChoiceField(
        label=gettext_lazy("지금 있는 구역"),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": gettext_lazy("그런 구역은 없습니다.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["district"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = district_choices()


class HandOverForm(KeyedForm):
    """The shopper's four-digit confirmation code, typed at the door."""

    code = forms.CharField(
        label=gettext_lazy("확인 번호"),
        min_length=CONFIRMATION_CODE_LENGTH,
        max_length=CONFIRMATION_CODE_LENGTH,
        validators=[RegexValidator(r"\A[0-9]{4}\Z", message=CODE_SHAPE)],
        error_messages={
            "required": gettext_lazy("구매자에게 확인 번호를 받아 넣으십시오."),
            "min_length": CODE_SHAPE,
            "max_length": CODE_SHAPE,
        },
    )


class FailForm(KeyedForm):
    """Why the goods come back: nobody home, a wrong address; asked to confirm first."""

    reason = forms.CharField(
        label=gettext_lazy("사유"),
        max_length=DeliveryJobEvent.NOTE_LENGTH_MAX,
        error_messages={
            "required": gettext_lazy("사유를 쓰십시오 (예: 집에 아무도 없음)."),
            "max_length": gettext_lazy("사유는 200자까지입니다."),
        },
    )
    confirm = confirmation_field()
