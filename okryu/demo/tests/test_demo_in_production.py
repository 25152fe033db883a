"""Production refuses a database holding the demo's logins (with their published password)
or its cards (with their published PINs)."""

import pytest

from okryu.accounts.models import User
from okryu.demo.checks import check_production_has_no_demo_data
from okryu.demo.merchants import MERCHANTS
from okryu.demo.users import DEMO_PASSWORD
from okryu.payments.cards import issue_card

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production(settings):
    settings.OKRYU_IS_PRODUCTION = True


def test_a_demo_login_with_the_published_password_is_refused():
    User.objects.create_user(
        username="teller", password=DEMO_PASSWORD, display_name="리은정"
    )

    errors = check_production_has_no_demo_data()

    assert [error.id for error in errors] == ["okryu.E018"]
    assert "the login 'teller' with the demo password" in errors[0].msg


def test_a_demo_merchants_staff_login_with_the_published_password_is_refused():
    staff_login = MERCHANTS[-1].slug
    User.objects.create_user(
        username=staff_login, password=DEMO_PASSWORD, display_name="약국 직원"
    )

    errors = check_production_has_no_demo_data()

    assert [error.id for error in errors] == ["okryu.E018"]
    assert f"the login {staff_login!r} with the demo password" in errors[0].msg


def test_demo_logins_sharing_one_hash_cost_one_check(monkeypatch):
    for username in ("operator", "teller", MERCHANTS[0].slug):
        User.objects.create_user(
            username=username, password="changed-but-shared", display_name="운영"
        )
    shared = User.objects.get(username="operator").password
    User.objects.update(password=shared)
    checked: list[str] = []

    def check_password(password: str, encoded: str) -> bool:
        checked.append(encoded)
        return False

    monkeypatch.setattr("okryu.demo.checks.check_password", check_password)

    assert check_production_has_no_demo_data() == []
    assert checked == [shared]


def test_a_login_named_like_a_demo_one_with_its_own_password_is_accepted():
    User.objects.create_user(
        username="operator", password="a-real-operator-password", display_name="운영"
    )

    assert check_production_has_no_demo_data() == []


def test_a_demo_card_is_refused():
    holder = User.objects.create_user(
        username="holder", password="a-real-password", display_name="박성철"
    )
    issue_card(
        holder=holder, phone="191-234-5601", pin="1111", number="9410000000000013"
    )

    errors = check_production_has_no_demo_data()

    assert [error.id for error in errors] == ["okryu.E018"]
    assert "the demo card 9410000000000013" in errors[0].msg


def test_the_demo_itself_is_not_checked(settings):
    settings.OKRYU_IS_PRODUCTION = False
    User.objects.create_user(
        username="operator", password=DEMO_PASSWORD, display_name="김영철"
    )

    assert check_production_has_no_demo_data() == []
