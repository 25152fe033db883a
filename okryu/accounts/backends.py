"""The one authentication backend: Django's model backend behind the sign-in defences.

The admin's login, the pages' login and the API's token route all call ``authenticate()``, so
all of them share the counters of ``okryu.accounts.sign_in``.
"""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest
from typing_extensions import override

from okryu.accounts.models import User
from okryu.accounts.second_factor import needs_second_factor
from okryu.accounts.sign_in import (
    SignInAttempt,
    SignInRefused,
    check_sign_in,
    password_digest,
    record_sign_in_failure,
    record_sign_in_success,
)
from okryu.core.rate_limits import client_address

REFUSAL_ATTRIBUTE = "okryu_sign_in_refused"


def sign_in_refusal(request: HttpRequest | None) -> SignInRefused | None:
    """Return why the last ``authenticate()`` of this request was refused unchecked, if it was."""
    refusal = getattr(request, REFUSAL_ATTRIBUTE, None)
    return refusal if isinstance(refusal, SignInRefused) else None


class GuardedModelBackend(ModelBackend):
    """Check a username and password, unless the sign-in defences say to wait first.

    A refused attempt hashes nothing and returns None; the request remembers the refusal
    (``sign_in_refusal``) so that the page or the API can say how long to wait.
    """

    @override
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        try:
            user: User | None = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            user = None
        attempt = SignInAttempt(
            user_id=user.pk if user is not None else None,
            address=client_address(request.META) if request is not None else "",
            password_digest=password_digest(password),
        )
        refusal = check_sign_in(attempt)
        if refusal is not None:
            if request is not None:
                setattr(request, REFUSAL_ATTRIBUTE, refusal)
            return None
        if user is None:
            # The hasher's full cost on a dummy, so an unknown name answers as slowly.
            User().set_password(password)
        elif user.check_password(password) and self.user_can_authenticate(user):
            if not needs_second_factor(user):
                # With a second factor to come, the sign-in is not over: keep the counts.
                record_sign_in_success(attempt)
            return user
        record_sign_in_failure(attempt)
        return None
