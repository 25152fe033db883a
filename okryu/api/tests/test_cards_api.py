"""The card routes: the holder or a teller reads the card and its statement; nobody else."""

import pytest
import time_machine
from django.test import Client

from okryu.accounts.models import Role
from okryu.api.tests.cards_support import funded_card, person_with_token
from okryu.api.tests.support import assert_problem, bearer
from okryu.payments import ledger

pytestmark = pytest.mark.django_db


def test_the_holder_reads_the_card_with_balance_and_available():
    holder, token = person_with_token(Role.SHOPPER)
    card = funded_card(holder, 12_000)
    response = Client().get(
        f"/api/v1/cards/{card.number}", HTTP_AUTHORIZATION=f"Bearer {token}"
    )

    assert response.status_code == 200
    assert response.json() == {
        "number": card.number,
        "holder": holder.username,
        "status": "active",
        "locked": False,
        "expires_on": card.expires_on.isoformat(),
        "balance": 12_000,
        "available": 12_000,
    }


def test_a_teller_reads_anyones_card(api_client):
    holder, _token = person_with_token(Role.SHOPPER)
    _teller, teller_token = person_with_token(Role.TELLER)
    card = funded_card(holder, 500)

    response = api_client.get(f"/api/v1/cards/{card.number}", **bearer(teller_token))

    assert response.status_code == 200
    assert response.json()["balance"] == 500


def test_another_persons_card_does_not_exist_for_a_shopper(api_client):
    holder, _token = person_with_token(Role.SHOPPER)
    _other, other_token = person_with_token(Role.SHOPPER)
    card = funded_card(holder, 500)

    card_response = api_client.get(
        f"/api/v1/cards/{card.number}", **bearer(other_token)
    )
    statement = api_client.get(
        f"/api/v1/cards/{card.number}/statement", **bearer(other_token)
    )
    unknown = api_client.get("/api/v1/cards/9410000000000013", **bearer(other_token))

    assert_problem(card_response, status=404, code="not_found")
    assert_problem(statement, status=404, code="not_found")
    assert_problem(unknown, status=404, code="not_found")
    assert card_response.json()["detail"] == unknown.json()["detail"]


def test_a_card_needs_a_token(api_client):
    holder, _token = person_with_token(Role.SHOPPER)
    card = funded_card(holder, 500)

    response = api_client.get(f"/api/v1/cards/{card.number}")

    assert_problem(response, status=401, code="unauthenticated")


def test_the_statement_lists_transfers_newest_first_in_pages(api_client):
    holder, token = person_with_token(Role.SHOPPER)
    card = funded_card(holder)
    with time_machine.travel("2026-05-01 09:00 +09:00", tick=False) as traveller:
        for number, amount in enumerate([100, 200, 300], start=1):
            ledger.top_up(
                card_number=card.number, amount_won=amount, transfer_id=f"st-{number}"
            )
            traveller.shift(60)

    first = api_client.get(
        f"/api/v1/cards/{card.number}/statement?page_size=2", **bearer(token)
    ).json()
    second = api_client.get(first["next"], **bearer(token)).json()

    assert first["count"] == 3
    assert [line["amount"] for line in first["items"]] == [300, 200]
    assert [line["amount"] for line in second["items"]] == [100]
    assert second["next"] is None
    assert first["items"][0]["direction"] == "in"
    assert first["items"][0]["id"] == "st-3"
    assert first["items"][0]["created_at"] > first["items"][1]["created_at"]
