"""Shopper card pages, QR payment pages and the merchant's daily settlement."""

import datetime as dt
import re
import uuid

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from okryu.accounts.models import Role, RoleGrant
from okryu.accounts.tests.factories import UserFactory
from okryu.merchants.models import MerchantStaff
from okryu.merchants.services import (
    create_merchant_payment_request,
    open_settlement_account,
)
from okryu.merchants.tests.factories import MerchantFactory
from okryu.payments import ledger
from okryu.payments.models import PaymentRequest, Transfer
from okryu.payments.tests.counter_support import PIN, balance, funded_card, money_state

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)


def person(*roles: Role, **fields):
    user = UserFactory.create(**fields)
    for role in roles:
        RoleGrant.objects.create(user=user, role=role)
    return user


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def holder():
    return person(Role.SHOPPER)


@pytest.fixture
def merchant():
    return MerchantFactory.create(name="옥류관")


@pytest.fixture
def staff_client(merchant):
    user = person(Role.MERCHANT)
    MerchantStaff.objects.create(merchant=merchant, user=user)
    return logged_in(user)


def pay_key(html: str) -> str:
    found = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html)
    assert found
    return found.group(1)


def test_my_cards_show_balance_and_available(holder):
    card = funded_card(holder, 25_000)
    client = logged_in(holder)

    listing = client.get(reverse("my-cards")).content.decode()
    detail = client.get(reverse("my-card", args=[card.number])).content.decode()

    assert reverse("my-card", args=[card.number]) in listing
    assert "25,000원" in listing
    assert "25,000원" in detail
    assert card.masked_number in detail


def test_another_persons_card_page_is_not_found(holder):
    card = funded_card(holder, 25_000)
    other = logged_in(person(Role.SHOPPER))

    response = other.get(reverse("my-card", args=[card.number]))

    assert response.status_code == 404
    assert (
        reverse("my-card", args=[card.number])
        not in other.get(reverse("my-cards")).content.decode()
    )


