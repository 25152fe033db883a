"""Verifying one's phone by an SMS code (paying at the door needs it).

"Send a code" queues a six-digit code by SMS (rate limited per account and per number,
``phone_code_account`` and ``phone_code_phone``); the code typed back verifies the phone.
Refusals are form messages and change nothing but the count of wrong codes.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views import View

from okryu.accounts.models import User
from okryu.accounts.phone_verification import (
    PHONE_CODE_DIGITS,
    confirm_phone_code,
    is_phone_verified,
    send_phone_code,
)
from okryu.core import rate_limits
from okryu.core.errors import DomainError


class PhoneCodeForm(forms.Form):
    """The code the SMS brought."""

    code = forms.CharField(
        max_length=PHONE_CODE_DIGITS,
        error_messages={
            "required": gettext_lazy("문자로 받은 확인 번호를 넣으십시오.")
        },
    )


def _render(
    request: HttpRequest, *, form: PhoneCodeForm, error: str = "", status: int = 200
) -> HttpResponse:
    assert isinstance(request.user, User)
    context: dict[str, Any] = {
        "phone": request.user.phone,
        "verified": is_phone_verified(request.user.pk),
        "form": form,
        "error": error,
        "sent": request.user.phone_verifications.filter(
            phone=request.user.phone, verified_at__isnull=True
        ).exists(),
    }
    return render(request, "web/accounts/phone.html", context, status=status)


class PhoneVerifyView(LoginRequiredMixin, View):
    """Show whether the phone is verified; send a code; check the code typed back."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """Show the page."""
        return _render(request, form=PhoneCodeForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        """Send a code (``send``), or check the one typed."""
        assert isinstance(request.user, User)
        user = request.user
        if "send" in request.POST:
            rate_limits.hit("phone_code_account", user.pk)
            if user.phone:
                rate_limits.hit("phone_code_phone", user.phone)
            try:
                send_phone_code(user_id=user.pk)
            except DomainError as error:
                return _render(
                    request, form=PhoneCodeForm(), error=error.detail, status=422
                )
            messages.success(request, gettext("확인 번호를 문자로 보냈습니다."))
            return redirect("phone-verify")
        form = PhoneCodeForm(request.POST)
        if not form.is_valid():
            return _render(request, form=form, status=422)
        try:
            confirm_phone_code(user_id=user.pk, code=form.cleaned_data["code"])
        except DomainError as error:
            return _render(request, form=form, error=error.detail, status=error.status)
        messages.success(
            request,
            gettext("전화번호를 확인했습니다. 이제 문앞에서 결제할 수 있습니다."),
        )
        return redirect("phone-verify")
