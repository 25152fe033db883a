"""The header links each person to the work pages of the roles they hold, and only those."""

import pytest
from django.test import Client

from okryu.accounts.models import Role, RoleGrant
from okryu.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def page_for(*roles: Role) -> str:
    user = UserFactory.create()
    for role in roles:
        RoleGrant.objects.create(user=user, role=role)
    client = Client()
    client.force_login(user)
    return client.get("/").content.decode()


def test_a_teller_is_linked_to_the_bank_counter():
    page = page_for(Role.TELLER)

    assert 'href="/teller/">은행 창구</a>' in page
    assert "판매자 업무" not in page


def test_a_shopper_sees_their_orders_and_cards_but_no_work_pages():
    page = page_for(Role.SHOPPER)

    assert 'href="/orders/">내 주문</a>' in page
    assert 'href="/cards/">내 카드</a>' in page
    assert "은행 창구" not in page
    assert "물류 사무소" not in page


def test_an_operator_is_linked_to_the_logistics_office():
    assert 'href="/logistics/">물류 사무소</a>' in page_for(Role.OPERATOR)


def test_a_visitor_sees_no_personal_links():
    page = Client().get("/").content.decode()

    assert "내 카드" not in page
    assert "로그인" in page


def test_a_courier_is_linked_to_their_jobs_and_not_to_the_office():
    page = page_for(Role.COURIER)

    assert 'href="/courier/">내 배달</a>' in page
    assert "물류 사무소" not in page


def test_an_operator_is_not_linked_to_the_courier_pages():
    assert "내 배달" not in page_for(Role.OPERATOR)
