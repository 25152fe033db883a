"""Forms of the logistics office: each carries its idempotency key; assigning names a courier.

They check the shape of input; the delivery services decide (and check the operator again).
"""

from django import forms
from django.utils.translation import gettext_lazy

EXPIRED = gettext_lazy("이 양식은 만료되었습니다. 쪽을 다시 열고 해 보십시오.")


class KeyedForm(forms.Form):
    """A button's form: only the hidden key that makes it act once."""

    idempotency_key = forms.CharField(
        max_length=255,
        widget=forms.HiddenInput,
        error_messages={"required": EXPIRED, "max_length": EXPIRED},
    )


class AssignForm(KeyedForm):
    """Give a job to the courier chosen in the select."""

    courier = forms.IntegerField(
        min_value=1,
        error_messages={
            "required": gettext_lazy("배달원을 고르십시오."),
            "invalid": gettext_lazy("배달원을 고르십시오."),
            "min_value": gettext_lazy("배달원을 고르십시오."),
        },
    )
