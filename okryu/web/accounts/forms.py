"""Forms of the account pages. They check the shape of input; the services decide."""

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, gettext, gettext_lazy
from typing_extensions import override

from okryu.accounts.models import Address, User
from okryu.accounts.queries import list_districts
from okryu.accounts.services import normalize_phone
from okryu.accounts.sign_in_forms import SignInDefencesFormMixin
from okryu.core.errors import InvalidInput


def district_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Return the districts as select choices grouped by city (``<optgroup>``), named in
    the visitor's language."""
    if get_language() == "en":
        return [
            (
                group.city_en,
                [(district.pk, district.name_en) for district in group.districts],
            )
            for group in list_districts()
        ]
    return [
        (group.city, [(district.pk, district.name) for district in group.districts])
        for group in list_districts()
    ]


class LoginForm(SignInDefencesFormMixin, AuthenticationForm):
    """Log-in by username and password, through the sign-in defences."""

    error_messages = {
        "invalid_login": gettext_lazy(
            "아이디나 비밀번호가 틀렸습니다. 대소문자를 확인하십시오."
        ),
        "inactive": gettext_lazy("이 계정은 쓸 수 없습니다."),
    }


class SignupForm(forms.Form):
    """A new shopper: name, phone, password, and the first delivery address."""

    username = forms.CharField(label=gettext_lazy("아이디"), max_length=150)
    display_name = forms.CharField(label=gettext_lazy("이름"), max_length=100)
    phone = forms.CharField(
        label=gettext_lazy("전화번호"),
        max_length=20,
        help_text=gettext_lazy("10자리나 11자리 숫자 (예: 010-1234-5678)"),
    )
    password = forms.CharField(
        label=gettext_lazy("비밀번호"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("8자 이상, 숫자만으로는 안 됩니다."),
    )
    password_again = forms.CharField(
        label=gettext_lazy("비밀번호 확인"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    district = forms.TypedChoiceField(
        label=gettext_lazy("구역"),
        coerce=int,
        error_messages={"invalid_choice": gettext_lazy("그런 구역은 없습니다.")},
    )
    detail = forms.CharField(
        label=gettext_lazy("상세 주소"), max_length=Address.DETAIL_LENGTH_MAX
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = district_choices()  # type: ignore[attr-defined]

    def clean_phone(self) -> str:
        """Return the phone number as digits, so every field's fault is told at once."""
        try:
            return normalize_phone(self.cleaned_data["phone"])
        except InvalidInput as error:
            raise ValidationError(error.detail, code="invalid") from error

    @override
    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        password = cleaned.get("password")
        if password and password != cleaned.get("password_again"):
            self.add_error("password_again", gettext("두 비밀번호가 다릅니다."))
        if password:
            # The service checks again; checking here shows the password's faults beside
            # the other fields' instead of after them.
            candidate = User(
                username=cleaned.get("username", ""),
                display_name=cleaned.get("display_name", ""),
            )
            try:
                validate_password(password, user=candidate)
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned


class AddressForm(forms.Form):
    """Another delivery address."""

    label = forms.CharField(
        label=gettext_lazy("이름표 (예: 집, 직장)"), max_length=40, required=False
    )
    district = forms.TypedChoiceField(
        label=gettext_lazy("구역"),
        coerce=int,
        error_messages={"invalid_choice": gettext_lazy("그런 구역은 없습니다.")},
    )
    detail = forms.CharField(
        label=gettext_lazy("상세 주소"), max_length=Address.DETAIL_LENGTH_MAX
    )
    make_default = forms.BooleanField(label=gettext_lazy("기본 주소로"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = district_choices()  # type: ignore[attr-defined]
