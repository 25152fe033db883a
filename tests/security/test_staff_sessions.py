"""Staff sessions: the second factor (production) or none (demo), idle timeouts, revocation."""

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from okryu.accounts.models import Role, RoleGrant, User
from okryu.accounts.tests.factories import UserFactory
from okryu.api.models import ApiToken
from okryu.api.tokens import find_token_user, issue_token
from okryu.core import clock

pytestmark = pytest.mark.django_db

PASSWORD = "okryu-demo"
START = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def production(settings):
    settings.OKRYU_STAFF_SECOND_FACTOR = True


def person(role: Role, *, admin: bool = False) -> User:
    user: User = UserFactory.create(is_staff=admin, is_superuser=admin)
    user.set_password(PASSWORD)
    user.save()
    RoleGrant.objects.create(user=user, role=role)
    return user


def page_client(user: User) -> Client:
    client = Client()
    answer = client.post(
        "/accounts/login/", {"username": user.username, "password": PASSWORD}
    )
    assert answer.status_code == 302
    return client


def code_of(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, t0=-30 * steps_ahead):06d}"


def ask_token(user: User, **extra: str) -> Any:
    return Client().post(
        "/api/v1/auth/token",
        {"username": user.username, "password": PASSWORD, **extra},
        content_type="application/json",
    )


