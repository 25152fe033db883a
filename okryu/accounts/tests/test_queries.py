"""Reads of accounts: roles and districts."""

import pytest
from django.contrib.auth.models import AnonymousUser

from okryu.accounts.models import Role, RoleGrant
from okryu.accounts.queries import has_role, list_districts, list_roles
from okryu.accounts.tests.factories import DistrictFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_roles_are_listed_sorted_and_checked_one_by_one():
    user = UserFactory.create()
    RoleGrant.objects.create(user=user, role=Role.SHOPPER)
    RoleGrant.objects.create(user=user, role=Role.COURIER)

    assert list_roles(user) == ["courier", "shopper"]
    assert has_role(user, Role.COURIER)
    assert not has_role(user, Role.OPERATOR)


def test_an_anonymous_visitor_has_no_role():
    assert list_roles(AnonymousUser()) == []
    assert not has_role(AnonymousUser(), Role.SHOPPER)


def test_districts_are_grouped_by_city_in_order_of_their_first_district():
    first_city = [
        DistrictFactory.create(city="가시", sort_order=900 + number)
        for number in range(2)
    ]
    second_city = DistrictFactory.create(city="나시", city_en="Na", sort_order=901)

    groups = [group for group in list_districts() if group.city in {"가시", "나시"}]

    assert [(group.city, list(group.districts)) for group in groups] == [
        ("가시", first_city),
        ("나시", [second_city]),
    ]
