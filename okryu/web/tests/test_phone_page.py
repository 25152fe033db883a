"""Verifying one's phone on the pages: a code by SMS, typed back; refusals are form messages."""

import pytest
from django.test import Client
from django.urls import reverse

from okryu.accounts.phone_verification import is_phone_verified
from okryu.accounts.tests.factories import ShopperFactory
from okryu.notifications.gateways import RecordingGateway
from okryu.notifications.outbox import send_pending_sms

pytestmark = pytest.mark.django_db


def _code_on_the_phone(phone: str) -> str:
    gateway = RecordingGateway()
    send_pending_sms(gateway=gateway, batch_size=50)
    body = [sms.body for sms in gateway.sent if sms.phone == phone][-1]
    return next(word[:6] for word in body.split() if word[:6].isdigit())


def test_a_shopper_verifies_their_phone_with_the_code_the_sms_brought(client: Client):
    shopper = ShopperFactory.create()
    client.force_login(shopper)

    before = client.get(reverse("phone-verify"))
    sent = client.post(reverse("phone-verify"), {"send": "1"})
    code = _code_on_the_phone(shopper.phone)
    wrong = client.post(
        reverse("phone-verify"), {"code": f"{(int(code) + 1) % 1_000_000:06d}"}
    )
    right = client.post(reverse("phone-verify"), {"code": code})
    after = client.get(reverse("phone-verify"))

    assert before.status_code == 200
    assert not before.context["verified"]
    assert sent.status_code == 302
    assert wrong.status_code == 422
    assert "확인 번호가 틀렸습니다." in wrong.content.decode()
    assert right.status_code == 302
    assert after.context["verified"]
    assert is_phone_verified(shopper.pk)


def test_a_code_before_any_was_sent_is_a_form_message(client: Client):
    shopper = ShopperFactory.create()
    client.force_login(shopper)

    response = client.post(reverse("phone-verify"), {"code": "123456"})

    assert response.status_code == 409
    assert "보낸 확인 번호가 없습니다." in response.content.decode()
    assert not is_phone_verified(shopper.pk)
