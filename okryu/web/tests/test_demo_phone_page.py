"""The demo's phone page: a demo visitor reads the SMS sent to their own numbers, codes in place,
so they can confirm a phone; nobody reads another's, and outside the demo the page is not there."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from okryu.accounts.models import User
from okryu.accounts.phone_verification import is_phone_verified, send_phone_code
from okryu.accounts.tests.factories import ShopperFactory
from okryu.notifications.checks import check_production_has_no_demo_phone
from okryu.notifications.gateways import LogGateway
from okryu.notifications.outbox import queue_sms, send_pending_sms

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.OKRYU_DEMO_PHONE = True


def send_everything() -> None:
    """What the demo's SMS sender does: deliver through the log gateway (codes masked)."""
    send_pending_sms(gateway=LogGateway(), batch_size=50)


def code_on(page: str) -> str:
    found = re.search(r"확인 번호는 ([0-9]{6})", page)
    assert found, "the page shows the code the SMS brought"
    return found.group(1)


def test_a_demo_visitor_confirms_their_phone_with_the_code_the_demo_phone_shows(
    client: Client, demo
):
    shopper = ShopperFactory.create()
    client.force_login(shopper)

    client.post(reverse("phone-verify"), {"send": "1"})
    send_everything()
    phone_page = client.get(reverse("phone-verify")).content.decode()
    demo_phone = client.get(reverse("demo-phone"))
    confirmed = client.post(
        reverse("phone-verify"), {"code": code_on(demo_phone.content.decode())}
    )

    assert reverse("demo-phone") in phone_page
    assert demo_phone.status_code == 200
    assert shopper.phone in demo_phone.content.decode()
    assert confirmed.status_code == 302
    assert is_phone_verified(shopper.pk)


def test_a_stranger_who_types_in_my_number_reads_none_of_my_messages(
    client: Client, demo
):
    me = ShopperFactory.create()
    stranger = ShopperFactory.create()
    User.objects.filter(pk=stranger.pk).update(phone=me.phone)
    send_phone_code(user_id=me.pk)
    send_everything()
    client.force_login(stranger)

    page = client.get(reverse("demo-phone")).content.decode()

    assert "확인 번호는" not in page
    assert "다른 계정이나 다른 사람의 카드에도 있어" in page


def test_messages_sent_before_the_account_was_made_are_not_shown(client: Client, demo):
    earlier = ShopperFactory.create()
    queue_sms(phone=earlier.phone, body="[옥류] 예전 주인에게 보낸 문자")
    send_everything()
    earlier.delete()
    newcomer = ShopperFactory.create(phone=earlier.phone)
    client.force_login(newcomer)

    page = client.get(reverse("demo-phone")).content.decode()

    assert "예전 주인에게 보낸 문자" not in page
    assert "받은 문자가 없습니다." in page


def test_the_page_is_not_there_outside_the_demo(client: Client, settings):
    settings.OKRYU_DEMO_PHONE = False
    shopper = ShopperFactory.create()
    client.force_login(shopper)

    response = client.get(reverse("demo-phone"))
    profile = client.get(reverse("profile")).content.decode()

    assert response.status_code == 404
    assert reverse("demo-phone") not in profile


def test_the_page_speaks_english_to_an_english_visitor(client: Client, demo):
    shopper = ShopperFactory.create()
    client.force_login(shopper)
    client.cookies["okryu_language"] = "en"

    page = client.get(reverse("demo-phone")).content.decode()

    assert "Demo phone" in page
    assert "No messages yet" in page


def test_production_refuses_to_start_with_the_demo_phone(settings):
    settings.OKRYU_IS_PRODUCTION = True
    settings.OKRYU_DEMO_PHONE = True

    refused = check_production_has_no_demo_phone()
    settings.OKRYU_DEMO_PHONE = False

    assert [error.id for error in refused] == ["okryu.E025"]
    assert check_production_has_no_demo_phone() == []
