"""Refusals of the accounts app: sign-up fields and addresses."""

from okryu.core.errors import InvalidInput


class UsernameTaken(InvalidInput):
    """Another account already uses this username (compared without case)."""

    code = "username_taken"
    title = "Username taken"
