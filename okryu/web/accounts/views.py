"""Pages of the shopper's account: sign up, log in, log out, profile and addresses.

Every form posts, then redirects (post/redirect/get); a refused form is shown again with its
errors and status 422. Another person's address does not exist for the visitor (404).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import LoginView, LogoutView
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views import View
from django.views.generic import FormView
from typing_extensions import override

from okryu.accounts.models import Role, User
from okryu.accounts.queries import list_addresses_for_user, list_roles
from okryu.accounts.second_factor import is_staff_member
from okryu.accounts.services import (
    add_address,
    delete_address,
    register_shopper,
    set_default_address,
    sign_out_everywhere,
)
from okryu.cart.services import merge_session_basket_into_user
from okryu.core import rate_limits
from okryu.core.errors import InvalidInput, NotFound
from okryu.web.accounts.forms import AddressForm, LoginForm, SignupForm
from okryu.web.work_pages import find_landing_page

UNPROCESSABLE = 422
TOO_MANY_REQUESTS = 429


def _log_in_keeping_basket(request: HttpRequest, user: User) -> None:
    """Log the user in and move the basket they filled as a visitor into their own."""
    # Logging in gives the session a new key, so the visitor's key is read first.
    visitor_session_key = request.session.session_key
    login(request, user, backend="okryu.accounts.backends.GuardedModelBackend")
    if visitor_session_key:
        merge_session_basket_into_user(session_key=visitor_session_key, user=user)


def _safe_next(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        return candidate
    return default


class AccountLoginView(LoginView):
    """Log in; the visitor's basket joins the account's basket.

    Without a ``next`` page, staff land on their work page (the teller at the counter, the
    courier on their jobs), shoppers on the home page.
    """

    template_name = "web/accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    @override
    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        _log_in_keeping_basket(self.request, form.get_user())
        return HttpResponseRedirect(self.get_success_url())

    @override
    def get_default_redirect_url(self) -> str:
        user = self.request.user
        landing = find_landing_page(user) if isinstance(user, User) else None
        return landing or super().get_default_redirect_url()

    @override
    def form_invalid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_invalid(form)
        response.status_code = UNPROCESSABLE
        if form.retry_after_seconds is not None:
            response.status_code = TOO_MANY_REQUESTS
            response["Retry-After"] = str(form.retry_after_seconds)
        return response


class AccountLogoutView(LogoutView):
    """Log out (POST only) and go back to the home page; staff also lose their API tokens."""

    next_page = "home"

    @override
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if isinstance(request.user, User) and is_staff_member(request.user):
            sign_out_everywhere(user=request.user)
        return super().post(request, *args, **kwargs)


class AccountSignupView(FormView):  # type: ignore[type-arg]
    """Sign up as a shopper with a first delivery address, and be logged in."""

    template_name = "web/accounts/signup.html"
    form_class = SignupForm

    @override
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["next"] = _safe_next(self.request, "")
        return context

    @override
    def form_valid(self, form: SignupForm) -> HttpResponse:
        data = form.cleaned_data
        rate_limits.hit(
            "sign_up_address", rate_limits.client_address(self.request.META)
        )
        rate_limits.hit("sign_up_phone", data["phone"])
        try:
            user = register_shopper(
                username=data["username"],
                display_name=data["display_name"],
                phone=data["phone"],
                password=data["password"],
                district_id=data["district"],
                address_detail=data["detail"],
            )
        except InvalidInput as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, error.detail)
            return self.form_invalid(form)
        _log_in_keeping_basket(self.request, user)
        messages.success(self.request, gettext("가입을 환영합니다."))
        return redirect(_safe_next(self.request, reverse("profile")))

    @override
    def form_invalid(self, form: SignupForm) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = UNPROCESSABLE
        return response


def _render_profile(
    request: HttpRequest, *, address_form: AddressForm, status: int = 200
) -> HttpResponse:
    assert isinstance(request.user, User)
    context: dict[str, Any] = {
        "account": request.user,
        "roles": [Role(role).label for role in list_roles(request.user)],
        "addresses": list_addresses_for_user(user=request.user),
        "address_form": address_form,
    }
    return render(request, "web/accounts/profile.html", context, status=status)


class ProfileView(LoginRequiredMixin, View):
    """The shopper's name, phone, roles and addresses, with a form for another address."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """Show the profile."""
        return _render_profile(request, address_form=AddressForm())


class AddressAddView(LoginRequiredMixin, View):
    """Add a delivery address."""

    def post(self, request: HttpRequest) -> HttpResponse:
        """Add the address, or show the profile again with the form's errors."""
        assert isinstance(request.user, User)
        form = AddressForm(request.POST)
        if form.is_valid():
            try:
                add_address(
                    user=request.user,
                    district_id=form.cleaned_data["district"],
                    detail=form.cleaned_data["detail"],
                    label=form.cleaned_data["label"],
                    make_default=form.cleaned_data["make_default"],
                )
            except InvalidInput as error:
                field = error.field if error.field in form.fields else None
                form.add_error(field, error.detail)
            else:
                messages.success(request, gettext("주소를 더했습니다."))
                return redirect("profile")
        return _render_profile(request, address_form=form, status=UNPROCESSABLE)


class AddressDeleteView(LoginRequiredMixin, View):
    """Delete one of one's addresses."""

    def post(self, request: HttpRequest, address_id: int) -> HttpResponse:
        """Delete the address; another person's address is 404."""
        assert isinstance(request.user, User)
        try:
            delete_address(user=request.user, address_id=address_id)
        except NotFound as error:
            raise Http404(error.detail) from error
        messages.success(request, gettext("주소를 지웠습니다."))
        return redirect("profile")


class AddressDefaultView(LoginRequiredMixin, View):
    """Make one of one's addresses the default."""

    def post(self, request: HttpRequest, address_id: int) -> HttpResponse:
        """Set the default address; another person's address is 404."""
        assert isinstance(request.user, User)
        try:
            set_default_address(user=request.user, address_id=address_id)
        except NotFound as error:
            raise Http404(error.detail) from error
        messages.success(request, gettext("기본 주소를 바꿨습니다."))
        return redirect("profile")