def bearer(token: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def enrolled(user: User) -> TOTPDevice:
    device: TOTPDevice = TOTPDevice.objects.create(
        user=user, name="authenticator", confirmed=True
    )
    return device


def test_in_the_demo_a_teller_opens_the_counter_and_gets_a_token_with_the_password():
    teller = person(Role.TELLER)

    page = page_client(teller).get("/teller/")
    token = ask_token(teller)

    assert page.status_code == 200
    assert token.status_code == 200


def test_in_production_a_teller_without_an_authenticator_is_sent_to_enrol(production):
    client = page_client(person(Role.TELLER))

    response = client.get("/teller/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/second-factor/?next=%2Fteller%2F"


def test_enrolment_shows_a_qr_code_and_confirms_only_with_a_right_code(production):
    teller = person(Role.TELLER)
    client = page_client(teller)

    page = client.get("/accounts/second-factor/?next=/teller/")
    device = TOTPDevice.objects.get(user=teller)
    html = page.content.decode()
    wrong = client.post(
        "/accounts/second-factor/", {"otp": "000000", "next": "/teller/"}
    )
    still_held = client.get("/teller/")
    # django-otp makes a device wait a little after a wrong code.
    with time_machine.travel(clock.now() + dt.timedelta(seconds=5)):
        right = client.post(
            "/accounts/second-factor/", {"otp": code_of(device), "next": "/teller/"}
        )
        counter = client.get("/teller/")

    assert page.status_code == 200
    assert "<svg" in html
    assert re.search(r"<code>([A-Z2-7]{4} ?)+</code>", html)
    assert "otpauth" not in html
    assert wrong.status_code == 422
    assert "코드가 맞지 않습니다." in wrong.content.decode()
    assert still_held.status_code == 302
    assert right.status_code == 302
    assert right["Location"] == "/teller/"
    assert counter.status_code == 200
    assert TOTPDevice.objects.get(user=teller).confirmed is True


def test_an_enrolled_teller_verifies_each_new_session_with_a_code(production):
    teller = person(Role.TELLER)
    device = enrolled(teller)
    client = page_client(teller)

    held = client.get("/teller/")
    enrol_again = client.get("/accounts/second-factor/")
    wrong = client.post("/accounts/second-factor/verify/", {"otp": "123456"})
    with time_machine.travel(clock.now() + dt.timedelta(seconds=5)):
        right = client.post(
            "/accounts/second-factor/verify/",
            {"otp": code_of(device), "next": "/teller/"},
        )
        counter = client.get("/teller/")

    assert held["Location"] == "/accounts/second-factor/verify/?next=%2Fteller%2F"
    # A password alone cannot replace the authenticator with a new one.
    assert enrol_again["Location"] == "/accounts/second-factor/verify/"
    assert TOTPDevice.objects.filter(user=teller).count() == 1
    assert wrong.status_code == 422
    assert right["Location"] == "/teller/"
    assert counter.status_code == 200


def test_the_admin_needs_the_second_factor_of_an_operator(production):
    operator = person(Role.OPERATOR, admin=True)
    enrolled(operator)
    client = Client()

    login = client.post(
        "/admin/login/?next=/admin/",
        {"username": operator.username, "password": PASSWORD, "next": "/admin/"},
    )
    admin = client.get("/admin/")

    assert login.status_code == 302
    assert admin.status_code == 302
    assert admin["Location"] == "/accounts/second-factor/verify/?next=%2Fadmin%2F"


def test_a_shopper_needs_no_second_factor_in_production(production):
    shopper = person(Role.SHOPPER)

    assert page_client(shopper).get("/orders/").status_code == 200
    assert ask_token(shopper).status_code == 200


def test_in_production_a_staff_token_needs_the_authenticators_code(production):
    teller = person(Role.TELLER)
    not_enrolled = ask_token(teller, otp="123456")
    device = enrolled(teller)

    missing = ask_token(teller)
    wrong = ask_token(teller, otp="000000")
    with time_machine.travel(clock.now() + dt.timedelta(seconds=5)):
        right = ask_token(teller, otp=code_of(device))

    assert missing.status_code == 401
    assert missing.json()["code"] == "second_factor_required"
    assert not_enrolled.status_code == 403
    assert not_enrolled.json()["code"] == "second_factor_not_enrolled"
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "invalid_credentials"
    assert right.status_code == 200
    assert ApiToken.objects.filter(user=teller).count() == 1


def test_wrong_second_factor_codes_count_as_failed_sign_ins(production):
    teller = person(Role.TELLER)
    device = enrolled(teller)
    for number in range(4):
        ask_token(teller, otp=f"00000{number}")

    refused = ask_token(teller, otp=code_of(device))

    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"


def test_an_idle_staff_session_ends_after_15_minutes_but_not_while_in_use():
    client = page_client(person(Role.TELLER))

    with time_machine.travel(START, tick=False):
        client.get("/teller/")
    with time_machine.travel(START + dt.timedelta(minutes=14), tick=False):
        in_use = client.get("/teller/")
    with time_machine.travel(START + dt.timedelta(minutes=28), tick=False):
        still = client.get("/teller/")
    with time_machine.travel(START + dt.timedelta(minutes=44), tick=False):
        idle = client.get("/teller/")

    assert in_use.status_code == 200
    assert still.status_code == 200
    assert idle.status_code == 302
    assert idle["Location"] == "/accounts/login/?next=/teller/"
    assert "_auth_user_id" not in client.session


def test_a_shoppers_session_has_no_idle_timeout():
    client = page_client(person(Role.SHOPPER))

    with time_machine.travel(START, tick=False):
        client.get("/orders/")
    with time_machine.travel(START + dt.timedelta(hours=3), tick=False):
        later = client.get("/orders/")

    assert later.status_code == 200


def test_a_staff_token_dies_after_15_idle_minutes_or_a_10_hour_shift():
    teller = person(Role.TELLER)
    with time_machine.travel(START, tick=False):
        idle_token = ask_token(teller).json()["token"]
        busy_token = ask_token(teller).json()["token"]
    answers = []
    for minutes in range(10, 600, 10):
        with time_machine.travel(START + dt.timedelta(minutes=minutes), tick=False):
            answers.append(
                Client()
                .get("/api/v1/cards/9410000000000013", **bearer(busy_token))
                .status_code
            )
    with time_machine.travel(START + dt.timedelta(minutes=16), tick=False):
        idle = Client().get("/api/v1/cards/9410000000000013", **bearer(idle_token))
    with time_machine.travel(START + dt.timedelta(hours=10), tick=False):
        after_shift = Client().get(
            "/api/v1/cards/9410000000000013", **bearer(busy_token)
        )

    assert set(answers) == {404}
    assert idle.status_code == 401
    assert after_shift.status_code == 401


def test_a_staff_logout_on_the_pages_ends_their_tokens_and_other_sessions():
    teller = person(Role.TELLER)
    token = ask_token(teller).json()["token"]
    other_session = page_client(teller)
    client = page_client(teller)

    client.post("/accounts/logout/")

    assert (
        Client().get("/api/v1/cards/9410000000000013", **bearer(token)).status_code
        == 401
    )
    assert other_session.get("/teller/").status_code == 302


def test_a_shoppers_logout_on_the_pages_keeps_their_phone_apps_token():
    shopper = person(Role.SHOPPER)
    token = ask_token(shopper).json()["token"]
    client = page_client(shopper)

    client.post("/accounts/logout/")

    assert Client().get("/api/v1/orders", **bearer(token)).status_code == 200


def test_logging_out_of_the_api_revokes_the_token_and_a_staff_members_every_token():
    teller = person(Role.TELLER)
    shopper = person(Role.SHOPPER)
    teller_tokens = [ask_token(teller).json()["token"] for _ in range(2)]
    shopper_tokens = [ask_token(shopper).json()["token"] for _ in range(2)]

    teller_out = Client().post("/api/v1/auth/logout", **bearer(teller_tokens[0]))
    shopper_out = Client().post("/api/v1/auth/logout", **bearer(shopper_tokens[0]))

    assert teller_out.status_code == shopper_out.status_code == 204
    assert ApiToken.objects.filter(user=teller).count() == 0
    assert (
        Client().get("/api/v1/orders", **bearer(shopper_tokens[0])).status_code == 401
    )
    assert (
        Client().get("/api/v1/orders", **bearer(shopper_tokens[1])).status_code == 200
    )


def test_a_password_change_kills_every_token_issued_before_it():
    shopper = person(Role.SHOPPER)
    token = ask_token(shopper).json()["token"]

    shopper.set_password("a-new-passphrase-1950")
    shopper.save()

    assert Client().get("/api/v1/orders", **bearer(token)).status_code == 401


@pytest.mark.parametrize("role", [Role.TELLER, Role.SUPERVISOR])
def test_a_staff_members_password_changed_with_the_admins_form_kills_their_tokens_and_sessions(
    role,
):
    staff = person(role)
    tokens = [ask_token(staff).json()["token"] for _ in range(2)]
    session = page_client(staff)
    home = "/teller/" if role == Role.TELLER else "/teller/approvals/"
    assert session.get(home).status_code == 200
    assert Client().get("/api/v1/teller/topups", **bearer(tokens[0])).status_code == 200

    form = AdminPasswordChangeForm(
        staff,
        {"password1": "a-new-passphrase-1950", "password2": "a-new-passphrase-1950"},
    )
    assert form.is_valid(), form.errors
    form.save()

    for token in tokens:
        assert Client().get("/api/v1/teller/topups", **bearer(token)).status_code == 401
    assert session.get(home).status_code == 302


def test_a_supervisors_page_session_and_token_have_the_staff_idle_timeout():
    supervisor = person(Role.SUPERVISOR)
    with time_machine.travel(START, tick=False):
        client = page_client(supervisor)
        token = ask_token(supervisor).json()["token"]
        client.get("/teller/approvals/")
    with time_machine.travel(START + dt.timedelta(minutes=16), tick=False):
        idle_page = client.get("/teller/approvals/")
        idle_token = Client().get("/api/v1/teller/topups", **bearer(token))

    assert idle_page.status_code == 302
    assert idle_token.status_code == 401


@pytest.mark.parametrize("role", [Role.TELLER, Role.SUPERVISOR, Role.OPERATOR])
def test_a_token_issued_before_its_person_became_staff_dies_when_they_do(
    production, role
):
    shopper = person(Role.SHOPPER)
    month_long = ask_token(shopper).json()["token"]
    assert Client().get("/api/v1/orders", **bearer(month_long)).status_code == 200

    RoleGrant.objects.create(user=shopper, role=role)

    answer = Client().get("/api/v1/teller/topups", **bearer(month_long))
    assert answer.status_code == 401
    assert ask_token(shopper).json()["code"] == "second_factor_required"


def test_an_account_made_admin_after_its_token_was_issued_needs_a_staff_token():
    shopper = person(Role.SHOPPER)
    month_long = ask_token(shopper).json()["token"]

    User.objects.filter(pk=shopper.pk).update(is_staff=True)

    assert Client().get("/api/v1/orders", **bearer(month_long)).status_code == 401
    assert (
        ask_token(shopper).json()["expires_at"]
        < (clock.now() + dt.timedelta(hours=11)).isoformat()
    )


def test_a_token_is_checked_with_its_persons_staff_roles_in_one_statement(
    django_assert_num_queries,
):
    shopper = person(Role.SHOPPER)
    token = issue_token(user=shopper).token
    find_token_user(token=token)  # Marks it used, once in a while.

    with django_assert_num_queries(1):
        assert find_token_user(token=token) == shopper
