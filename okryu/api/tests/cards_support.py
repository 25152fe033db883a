"""Helpers of the card, teller and QR API tests: people with a role and a token."""

from okryu.accounts.models import Role, User
from okryu.api.tests.support import make_person
from okryu.api.tokens import issue_token
from okryu.payments.tests.counter_support import PIN, balance, funded_card, money_state

__all__ = ["PIN", "balance", "funded_card", "money_state", "person_with_token"]


def person_with_token(*roles: Role) -> tuple[User, str]:
    """Return a new person holding ``roles`` and a bearer token of theirs."""
    user = make_person(*roles)
    return user, issue_token(user=user).token
