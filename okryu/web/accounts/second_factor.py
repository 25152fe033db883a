"""Pages of staff's second factor: enrolling an authenticator app, and verifying a session.

Enrolment shows the authenticator's secret as a QR code (and as text, to type in) and asks
for its first code; only a right code confirms it. Verification asks for a code and marks
the session verified (django-otp), after which the staff pages and the admin open.
"""

from typing import Any

import segno
from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy
from django.views import View
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from typing_extensions import override

from okryu.accounts.models import User
from okryu.accounts.second_factor import (
    SecondFactorNotEnrolled,
    confirm_enrolment,
    find_confirmed_device,
    is_session_verified,
    start_enrolment,
    verify_code,
)
from okryu.core.errors import InvalidInput

UNPROCESSABLE = 422
QR_SCALE = 4


class CodeForm(forms.Form):
    """The six-digit code the authenticator app shows now."""

    otp = forms.CharField(
        label=gettext_lazy("인증 앱의 6자리 코드"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


def _secret_for_typing(device: TOTPDevice) -> str:
    """Return the secret in base32, in groups of four, for an app that cannot scan."""
    from base64 import b32encode  # noqa: PLC0415  (only this page needs it)

    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


class SecondFactorEnrolView(LoginRequiredMixin, View):
    """Show a new authenticator's QR code and confirm it with its first code."""

    @override
    def dispatch(
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        """Send an enrolled, unverified session to verification: a password alone must not
        replace the authenticator."""
        user = request.user
        if (
            isinstance(user, User)
            and find_confirmed_device(user) is not None
            and not is_session_verified(user)
        ):
            return HttpResponseRedirect(reverse("second-factor-verify"))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        """Show the QR code and the form."""
        return self._render(request, CodeForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        """Confirm the authenticator with a code, or show the page again with the error."""
        assert isinstance(request.user, User)
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                device = confirm_enrolment(
                    user=request.user, code=form.cleaned_data["otp"]
                )
            except InvalidInput:
                form.add_error("otp", gettext("코드가 맞지 않습니다."))
            else:
                otp_login(request, device)
                return HttpResponseRedirect(_next_url(request))
        return self._render(request, form, status=UNPROCESSABLE)

    def _render(
        self, request: HttpRequest, form: CodeForm, *, status: int = 200
    ) -> HttpResponse:
        assert isinstance(request.user, User)
        device = start_enrolment(user=request.user)
        qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=QR_SCALE)
        context = {
            "form": form,
            "qr_svg": qr_svg,
            "secret": _secret_for_typing(device),
            "next": _next_url(request),
        }
        return render(
            request, "web/accounts/second_factor_enrol.html", context, status=status
        )


class SecondFactorVerifyView(LoginRequiredMixin, View):
    """Ask for the authenticator's code and verify the session with it."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """Show the form."""
        return self._render(request, CodeForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        """Verify the session, or show the form again with the error."""
        assert isinstance(request.user, User)
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                device = verify_code(user=request.user, code=form.cleaned_data["otp"])
            except SecondFactorNotEnrolled:
                return HttpResponseRedirect(reverse("second-factor-enrol"))
            except InvalidInput:
                form.add_error("otp", gettext("코드가 맞지 않습니다."))
            else:
                otp_login(request, device)
                return HttpResponseRedirect(_next_url(request))
        return self._render(request, form, status=UNPROCESSABLE)

    def _render(
        self, request: HttpRequest, form: CodeForm, *, status: int = 200
    ) -> HttpResponse:
        context = {"form": form, "next": _next_url(request)}
        return render(
            request, "web/accounts/second_factor_verify.html", context, status=status
        )
