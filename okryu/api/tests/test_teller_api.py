"""The bank counter routes: issue, top up (exactly once), block, unblock, reset a PIN."""

from typing import Any

import pytest
from django.test import Client

from okryu.accounts.models import Role
from okryu.api.tests.cards_support import (
    PIN,
    balance,
    funded_card,
    money_state,
    person_with_token,
)
from okryu.api.tests.support import assert_problem, bearer, make_person
from okryu.core.models import IdempotencyRecord
from okryu.notifications.models import OutboxMessage
from okryu.payments.counter_services import open_drawer
from okryu.payments.models import Card, CardStatus, Transfer

pytestmark = pytest.mark.django_db


@pytest.fixture
def teller_token():
    """A teller's token; the teller's drawer is open, as cash is taken only through one."""
    teller, token = person_with_token(Role.TELLER)
    open_drawer(teller=teller)
    return token


@pytest.fixture
def holder():
    return make_person(Role.SHOPPER, username="holder1")


def top_up_url(number: str) -> str:
    return f"/api/v1/teller/cards/{number}/topups"


def post(client: Client, url: str, body: object, token: str, **headers: str) -> Any:
    extra: dict[str, Any] = {**bearer(token), **headers}
    return client.post(url, body, content_type="application/json", **extra)


def test_a_teller_issues_a_card_with_a_zero_balance(api_client, teller_token, holder):
    response = post(
        api_client,
        "/api/v1/teller/cards",
        {"holder": "holder1", "phone": "191-234-5601", "pin": "1234"},
        teller_token,
    )

    assert response.status_code == 201
    body = response.json()
    card = Card.objects.get(number=body["number"])
    assert body == {"id": card.pk, "number": card.number, "balance": 0}
    assert card.holder == holder
    assert card.number.startswith("9410")
    assert "1234" not in card.pin_hash


def test_issuing_to_an_unknown_holder_or_with_a_bad_pin_is_refused(
    api_client, teller_token, holder
):
    unknown = post(
        api_client,
        "/api/v1/teller/cards",
        {"holder": "nobody", "phone": "191-234-5601", "pin": "1234"},
        teller_token,
    )
    bad_pin = post(
        api_client,
        "/api/v1/teller/cards",
        {"holder": "holder1", "phone": "191-234-5601", "pin": "12a"},
        teller_token,
    )

    assert assert_problem(unknown, status=422, code="invalid")["field"] == "holder"
    assert_problem(bad_pin, status=422, code="invalid")
    assert Card.objects.count() == 0


