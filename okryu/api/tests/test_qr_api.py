"""QR payment routes: staff ask for an amount, the shopper approves once with the PIN."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from okryu.accounts.models import Role
from okryu.api.tests.cards_support import (
    PIN,
    balance,
    funded_card,
    money_state,
    person_with_token,
)
from okryu.api.tests.support import assert_problem, bearer, new_merchant
from okryu.merchants.models import Merchant, MerchantStaff
from okryu.notifications.models import OutboxMessage
from okryu.payments.models import Card, LedgerAccount, PaymentRequest

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def staff():
    merchant = new_merchant(name="옥류관")
    user, token = person_with_token(Role.MERCHANT)
    MerchantStaff.objects.create(merchant=merchant, user=user)
    return merchant, token


@pytest.fixture
def payer():
    holder, token = person_with_token(Role.SHOPPER)
    return funded_card(holder, 50_000), token


def post(client: Client, url: str, body: object, token: str, **headers: str) -> Any:
    extra: dict[str, Any] = {**bearer(token), **headers}
    return client.post(url, body, content_type="application/json", **extra)


def create(client: Client, token: str, amount: object = 12_000) -> Any:
    return post(client, "/api/v1/qr-requests", {"amount": amount}, token)


def approve(
    client: Client,
    token: str,
    shopper_token: str,
    card: Card,
    *,
    key: str = "pay-1",
    pin: str = PIN,
) -> Any:
    return post(
        client,
        f"/api/v1/qr-requests/{token}/approve",
        {"card": card.number, "pin": pin},
        shopper_token,
        HTTP_IDEMPOTENCY_KEY=key,
    )


def merchant_balance(merchant: Merchant) -> int:
    merchant.refresh_from_db()
    assert merchant.ledger_account_id is not None
    return LedgerAccount.objects.get(pk=merchant.ledger_account_id).balance_won


def test_staff_create_a_request_with_a_small_svg_qr_code(api_client, staff):
    merchant, token = staff

    response = create(api_client, token)

    assert response.status_code == 201
    body = response.json()
    assert body["amount"] == 12_000
    assert body["merchant"] == "옥류관"
    assert body["status"] == "open"
    assert body["pay_url"].endswith(f"/pay/{body['token']}/")
    svg = api_client.get(body["svg_url"])
    assert svg.status_code == 200
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.startswith(b"<svg")
    assert len(svg.content) < 12_000
    merchant.refresh_from_db()
    assert merchant.ledger_account_id is not None


def test_someone_who_is_not_staff_cannot_create_a_request(api_client, payer):
    _card, shopper_token = payer
    _lonely, merchant_token = person_with_token(Role.MERCHANT)

    as_shopper = create(api_client, shopper_token)
    as_merchant_without_shop = create(api_client, merchant_token)

    assert_problem(as_shopper, status=403, code="forbidden")
    assert_problem(as_merchant_without_shop, status=403, code="forbidden")
    assert PaymentRequest.objects.count() == 0


@pytest.mark.parametrize("amount", [0, -1, 2.5, 2_000_001])
def test_a_bad_amount_makes_no_request(api_client, staff, amount):
    _merchant, token = staff

    response = create(api_client, token, amount)

    assert_problem(response, status=422, code="invalid")
    assert PaymentRequest.objects.count() == 0


def test_the_shopper_sees_who_asks_and_pays_once(api_client, staff, payer):
    merchant, token = staff
    card, shopper_token = payer
    qr = create(api_client, token).json()

    seen = api_client.get(f"/api/v1/qr-requests/{qr['token']}", **bearer(shopper_token))
    paid = approve(api_client, qr["token"], shopper_token, card)
    repeat = approve(api_client, qr["token"], shopper_token, card)

    assert seen.json()["merchant"] == "옥류관"
    assert seen.json()["amount"] == 12_000
    assert paid.status_code == 200
    assert paid.json()["status"] == "paid"
    assert paid.json()["card"] == card.masked_number
    assert repeat.json() == paid.json()
    assert repeat["Idempotent-Replayed"] == "true"
    assert balance(card) == 38_000
    assert merchant_balance(merchant) == 12_000


def test_the_holders_sms_of_a_qr_payment_names_the_merchant_once(
    api_client, staff, payer
):
    _merchant, token = staff
    card, shopper_token = payer
    qr = create(api_client, token).json()
    sent_before = OutboxMessage.objects.count()

    approve(api_client, qr["token"], shopper_token, card)
    approve(api_client, qr["token"], shopper_token, card)

    told = list(OutboxMessage.objects.order_by("pk")[sent_before:])
    assert [message.phone for message in told] == [card.phone]
    assert "옥류관" in told[0].body
    assert "12,000원" in told[0].body
    assert "38,000원" in told[0].body  # What is left to spend.


def test_a_refused_qr_payment_tells_nobody(api_client, staff, payer):
    _merchant, token = staff
    card, shopper_token = payer
    qr = create(api_client, token).json()
    sent_before = OutboxMessage.objects.count()

    refused = approve(api_client, qr["token"], shopper_token, card, pin="0000")

    assert refused.status_code == 403
    assert OutboxMessage.objects.count() == sent_before


def test_a_second_approval_with_another_key_is_refused_as_used(
    api_client, staff, payer
):
    _merchant, token = staff
    card, shopper_token = payer
    qr = create(api_client, token).json()
    approve(api_client, qr["token"], shopper_token, card, key="first")
    before = money_state()

    again = approve(api_client, qr["token"], shopper_token, card, key="second")
    svg = api_client.get(qr["svg_url"])

    assert_problem(again, status=409, code="qr_request_used")
    assert money_state() == before
    assert svg.status_code == 404


def test_an_expired_request_is_refused(api_client, staff, payer):
    _merchant, token = staff
    card, shopper_token = payer
    with time_machine.travel(START, tick=False) as traveller:
        qr = create(api_client, token).json()
        traveller.shift(dt.timedelta(minutes=10, seconds=1))
        before = money_state()

        response = approve(api_client, qr["token"], shopper_token, card)

    assert_problem(response, status=409, code="qr_request_expired")
    assert money_state() == before


def test_a_wrong_pin_is_refused_with_attempts_left_and_the_right_one_then_pays(
    api_client, staff, payer
):
    _merchant, token = staff
    card, shopper_token = payer
    qr = create(api_client, token).json()
    before = money_state()

    wrong = approve(api_client, qr["token"], shopper_token, card, pin="0000")
    after_wrong = money_state()
    right = approve(api_client, qr["token"], shopper_token, card)

    assert assert_problem(wrong, status=403, code="wrong_pin")["attempts_left"] == 2
    assert after_wrong == before
    assert right.status_code == 200
    assert balance(card) == 38_000


def test_a_blocked_locked_or_other_persons_card_cannot_pay(api_client, staff, payer):
    _merchant, token = staff
    card, shopper_token = payer
    other, _other_token = person_with_token(Role.SHOPPER)
    others_card = funded_card(other, 50_000)
    qr = create(api_client, token).json()
    bad_luhn = card.number[:-1] + str((int(card.number[-1]) + 1) % 10)
    before = money_state()

    not_mine = approve(api_client, qr["token"], shopper_token, others_card, key="a")
    malformed = post(
        api_client,
        f"/api/v1/qr-requests/{qr['token']}/approve",
        {"card": bad_luhn, "pin": PIN},
        shopper_token,
        HTTP_IDEMPOTENCY_KEY="b",
    )
    Card.objects.filter(pk=card.pk).update(status="blocked")
    blocked = approve(api_client, qr["token"], shopper_token, card, key="c")
    Card.objects.filter(pk=card.pk).update(status="active", pin_failed_attempts=3)
    locked = approve(api_client, qr["token"], shopper_token, card, key="d")

    assert_problem(not_mine, status=404, code="card_not_found")
    assert assert_problem(malformed, status=422, code="invalid")["field"] == "card"
    assert_problem(blocked, status=403, code="card_blocked")
    assert_problem(locked, status=403, code="card_locked")
    assert money_state()["accounts"] == before["accounts"]
    assert money_state()["transfers"] == before["transfers"]


def test_approving_needs_a_key_and_the_same_key_with_another_card_is_refused(
    api_client, staff, payer
):
    _merchant, token = staff
    card, shopper_token = payer
    second_card = funded_card(card.holder, 50_000)
    qr = create(api_client, token).json()
    before = money_state()

    missing = post(
        api_client,
        f"/api/v1/qr-requests/{qr['token']}/approve",
        {"card": card.number, "pin": PIN},
        shopper_token,
    )
    assert_problem(missing, status=400, code="idempotency_key_required")
    assert money_state() == before
    approve(api_client, qr["token"], shopper_token, card, key="k")
    paid = money_state()

    reused = approve(api_client, qr["token"], shopper_token, second_card, key="k")

    assert_problem(reused, status=422, code="idempotency_key_reused")
    assert money_state() == paid


def test_an_unknown_request_is_not_found(api_client, payer):
    card, shopper_token = payer

    response = approve(api_client, "no-such-token", shopper_token, card)

    assert_problem(response, status=404, code="qr_request_not_found")
