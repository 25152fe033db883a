"""Authentication of the API: ``POST /auth/token``, the bearer auth and the role check.

Later routers protect a route with ``auth=bearer_auth`` and check the role inside it:

    @router.get("/orders", auth=bearer_auth)
    def list_orders(request: HttpRequest) -> ...:
        user = require_role(request, Role.SHOPPER)
"""

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import HttpBearer
from pydantic import Field
from typing_extensions import override

from okryu.accounts.errors import LoginLocked
from okryu.accounts.models import Role, User
from okryu.accounts.queries import find_login_lock, has_role, list_roles
from okryu.accounts.services import clear_login_failures, record_login_failure
from okryu.api.tokens import find_token_user, issue_token
from okryu.api.v1.schemas.problems import Problem
from okryu.core.errors import DomainError, PermissionDenied

USERNAME_LENGTH_MAX = 150
# Long enough for any passphrase, short enough that hashing it costs nothing unusual.
PASSWORD_LENGTH_MAX = 1024

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
    """A username and password, as for the login page."""

    username: str = Field(min_length=1, max_length=USERNAME_LENGTH_MAX)
    password: str = Field(min_length=1, max_length=PASSWORD_LENGTH_MAX)


class TokenOut(Schema):
    """A new bearer token, shown only in this answer, and the roles it carries."""

    token: str = Field(description="Send as `Authorization: Bearer <token>`.")
    roles: list[str] = Field(
        description="Roles of the account: shopper, merchant, courier, teller, operator."
    )
    expires_at: str = Field(description="ISO 8601; ask for a new token after it.")


@router.post(
    "/auth/token",
    response={200: TokenOut, 401: Problem, 422: Problem, 429: Problem},
    summary="Exchange a username and password for a bearer token",
    description=(
        "Failed attempts are counted per account (never per address); after too many the "
        "account's logins are refused with 429 `login_locked` until the lock expires."
    ),
)
def create_token(request: HttpRequest, credentials: TokenRequest) -> TokenOut:
    """Check the credentials (refusing a locked account first) and issue a token."""
    locked_until = find_login_lock(username=credentials.username)
    if locked_until is not None:
        raise LoginLocked(
            "Too many failed logins for this account; try again later.",
            locked_until=locked_until.isoformat(),
        )
    user = authenticate(
        request, username=credentials.username, password=credentials.password
    )
    if not isinstance(user, User):
        record_login_failure(username=credentials.username)
        raise InvalidCredentials("The username or the password is wrong.")
    clear_login_failures(username=credentials.username)
    issued = issue_token(user=user)
    return TokenOut(
        token=issued.token,
        roles=list_roles(user),
        expires_at=issued.expires_at.isoformat(),
    )
