"""Fixtures of the API tests: people with roles, tokens, and a helper to call with a token."""

import pytest
from django.test import Client

from okryu.accounts.models import Role, User
from okryu.api.tests.support import make_person
from okryu.api.tokens import issue_token


@pytest.fixture
def api_client() -> Client:
    return Client()


@pytest.fixture
def shopper() -> User:
    return make_person(Role.SHOPPER, username="shopper1")


@pytest.fixture
def operator() -> User:
    return make_person(Role.OPERATOR, username="operator")


@pytest.fixture
def operator_token(operator: User) -> str:
    return issue_token(user=operator).token


@pytest.fixture
def shopper_token(shopper: User) -> str:
    return issue_token(user=shopper).token
