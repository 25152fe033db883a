"""Staff sessions on the pages and the admin: an idle timeout, and the second factor.

Tellers, supervisors, operators and anyone who may open the admin are signed out after
``OKRYU_STAFF_IDLE_SECONDS`` without a request (15 minutes), and, where
``OKRYU_STAFF_SECOND_FACTOR`` is on, see nothing but the second-factor pages until their
session is verified with a code from their authenticator (enrolled at
``/accounts/second-factor/``). The API is left alone: it signs in by bearer token, whose own
lifetime and idle timeout are in ``okryu.api.tokens``.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from okryu.accounts.models import User
from okryu.accounts.second_factor import (
    find_confirmed_device,
    is_session_verified,
    is_staff_member,
    needs_second_factor,
)
from okryu.core import clock

SEEN_AT_SESSION_KEY = "okryu_staff_seen_at"
# Writing the session on every request would make every page a write; once a minute is enough.
SEEN_AT_RESOLUTION_SECONDS = 60
OPEN_PATH_PREFIXES = ("/api/", "/static/", "/media/")


def _open_paths() -> tuple[str, ...]:
    return (
        reverse("second-factor-enrol"),
        reverse("second-factor-verify"),
        reverse("logout"),
        reverse("language"),
    )


class StaffSessionMiddleware:
    """Time out idle staff sessions and hold unverified ones at the second-factor pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            not isinstance(user, User)
            or request.path.startswith(OPEN_PATH_PREFIXES)
            or not is_staff_member(user)
        ):
            return self.get_response(request)
        if self._idle_too_long(request):
            logout(request)
            return redirect_to_login(request.get_full_path())
        if (
            needs_second_factor(user)
            and not is_session_verified(user)
            and request.path not in _open_paths()
        ):
            return self._second_factor_redirect(request, user)
        return self.get_response(request)

    def _idle_too_long(self, request: HttpRequest) -> bool:
        now = int(clock.now().timestamp())
        seen_at = request.session.get(SEEN_AT_SESSION_KEY)
        if (
            isinstance(seen_at, int)
            and now - seen_at > settings.OKRYU_STAFF_IDLE_SECONDS
        ):
            return True
        if not isinstance(seen_at, int) or now - seen_at >= SEEN_AT_RESOLUTION_SECONDS:
            request.session[SEEN_AT_SESSION_KEY] = now
        return False

    def _second_factor_redirect(self, request: HttpRequest, user: User) -> HttpResponse:
        page = (
            "second-factor-verify"
            if find_confirmed_device(user) is not None
            else "second-factor-enrol"
        )
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse(page)}?{query}")