def test_a_shopper_may_not_use_the_counter(api_client, shopper_token, holder):
    card = funded_card(holder, 1000)
    before = money_state()

    issue = post(
        api_client,
        "/api/v1/teller/cards",
        {"holder": "holder1", "phone": "191-234-5601", "pin": "1234"},
        shopper_token,
    )
    top_up = post(
        api_client,
        top_up_url(card.number),
        {"amount": 500},
        shopper_token,
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    block = post(
        api_client, f"/api/v1/teller/cards/{card.number}/block", {}, shopper_token
    )

    assert_problem(issue, status=403, code="forbidden")
    assert_problem(top_up, status=403, code="forbidden")
    assert_problem(block, status=403, code="forbidden")
    assert money_state() == before


def test_a_top_up_credits_the_card_and_texts_the_holder(
    api_client, teller_token, holder
):
    card = funded_card(holder, 1000)
    sms_before = OutboxMessage.objects.count()

    response = post(
        api_client,
        top_up_url(card.number),
        {"amount": 50_000},
        teller_token,
        HTTP_IDEMPOTENCY_KEY="top-up-1",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["balance"] == 51_000
    assert body["available"] == 51_000
    assert body["amount"] == 50_000
    assert balance(card) == 51_000
    assert OutboxMessage.objects.count() == sms_before + 1


def test_twenty_repeats_of_a_top_up_pay_in_once(api_client, teller_token, holder):
    card = funded_card(holder)

    responses = [
        post(
            api_client,
            top_up_url(card.number),
            {"amount": 7000},
            teller_token,
            HTTP_IDEMPOTENCY_KEY="same-key",
        )
        for _ in range(20)
    ]

    assert {r.status_code for r in responses} == {201}
    assert all(r.json() == responses[0].json() for r in responses)
    assert all(r["Idempotent-Replayed"] == "true" for r in responses[1:])
    assert balance(card) == 7000
    assert (
        Transfer.objects.filter(credit_account_id=card.ledger_account_id).count() == 1
    )


def test_the_same_key_with_another_amount_is_refused(api_client, teller_token, holder):
    card = funded_card(holder)
    post(
        api_client,
        top_up_url(card.number),
        {"amount": 7000},
        teller_token,
        HTTP_IDEMPOTENCY_KEY="k",
    )
    before = money_state()

    response = post(
        api_client,
        top_up_url(card.number),
        {"amount": 8000},
        teller_token,
        HTTP_IDEMPOTENCY_KEY="k",
    )

    assert_problem(response, status=422, code="idempotency_key_reused")
    assert money_state() == before


def test_a_top_up_without_a_key_is_refused(api_client, teller_token, holder):
    card = funded_card(holder)
    before = money_state()

    response = post(api_client, top_up_url(card.number), {"amount": 7000}, teller_token)

    assert_problem(response, status=400, code="idempotency_key_required")
    assert money_state() == before
    assert IdempotencyRecord.objects.count() == 0


@pytest.mark.parametrize(
    "amount", [0, -5000, 1.5, "1000", True, 1_000_000_000_000_000, None]
)
def test_a_bad_amount_is_refused_and_changes_nothing(
    api_client, teller_token, holder, amount
):
    card = funded_card(holder, 1000)
    before = money_state()

    response = post(
        api_client,
        top_up_url(card.number),
        {"amount": amount},
        teller_token,
        HTTP_IDEMPOTENCY_KEY="bad",
    )

    body = assert_problem(response, status=422, code="invalid")
    assert "amount" in body["detail"] or body.get("field") == "amount"
    assert money_state() == before


def test_a_malformed_or_unknown_card_number_is_refused(
    api_client, teller_token, holder
):
    card = funded_card(holder, 1000)
    bad_luhn = card.number[:-1] + str((int(card.number[-1]) + 1) % 10)
    before = money_state()

    malformed = post(
        api_client,
        top_up_url(bad_luhn),
        {"amount": 100},
        teller_token,
        HTTP_IDEMPOTENCY_KEY="a",
    )
    unknown = post(
        api_client,
        top_up_url("9410000000000013"),
        {"amount": 100},
        teller_token,
        HTTP_IDEMPOTENCY_KEY="b",
    )

    assert assert_problem(malformed, status=422, code="invalid")["field"] == (
        "card_number"
    )
    assert_problem(unknown, status=404, code="card_not_found")
    assert money_state() == before


def test_block_and_unblock_a_card(api_client, teller_token, holder):
    card = funded_card(holder, 1000)

    blocked = post(
        api_client,
        f"/api/v1/teller/cards/{card.number}/block",
        {"reason": "stolen"},
        teller_token,
    )
    unblocked = post(
        api_client, f"/api/v1/teller/cards/{card.number}/unblock", {}, teller_token
    )

    assert blocked.status_code == 200
    assert blocked.json()["status"] == "blocked"
    assert unblocked.status_code == 200
    assert unblocked.json()["status"] == "active"
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE


def test_a_cloned_card_stays_blocked(api_client, teller_token, holder):
    card = funded_card(holder, 1000)
    post(
        api_client,
        f"/api/v1/teller/cards/{card.number}/block",
        {"reason": "cloned"},
        teller_token,
    )

    response = post(
        api_client, f"/api/v1/teller/cards/{card.number}/unblock", {}, teller_token
    )

    assert_problem(response, status=403, code="card_blocked")
    card.refresh_from_db()
    assert card.status == CardStatus.BLOCKED


def test_a_pin_reset_unlocks_the_card_and_the_new_pin_works(
    api_client, teller_token, holder
):
    card = funded_card(holder, 1000)
    Card.objects.filter(pk=card.pk).update(pin_failed_attempts=3)

    response = post(
        api_client,
        f"/api/v1/teller/cards/{card.number}/pin",
        {"pin": "9876"},
        teller_token,
        HTTP_IDEMPOTENCY_KEY="pin-1",
    )

    assert response.status_code == 200
    assert response.json()["locked"] is False
    card.refresh_from_db()
    assert card.pin_failed_attempts == 0
    record = IdempotencyRecord.objects.get(key="pin-1")
    # The card number is random and may itself contain the PIN's digits: leave it out.
    stored = str(record.response_body).replace(card.number, "<card>")
    assert "9876" not in stored
    assert PIN not in stored
