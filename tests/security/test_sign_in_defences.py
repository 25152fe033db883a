"""The sign-in defences, through the admin's login, the pages' login and the API's token route.

Real code paths throughout: the test client, Django's authenticate() and the counters in the
test database; only the password hasher is the suite's fast one.
"""

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.contrib.auth.hashers import get_hasher
from django.test import Client

from okryu.accounts.models import Role, RoleGrant, User
from okryu.accounts.tests.factories import UserFactory
from okryu.api.models import ApiToken
from okryu.core import clock
from okryu.core.models import RateCounter

pytestmark = pytest.mark.django_db

PASSWORD = "okryu-demo"
DISTRICT = "175.45.176.10"
ELSEWHERE = "175.45.177.20"


def make_user(username: str, *, staff: bool = False) -> User:
    user: User = UserFactory.create(
        username=username, is_staff=staff, is_superuser=staff
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def page_login(username: str, password: str, *, address: str = DISTRICT) -> int:
    response = Client(REMOTE_ADDR=address).post(
        "/accounts/login/", {"username": username, "password": password}
    )
    return response.status_code


def admin_login(username: str, password: str, *, address: str = DISTRICT) -> int:
    response = Client(REMOTE_ADDR=address).post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
    )
    return response.status_code


def api_login(username: str, password: str, *, address: str = DISTRICT) -> int:
    response = Client(REMOTE_ADDR=address).post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )
    return response.status_code


@pytest.fixture
def frozen_clock():
    """Time stands still, so a wait reads the same however slowly the machine runs.

    It stands at the start of an hour: the failures are counted in windows (a quarter hour
    per account, an hour per address and per password) of which only a share carries over
    past a window's end, and a test that shifted the clock across one would see its count
    fall (one in fourteen runs did, when the clock was the real one).
    """
    start = clock.now().replace(minute=0, second=1, microsecond=0)
    with time_machine.travel(start, tick=False) as traveller:
        yield traveller


def test_admin_page_and_api_failures_count_together_and_delay_all_three(frozen_clock):
    make_user("operator", staff=True)

    statuses = [
        admin_login("operator", "wrong"),
        page_login("operator", "wrong"),
        api_login("operator", "wrong"),
        admin_login("operator", "wrong"),
    ]

    assert statuses == [200, 422, 401, 200]
    assert api_login("operator", PASSWORD) == 429
    assert page_login("operator", PASSWORD) == 429
    refused_admin = Client(REMOTE_ADDR=DISTRICT).post(
        "/admin/login/", {"username": "operator", "password": PASSWORD}
    )
    assert "5초 뒤에 다시 해 보십시오" in refused_admin.content.decode()
    assert "_auth_user_id" not in refused_admin.client.session


def test_the_admin_login_is_delayed_after_failures_through_the_api(frozen_clock):
    make_user("operator", staff=True)
    for _ in range(4):
        api_login("operator", "wrong")

    response = Client(REMOTE_ADDR=DISTRICT).post(
        "/admin/login/?next=/admin/", {"username": "operator", "password": PASSWORD}
    )

    assert response.status_code == 200
    assert "5초 뒤에 다시" in response.content.decode()

    frozen_clock.shift(dt.timedelta(seconds=6))
    assert admin_login("operator", PASSWORD) == 302


