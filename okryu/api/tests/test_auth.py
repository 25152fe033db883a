import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from okryu.accounts.models import Role
from okryu.api.models import ApiToken
from okryu.api.tests.support import PASSWORD, assert_problem, bearer, make_person
from okryu.api.tokens import TOKEN_LIFETIME, hash_token, issue_token
from okryu.core import clock
from okryu.core.models import RateCounter

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"
AUDIT_URL = "/api/v1/ops/audit"


def ask_token(client: Client, username: str, password: str) -> Any:
    return client.post(
        TOKEN_URL,
        {"username": username, "password": password},
        content_type="application/json",
    )


def test_a_right_password_gives_a_token_and_the_roles(api_client):
    make_person(Role.OPERATOR, Role.TELLER, username="operator")

    response = ask_token(api_client, "operator", PASSWORD)

    assert response.status_code == 200
    body = response.json()
    assert body["roles"] == ["operator", "teller"]
    assert body["token"].startswith("okr_")
    assert set(body) == {"token", "roles", "expires_at"}


def test_only_the_hash_of_the_token_is_stored(api_client, operator):
    token = ask_token(api_client, "operator", PASSWORD).json()["token"]

    row = ApiToken.objects.get(user=operator)

    assert row.token_hash == hash_token(token)
    assert token not in row.token_hash
    assert row.expires_at - row.created_at == dt.timedelta(hours=10)
    assert row.idle_seconds == 15 * 60


def test_a_shoppers_token_lives_thirty_days_with_no_idle_timeout(api_client):
    shopper = make_person(Role.SHOPPER, username="shopper1")

    ask_token(api_client, "shopper1", PASSWORD)

    row = ApiToken.objects.get(user=shopper)
    assert row.expires_at - row.created_at == TOKEN_LIFETIME
    assert row.idle_seconds is None


def test_the_issued_token_opens_a_route_of_the_callers_role(api_client, operator):
    token = ask_token(api_client, "operator", PASSWORD).json()["token"]

    response = api_client.get(AUDIT_URL, **bearer(token))

    assert response.status_code == 200
    assert ApiToken.objects.get(user=operator).last_used_at is not None


def test_a_wrong_password_is_401_invalid_credentials_and_gives_no_token(
    api_client, operator
):
    response = ask_token(api_client, "operator", "wrong-password")

    assert_problem(response, status=401, code="invalid_credentials")
    assert ApiToken.objects.count() == 0


def test_an_unknown_username_is_the_same_401(api_client):
    response = ask_token(api_client, "nobody", PASSWORD)

    assert_problem(response, status=401, code="invalid_credentials")


def test_free_failures_then_a_delay_refuse_even_the_right_password_with_retry_after(
    api_client, operator
):
    with time_machine.travel(clock.now(), tick=False):
        for _ in range(4):
            ask_token(api_client, "operator", "wrong-password")

        response = ask_token(api_client, "operator", PASSWORD)

    body = assert_problem(response, status=429, code="rate_limited")
    assert body["retry_after"] == 5
    assert response["Retry-After"] == "5"
    assert ApiToken.objects.count() == 0


def test_a_delayed_account_does_not_delay_another_account_behind_the_same_address(
    api_client, operator
):
    make_person(Role.SHOPPER, username="shopper2")
    for _ in range(6):
        ask_token(api_client, "operator", "wrong-password")

    response = ask_token(api_client, "shopper2", PASSWORD)

    assert response.status_code == 200
    assert response.json()["roles"] == ["shopper"]


def test_the_delay_expires(api_client, operator):
    for _ in range(6):
        ask_token(api_client, "operator", "wrong-password")

    with time_machine.travel(clock.now() + dt.timedelta(seconds=31), tick=False):
        response = ask_token(api_client, "operator", PASSWORD)

    assert response.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"username": "operator"}, id="missing-password"),
        pytest.param({"username": "", "password": "x"}, id="empty-username"),
        pytest.param({"username": "a" * 151, "password": "x"}, id="long-username"),
        pytest.param({"username": 12, "password": "x"}, id="username-not-a-string"),
    ],
)
def test_a_malformed_token_request_is_422_invalid_naming_the_field(api_client, body):
    response = api_client.post(TOKEN_URL, body, content_type="application/json")

    problem = assert_problem(response, status=422, code="invalid")
    assert problem["field"] in {"username", "password"}
    assert problem["detail"].startswith(problem["field"] + ":")
    assert RateCounter.objects.filter(key__startswith="sign-in").count() == 0


def test_a_route_with_auth_and_no_token_is_401_unauthenticated(api_client):
    response = api_client.get(AUDIT_URL)

    assert_problem(response, status=401, code="unauthenticated")
    assert response["WWW-Authenticate"] == 'Bearer realm="okryu"'


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("Bearer okr_not-a-real-token", id="unknown-token"),
        pytest.param("Basic b3BlcmF0b3I6eA==", id="other-scheme"),
        pytest.param("Bearer " + "x" * 5000, id="huge-token"),
    ],
)
def test_a_bad_token_is_401_unauthenticated(api_client, header):
    response = api_client.get(AUDIT_URL, HTTP_AUTHORIZATION=header)

    assert_problem(response, status=401, code="unauthenticated")


def test_an_expired_token_is_401_unauthenticated(api_client, operator):
    token = issue_token(user=operator).token

    with time_machine.travel(clock.now() + TOKEN_LIFETIME, tick=False):
        response = api_client.get(AUDIT_URL, **bearer(token))

    assert_problem(response, status=401, code="unauthenticated")


def test_a_token_of_a_deactivated_account_is_401(api_client, operator):
    token = issue_token(user=operator).token
    operator.is_active = False
    operator.save(update_fields=["is_active"])

    response = api_client.get(AUDIT_URL, **bearer(token))

    assert_problem(response, status=401, code="unauthenticated")


def test_a_call_outside_the_callers_role_is_403_forbidden(api_client, shopper_token):
    response = api_client.get(AUDIT_URL, **bearer(shopper_token))

    body = assert_problem(response, status=403, code="forbidden")
    assert body["role"] == "operator"
