"""Authentication of the API: ``POST /auth/token``, the bearer auth and the role check.

Later routers protect a route with ``auth=bearer_auth`` and check the role inside it:

    @router.get("/orders", auth=bearer_auth)
    def list_orders(request: HttpRequest) -> ...:
        user = require_role(request, Role.SHOPPER)
"""

from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.security import HttpBearer
from pydantic import Field
from typing_extensions import override

from okryu.accounts.backends import sign_in_refusal
from okryu.accounts.models import Role, User
from okryu.accounts.queries import has_role, list_roles
from okryu.accounts.second_factor import (
    SecondFactorRequired,
    is_staff_member,
    needs_second_factor,
    verify_code,
)
from okryu.accounts.services import sign_out_everywhere
from okryu.accounts.sign_in import SignInAttempt, record_sign_in_failure
from okryu.api.tokens import (
    find_token_user,
    issue_token,
    revoke_token,
    revoke_tokens,
)
from okryu.api.v1.schemas.problems import Problem
from okryu.api.v1.schemas.text import Text
from okryu.core import rate_limits
from okryu.core.errors import DomainError, InvalidInput, PermissionDenied

USERNAME_LENGTH_MAX = 150
# Long enough for any passphrase, short enough that hashing it costs nothing unusual.
PASSWORD_LENGTH_MAX = 1024
OTP_LENGTH_MAX = 12

router = Router(tags=["auth"])


class InvalidCredentials(DomainError):
    """The username and password do not match an active account."""

    code = "invalid_credentials"
    status = 401
    title = "Invalid credentials"


class BearerAuth(HttpBearer):
    """``Authorization: Bearer <token>``; ``request.auth`` becomes the token's user."""

    @override
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = find_token_user(token=token.strip())
        if user is not None:
            request.user = user
        return user


bearer_auth = BearerAuth()


def get_caller(request: HttpRequest) -> User:
    """Return the user of the bearer token (only on routes with ``auth=bearer_auth``)."""
    user = getattr(request, "auth", None)
    assert isinstance(user, User), "the route must be declared with auth=bearer_auth"
    return user


def require_role(request: HttpRequest, role: Role) -> User:
    """Return the caller if they hold ``role``, else raise PermissionDenied (403 forbidden)."""
    user = get_caller(request)
    if not has_role(user, role):
        raise PermissionDenied(
            f"This call needs the {role.value} role.", role=role.value
        )
    return user


class TokenRequest(Schema):
    """A username and password, as for the login page; staff in production add ``otp``."""

    username: Text = Field(min_length=1, max_length=USERNAME_LENGTH_MAX)
    password: Text = Field(min_length=1, max_length=PASSWORD_LENGTH_MAX)
    otp: Text = Field(
        default="",
        max_length=OTP_LENGTH_MAX,
        description=(
            "The six-digit code of the account's authenticator app: required of staff "
            "(operator, teller, supervisor) where the second factor is on."
        ),
    )


class TokenOut(Schema):
    """A new bearer token, shown only in this answer, and the roles it carries."""

    token: str = Field(description="Send as `Authorization: Bearer <token>`.")
    roles: list[str] = Field(
        description=(
            "Roles of the account: shopper, merchant, courier, teller, supervisor, operator."
        )
    )
    expires_at: str = Field(
        description=(
            "ISO 8601; ask for a new token after it. A staff token also dies after 15 "
            "minutes unused, and any token when the account's password changes."
        )
    )


def _check_second_factor(request: HttpRequest, user: User, code: str) -> None:
    if not needs_second_factor(user):
        return
    if not code:
        raise SecondFactorRequired(
            "A staff account needs the code of its authenticator app in `otp`."
        )
    try:
        verify_code(user=user, code=code)
    except InvalidInput as error:
        # A wrong code is a guess like a wrong password: the account's delays count it.
        record_sign_in_failure(
            SignInAttempt(
                user_id=user.pk,
                address=rate_limits.client_address(request.META),
                password_digest="",
            )
        )
        raise InvalidCredentials("The authenticator code is wrong.") from error


@router.post(
    "/auth/token",
    response={200: TokenOut, 401: Problem, 403: Problem, 422: Problem, 429: Problem},
    summary="Exchange a username and password for a bearer token",
    description=(
        "Failed attempts make the next ones from the same address wait, per account, a few "
        "seconds at first and 30 s at most (429 `rate_limited` with `Retry-After`); an "
        "address, a password tried on many accounts and the tokens issued per account have "
        "ceilings too. Staff need `otp` where the second factor is on (401 "
        "`second_factor_required`; 403 `second_factor_not_enrolled`)."
    ),
)
def create_token(request: HttpRequest, credentials: TokenRequest) -> TokenOut:
    """Check the credentials through the sign-in defences and issue a token."""
    rate_limits.hit("token_address", rate_limits.client_address(request.META))
    user = authenticate(
        request, username=credentials.username, password=credentials.password
    )
    if not isinstance(user, User):
        refusal = sign_in_refusal(request)
        if refusal is not None:
            raise rate_limits.RateLimited(
                "Too many failed sign-ins; try again later.",
                retry_after_seconds=refusal.retry_after_seconds,
            )
        raise InvalidCredentials("The username or the password is wrong.")
    _check_second_factor(request, user, credentials.otp)
    rate_limits.hit("token_account", user.pk)
    issued = issue_token(user=user)
    return TokenOut(
        token=issued.token,
        roles=list_roles(user),
        expires_at=issued.expires_at.isoformat(),
    )


@router.post(
    "/auth/logout",
    auth=bearer_auth,
    response={204: None, 401: Problem},
    summary="Revoke the bearer token (a staff member's: all of their tokens)",
)
def log_out(request: HttpRequest) -> HttpResponse:
    """Delete the presented token; staff log out of every token at once."""
    user = get_caller(request)
    header = request.headers.get("Authorization", "")
    token = header.partition(" ")[2].strip()
    if is_staff_member(user):
        sign_out_everywhere(user=user)
        revoke_tokens(user=user)
    else:
        revoke_token(token=token)
    return HttpResponse(status=204)