def test_one_attacker_behind_a_district_address_is_held_while_1000_honest_people_sign_in():
    victims = [make_user(f"victim{number}") for number in range(5)]
    honest = [make_user(f"citizen{number}") for number in range(1000)]
    attacker_answers: list[int] = []
    honest_answers: list[int] = []
    # At the start of a quarter-hour window, so no window restarts the counts midway.
    start = dt.datetime.fromtimestamp(
        (int(clock.now().timestamp()) // 900 + 1) * 900, tz=dt.UTC
    )

    # Over a quarter hour the attacker tries 20 guesses a minute, over five accounts,
    # interleaved with a thousand honest sign-ins from the same address.
    for minute in range(15):
        with time_machine.travel(start + dt.timedelta(minutes=minute), tick=False):
            for guess in range(20):
                victim = victims[guess % len(victims)]
                attacker_answers.append(
                    api_login(victim.username, f"guess-{minute}-{guess}")
                )
            for person in honest[minute * 1000 // 15 : (minute + 1) * 1000 // 15]:
                login = page_login if person.pk % 2 else api_login
                honest_answers.append(login(person.username, PASSWORD))

    checked = attacker_answers.count(401)
    assert len(honest_answers) == 1000
    assert set(honest_answers) <= {200, 302}
    # Each account: 3 free guesses and a fourth, then one a minute (the attacker comes back
    # each minute; the delays are 5, 10, 20, then 30 s), against 4 a minute tried.
    assert checked == len(victims) * (4 + 14)
    assert attacker_answers.count(429) == len(attacker_answers) - checked
    assert all(not ApiToken.objects.filter(user=victim).exists() for victim in victims)


def test_past_the_address_ceiling_an_account_that_failed_there_waits_but_a_fresh_one_signs_in(
    settings, frozen_clock
):
    settings.OKRYU_RATE_LIMITS = {
        **settings.OKRYU_RATE_LIMITS,
        "sign_in_address": (10, 3600),
    }
    victim = make_user("victim")
    make_user("citizen")
    for number in range(10):
        api_login(f"nobody{number}", "wrong")
    api_login(victim.username, "wrong")

    assert api_login(victim.username, PASSWORD) == 429
    assert api_login("citizen", PASSWORD) == 200
    assert api_login(victim.username, PASSWORD, address=ELSEWHERE) == 200


def test_nobody_elsewhere_can_delay_the_owner_and_a_distributed_attack_delays_at_most_30_s(
    frozen_clock,
):
    make_user("shopper1")
    for number in range(20):
        api_login("shopper1", f"guess-{number}", address=ELSEWHERE)

    assert api_login("shopper1", PASSWORD) == 200

    for number in range(60):
        api_login("shopper1", f"wrong-{number}", address=f"10.0.{number}.1")
    assert api_login("shopper1", PASSWORD) == 429
    frozen_clock.shift(dt.timedelta(seconds=31))
    assert api_login("shopper1", PASSWORD) == 200


def test_every_delay_expires(frozen_clock):
    make_user("shopper1")
    for number in range(12):
        api_login("shopper1", "wrong")
        frozen_clock.shift(dt.timedelta(seconds=number))

    assert api_login("shopper1", PASSWORD) == 429
    frozen_clock.shift(dt.timedelta(seconds=31))
    assert api_login("shopper1", PASSWORD) == 200


def test_a_windows_end_hands_out_no_free_tries(frozen_clock):
    make_user("shopper1")
    first_window = [api_login("shopper1", f"guess-{number}") for number in range(4)]
    frozen_clock.shift(dt.timedelta(minutes=15))  # Into the next quarter hour.

    next_window = [api_login("shopper1", f"later-{number}") for number in range(2)]
    frozen_clock.shift(dt.timedelta(minutes=30))  # Both windows behind.
    long_after = [api_login("shopper1", f"after-{number}") for number in range(2)]

    # Three free tries and a fourth; past the window's end the delays go on where they
    # were (a fixed window would give three free tries again); once the failures are a
    # whole window old they are forgotten.
    assert first_window == [401, 401, 401, 401]
    assert next_window == [401, 429]
    assert long_after == [401, 401]


def test_one_password_sprayed_over_many_accounts_is_refused_after_twenty_failures(
    frozen_clock,
):
    for number in range(25):
        make_user(f"shopper{number}")

    answers = [
        api_login(f"shopper{number}", "password123", address=f"10.1.{number}.1")
        for number in range(25)
    ]

    assert answers == [401] * 20 + [429] * 5


def test_an_unknown_username_leaves_no_row_of_its_own_and_runs_the_hasher():
    make_user("shopper1")
    hasher_class = type(get_hasher())
    before = set(RateCounter.objects.values_list("key", flat=True))

    with mock.patch.object(
        hasher_class, "encode", autospec=True, side_effect=hasher_class.encode
    ) as encode:
        answer = api_login("nobody-at-all", "wrong-password")

    assert answer == 401
    assert encode.call_count == 1
    new_keys = set(RateCounter.objects.values_list("key", flat=True)) - before
    # Counts for the address only (and the token route's address): none for the name, and
    # none for its password, since spraying is counted on real accounts.
    assert {key.split(":")[1] for key in new_keys} == {
        "token_address",
        "sign_in_address",
    }
    assert len(new_keys) == 2


def test_a_staff_role_holder_and_a_shopper_are_counted_alike(frozen_clock):
    user = make_user("teller1")
    RoleGrant.objects.create(user=user, role=Role.TELLER)
    for _ in range(3):
        assert page_login("teller1", "wrong") == 422

    assert page_login("teller1", "wrong") == 422
    assert page_login("teller1", PASSWORD) == 429
