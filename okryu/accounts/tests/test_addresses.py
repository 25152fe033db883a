"""Keeping delivery addresses: add, delete, choose the default; only one's own."""

import pytest

from okryu.accounts.models import Address
from okryu.accounts.queries import list_addresses_for_user
from okryu.accounts.services import add_address, delete_address, set_default_address
from okryu.accounts.tests.factories import AddressFactory, DistrictFactory, UserFactory
from okryu.core.errors import InvalidInput, NotFound

pytestmark = pytest.mark.django_db


def test_the_first_address_becomes_the_default_and_later_ones_do_not():
    user, district = UserFactory.create(), DistrictFactory.create()

    first = add_address(user=user, district_id=district.pk, detail="1동")
    second = add_address(user=user, district_id=district.pk, detail="2동", label="직장")

    first.refresh_from_db()
    assert (first.is_default, second.is_default, second.label) == (True, False, "직장")


def test_an_address_added_as_default_takes_over_the_default():
    user, district = UserFactory.create(), DistrictFactory.create()
    first = add_address(user=user, district_id=district.pk, detail="1동")

    second = add_address(
        user=user, district_id=district.pk, detail="2동", make_default=True
    )

    first.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)


def test_an_address_in_an_unknown_district_is_refused():
    user = UserFactory.create()

    with pytest.raises(InvalidInput) as refused:
        add_address(user=user, district_id=999_999, detail="1동")

    assert refused.value.field == "district"
    assert Address.objects.count() == 0


def test_setting_the_default_moves_it():
    user = UserFactory.create()
    first = AddressFactory.create(user=user, is_default=True)
    second = AddressFactory.create(user=user)

    set_default_address(user=user, address_id=second.pk)

    assert list(
        Address.objects.filter(user=user, is_default=True).values_list("pk", flat=True)
    ) == [second.pk]
    assert first.pk != second.pk


def test_deleting_the_default_makes_the_oldest_remaining_address_the_default():
    user = UserFactory.create()
    default = AddressFactory.create(user=user, is_default=True)
    older = AddressFactory.create(user=user)
    AddressFactory.create(user=user)

    delete_address(user=user, address_id=default.pk)

    older.refresh_from_db()
    assert older.is_default
    assert Address.objects.filter(user=user).count() == 2


def test_another_person_s_address_cannot_be_deleted_or_made_default():
    owner, stranger = UserFactory.create(), UserFactory.create()
    address = AddressFactory.create(user=owner, is_default=True)
    mine = AddressFactory.create(user=stranger, is_default=True)

    with pytest.raises(NotFound):
        delete_address(user=stranger, address_id=address.pk)
    with pytest.raises(NotFound):
        set_default_address(user=stranger, address_id=address.pk)

    address.refresh_from_db()
    mine.refresh_from_db()
    assert (address.is_default, mine.is_default) == (True, True)


def test_a_person_lists_only_their_own_addresses():
    owner = UserFactory.create()
    own = AddressFactory.create(user=owner, is_default=True)
    AddressFactory.create()

    assert list_addresses_for_user(user=owner) == [own]
