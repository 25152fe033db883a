"""Signing up a shopper."""

from typing import Any

import pytest

from okryu.accounts.errors import UsernameTaken
from okryu.accounts.models import Address, RoleGrant, User
from okryu.accounts.services import normalize_phone, register_shopper
from okryu.accounts.tests.factories import DistrictFactory, UserFactory
from okryu.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


def _sign_up(**changes: Any) -> User:
    fields: dict[str, Any] = {
        "username": "chollima",
        "display_name": "김철수",
        "phone": "010-1234-5678",
        "password": "noodle-house-77",
        "district_id": DistrictFactory.create().pk,
        "address_detail": "1동 201호",
    }
    fields.update(changes)
    return register_shopper(**fields)


def test_a_sign_up_creates_a_shopper_with_a_default_address():
    user = _sign_up()

    assert user.username == "chollima"
    assert user.phone == "01012345678"
    assert user.check_password("noodle-house-77")
    assert list(RoleGrant.objects.filter(user=user).values_list("role", flat=True)) == [
        "shopper"
    ]
    address = Address.objects.get(user=user)
    assert (address.detail, address.is_default) == ("1동 201호", True)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"password": "short1"}, "password", id="short password"),
        pytest.param({"password": "12345678901"}, "password", id="numeric password"),
        pytest.param({"phone": "123-45"}, "phone", id="short phone"),
        pytest.param({"phone": "010-1234-abcd"}, "phone", id="letters in phone"),
        pytest.param({"district_id": 999_999}, "district", id="unknown district"),
        pytest.param({"address_detail": "  "}, "detail", id="empty address"),
        pytest.param({"display_name": ""}, "display_name", id="empty name"),
        pytest.param({"username": "a b"}, "username", id="space in username"),
    ],
)
def test_a_bad_sign_up_names_the_field_and_creates_nothing(changes, field):
    with pytest.raises(InvalidInput) as refused:
        _sign_up(**changes)

    assert refused.value.field == field
    assert User.objects.count() == 0
    assert Address.objects.count() == 0


def test_a_username_taken_in_another_case_is_refused():
    UserFactory.create(username="Chollima")

    with pytest.raises(UsernameTaken):
        _sign_up(username="chollima")

    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("010-1234-5678", "01012345678"),
        ("02 1234 5678", "0212345678"),
        ("(031) 123.4567", "0311234567"),
    ],
)
def test_phone_numbers_may_be_typed_with_separators(typed, stored):
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize(
    "typed", ["123456789", "012345678901", "010-1234-567x", "０１０１２３４５６７８"]
)
def test_a_phone_number_of_other_than_10_or_11_ascii_digits_is_refused(typed):
    with pytest.raises(InvalidInput):
        normalize_phone(typed)
