"""Who may order by door, over the API: a verified phone (a real SMS code flow), at most two
open door orders; each refusal is problem+json with its code and changes nothing."""

import pytest

from okryu.api.tests.support import assert_problem, bearer
from okryu.api.tokens import issue_token
from okryu.notifications.gateways import RecordingGateway
from okryu.notifications.outbox import send_pending_sms
from okryu.orders.tests.builders import (
    make_merchant,
    make_product,
    make_shopper,
    near_district,
    snapshot,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    merchant, _staff = make_merchant()
    return make_product(merchant, stock=10, price_won=2_000)


def _order(client, shopper, product, key: str):
    return client.post(
        "/api/v1/orders",
        {
            "lines": [{"product": product.pk, "quantity": 1}],
            "address": {"district": near_district().pk, "detail": "3-201"},
            "payment": "door",
        },
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
        **bearer(issue_token(user=shopper).token),
    )


def _code_on_the_phone(phone: str) -> str:
    gateway = RecordingGateway()
    send_pending_sms(gateway=gateway, batch_size=50)
    body = [sms.body for sms in gateway.sent if sms.phone == phone][-1]
    return next(word[:6] for word in body.split() if word[:6].isdigit())


def test_an_unverified_phone_is_verified_by_the_sms_code_then_the_door_order_goes_through(
    api_client, product
):
    shopper, _card = make_shopper(phone_verified=False)
    auth = bearer(issue_token(user=shopper).token)
    before = snapshot()

    refused = _order(api_client, shopper, product, "first")
    after_refusal = snapshot()
    state = api_client.get("/api/v1/me/phone", **auth)
    sent = api_client.post("/api/v1/me/phone/code", **auth)
    code = _code_on_the_phone(shopper.phone)
    wrong = api_client.post(
        "/api/v1/me/phone/verify",
        {"code": f"{(int(code) + 1) % 1_000_000:06d}"},
        content_type="application/json",
        **auth,
    )
    bad_shape = api_client.post(
        "/api/v1/me/phone/verify",
        {"code": "12"},
        content_type="application/json",
        **auth,
    )
    verified = api_client.post(
        "/api/v1/me/phone/verify",
        {"code": code},
        content_type="application/json",
        **auth,
    )
    placed = _order(api_client, shopper, product, "second")

    assert_problem(refused, status=403, code="phone_not_verified")
    assert after_refusal == before
    assert state.json() == {"phone": shopper.phone, "verified": False}
    assert sent.status_code == 202, sent.content
    assert assert_problem(wrong, status=422, code="wrong_code")["attempts_left"] == 4
    assert_problem(bad_shape, status=422, code="invalid")
    assert verified.json()["verified"] is True
    assert placed.status_code == 201, placed.content


def test_sending_codes_is_rate_limited_per_account(api_client, settings):
    settings.OKRYU_RATE_LIMITS = {
        **settings.OKRYU_RATE_LIMITS,
        "phone_code_account": (2, 3600),
    }
    shopper, _card = make_shopper(phone_verified=False)
    auth = bearer(issue_token(user=shopper).token)

    answers = [api_client.post("/api/v1/me/phone/code", **auth) for _ in range(3)]

    assert [answer.status_code for answer in answers[:2]] == [202, 202]
    assert_problem(answers[2], status=429, code="rate_limited")


def test_a_third_open_door_order_is_refused_with_too_many_door_orders(
    api_client, product
):
    shopper, _card = make_shopper()
    first = _order(api_client, shopper, product, "one")
    second = _order(api_client, shopper, product, "two")
    before = snapshot()

    third = _order(api_client, shopper, product, "three")

    assert (first.status_code, second.status_code) == (201, 201)
    body = assert_problem(third, status=409, code="too_many_door_orders")
    assert body["limit"] == 2
    assert snapshot() == before
