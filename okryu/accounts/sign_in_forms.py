"""The part of a log-in form that tells a delayed sign-in how long to wait.

The pages' login form and the admin's both check the password through ``authenticate()``
(``okryu.accounts.backends``); when the sign-in defences refused an attempt without checking
it, this mixin says so instead of "wrong password", and keeps the wait for ``Retry-After``.
"""

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from typing_extensions import override

from okryu.accounts.backends import sign_in_refusal


class SignInDefencesFormMixin(forms.Form):
    """Mix into an AuthenticationForm: a refused attempt names its wait in seconds."""

    retry_after_seconds: int | None = None

    @override
    def clean(self) -> dict[str, Any]:
        try:
            cleaned: dict[str, Any] = super().clean() or {}
        except ValidationError:
            refusal = sign_in_refusal(getattr(self, "request", None))
            if refusal is None:
                raise
            self.retry_after_seconds = refusal.retry_after_seconds
            raise ValidationError(
                gettext(
                    "로그인에 여러 번 실패했습니다. %(seconds)s초 뒤에 다시 해 보십시오."
                )
                % {"seconds": refusal.retry_after_seconds},
                code="delayed",
            ) from None
        return cleaned


class AdminLoginForm(SignInDefencesFormMixin, AdminAuthenticationForm):
    """The admin's login form: Django's, with the sign-in defences' message."""
