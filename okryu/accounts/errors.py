"""Refusals of the accounts app: sign-up fields, addresses and locked log-ins."""

from okryu.core.errors import DomainError, InvalidInput


class UsernameTaken(InvalidInput):
    """Another account already uses this username (compared without case)."""

    code = "username_taken"
    title = "Username taken"


class LoginLocked(DomainError):
    """Too many failed log-ins for this username; it is refused until the lock expires."""

    code = "login_locked"
    status = 429
    title = "Too many failed log-ins"