def test_card_pages_need_a_login(holder):
    card = funded_card(holder, 1000)

    response = Client().get(reverse("my-card", args=[card.number]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_card_statement_is_newest_first(holder):
    card = funded_card(holder)
    for number, amount in enumerate([1111, 2222, 3333], start=1):
        ledger.top_up(
            card_number=card.number, amount_won=amount, transfer_id=f"c{number}"
        )

    html = (
        logged_in(holder).get(reverse("my-card", args=[card.number])).content.decode()
    )

    assert html.index("3,333원") < html.index("2,222원") < html.index("1,111원")


def test_staff_create_a_qr_request_once_and_see_its_code(staff_client, merchant):
    page = staff_client.get(reverse("qr-new")).content.decode()
    key = pay_key(page)
    data = {"amount": "12000", "description": "랭면 2그릇", "idempotency_key": key}
    action = f"{reverse('qr-new')}?merchant={merchant.pk}"

    first = staff_client.post(action, data)
    second = staff_client.post(action, data)

    payment_request = PaymentRequest.objects.get()
    assert first["Location"] == reverse("qr-show", args=[payment_request.token])
    assert second["Location"] == first["Location"]
    shown = staff_client.get(first["Location"]).content.decode()
    assert reverse("qr-svg", args=[payment_request.token]) in shown
    assert "12,000원" in shown
    svg = Client().get(reverse("qr-svg", args=[payment_request.token]))
    assert svg["Content-Type"] == "image/svg+xml"
    assert len(svg.content) < 12_000


def test_a_bad_qr_amount_is_refused(staff_client):
    response = staff_client.post(
        reverse("qr-new"), {"amount": "0", "idempotency_key": uuid.uuid4().hex}
    )

    assert response.status_code == 422
    assert "금액은 1원부터" in response.content.decode()
    assert PaymentRequest.objects.count() == 0


def test_someone_without_a_merchant_cannot_use_the_merchant_pages(holder):
    client = logged_in(holder)

    assert client.get(reverse("qr-new")).status_code == 403
    assert client.get(reverse("settlement")).status_code == 403


def test_a_shopper_pays_a_qr_request_once_by_the_page(holder, merchant):
    card = funded_card(holder, 50_000)
    payment_request = create_merchant_payment_request(
        merchant_id=merchant.pk, amount_won=12_000
    )
    client = logged_in(holder)
    url = reverse("qr-pay", args=[payment_request.token])
    page = client.get(url).content.decode()
    data = {"card": card.number, "pin": PIN, "idempotency_key": pay_key(page)}

    first = client.post(url, data)
    second = client.post(url, data)

    assert "옥류관" in page
    assert "12,000원" in page
    assert first.status_code == second.status_code == 302
    assert balance(card) == 38_000
    assert Transfer.objects.filter(debit_account_id=card.ledger_account_id).count() == 1
    used = client.post(url, {**data, "idempotency_key": uuid.uuid4().hex})
    assert used.status_code == 409
    assert "이미 결제된 요청입니다." in used.content.decode()
    assert balance(card) == 38_000


def test_a_wrong_pin_on_the_page_is_told_and_never_echoed(holder, merchant):
    card = funded_card(holder, 50_000)
    payment_request = create_merchant_payment_request(
        merchant_id=merchant.pk, amount_won=12_000
    )
    url = reverse("qr-pay", args=[payment_request.token])
    before = money_state()

    response = logged_in(holder).post(
        url, {"card": card.number, "pin": "9999", "idempotency_key": uuid.uuid4().hex}
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert "PIN이 틀렸습니다. 남은 시도: 2번" in html
    assert "9999" not in html
    assert money_state() == before


def test_an_expired_request_page_says_so(holder, merchant):
    card = funded_card(holder, 50_000)
    with time_machine.travel(NOON, tick=False) as traveller:
        payment_request = create_merchant_payment_request(
            merchant_id=merchant.pk, amount_won=12_000
        )
        traveller.shift(dt.timedelta(minutes=11))
        before = money_state()
        client = logged_in(holder)
        url = reverse("qr-pay", args=[payment_request.token])

        shown = client.get(url)
        posted = client.post(
            url, {"card": card.number, "pin": PIN, "idempotency_key": uuid.uuid4().hex}
        )

    assert shown.status_code == posted.status_code == 409
    assert "유효 시간이 지났습니다" in posted.content.decode()
    assert money_state() == before


def test_the_settlement_page_reconciles_with_the_day_transfers(
    staff_client, merchant, holder
):
    card = funded_card(holder, 100_000)
    account_id = open_settlement_account(merchant_id=merchant.pk)
    with time_machine.travel(NOON, tick=False):
        paid = ledger.transfer_funds(
            card_number=card.number,
            pin=PIN,
            amount_won=30_000,
            credit_account_id=account_id,
            transfer_id="pay-1",
        )
        ledger.transfer_funds(
            card_number=card.number,
            pin=PIN,
            amount_won=5_000,
            credit_account_id=account_id,
            transfer_id="pay-2",
        )
        ledger.refund(
            original_transfer_id=paid.transfer_id, amount_won=4_000, transfer_id="r-1"
        )

    html = staff_client.get(
        reverse("settlement"), {"day": "2026-05-01"}
    ).content.decode()
    other_day = staff_client.get(reverse("settlement"), {"day": "2026-05-02"})
    bad_day = staff_client.get(reverse("settlement"), {"day": "2026-13-40"})

    def cell(name: str) -> str:
        found = re.search(rf'id="{name}">(?:<strong>)?([0-9,]+원)', html)
        assert found, name
        return found.group(1)

    assert cell("takings") == "35,000원"
    assert cell("refunds") == "4,000원"
    assert cell("fees") == "0원"
    assert cell("net") == "31,000원"
    assert html.count("<tr><td>") == 3
    assert "0원" in other_day.content.decode()
    assert bad_day.status_code == 422


def test_staff_see_only_their_own_merchant(staff_client):
    elsewhere = MerchantFactory.create()

    response = staff_client.get(reverse("settlement"), {"merchant": elsewhere.pk})

    assert response.status_code == 404


@pytest.mark.parametrize("page", ["qr-new", "settlement"])
def test_the_merchant_is_named_in_english_on_the_english_pages(
    staff_client, merchant, page
):
    merchant.name_en = "Okryu Restaurant"
    merchant.save(update_fields=["name_en"])
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = staff_client.get(reverse(page)).content.decode()

    assert "<small>Okryu Restaurant</small>" in html
    assert "옥류관" not in html
