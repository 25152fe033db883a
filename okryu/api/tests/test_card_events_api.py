"""A card's journal over the API: the holder, tellers and supervisors read who did what to it.

Anyone else gets the card's own answer, 404 ``not_found``, as for a number nobody holds.
"""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from okryu.accounts.models import Role, User
from okryu.api.tests.cards_support import funded_card, person_with_token
from okryu.api.tests.support import assert_problem, bearer
from okryu.payments.counter_services import (
    block_card_at_counter,
    unblock_card_at_counter,
)
from okryu.payments.models import Card, CardEvent

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)


def events_url(card: Card) -> str:
    return f"/api/v1/cards/{card.number}/events"


def post(client: Client, url: str, body: object, token: str, key: str) -> Any:
    extra: dict[str, Any] = {**bearer(token), "HTTP_IDEMPOTENCY_KEY": key}
    return client.post(url, body, content_type="application/json", **extra)


@pytest.fixture
def holder() -> tuple[User, str]:
    return person_with_token(Role.SHOPPER)


@pytest.fixture
def teller() -> tuple[User, str]:
    return person_with_token(Role.TELLER)


@pytest.fixture
def clerk() -> User:
    """The teller who blocked and unblocked ``card``."""
    return person_with_token(Role.TELLER)[0]


@pytest.fixture
def card(holder: tuple[User, str], clerk: User) -> Card:
    """A card issued on ``DAY`` (outside the counter), blocked and unblocked by a teller."""
    with time_machine.travel(DAY, tick=False) as traveller:
        issued = funded_card(holder[0])
        traveller.shift(dt.timedelta(minutes=5))
        block_card_at_counter(teller=clerk, card_number=issued.number, reason="lost")
        traveller.shift(dt.timedelta(minutes=5))
        unblock_card_at_counter(teller=clerk, card_number=issued.number)
    return issued


def test_the_holder_reads_the_journal_newest_first_with_who_did_it(
    api_client, holder, clerk, card
):
    response = api_client.get(events_url(card), **bearer(holder[1]))

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "kind": "unblocked",
                "at": "2026-05-01T09:10:00Z",
                "actor": clerk.username,
                "reason": "",
            },
            {
                "kind": "blocked",
                "at": "2026-05-01T09:05:00Z",
                "actor": clerk.username,
                "reason": "lost",
            },
            {
                "kind": "issued",
                "at": "2026-05-01T09:00:00Z",
                "actor": None,
                "reason": "",
            },
        ],
        "next": None,
        "count": 3,
    }


def test_a_pin_reset_at_the_counter_shows_in_the_journal_naming_the_teller(
    api_client, holder, teller, card
):
    reset = post(
        api_client,
        f"/api/v1/teller/cards/{card.number}/pin",
        {"pin": "9876"},
        teller[1],
        key="pin-1",
    )
    response = api_client.get(events_url(card), **bearer(holder[1]))

    assert reset.status_code == 200
    newest = response.json()["items"][0]
    assert (newest["kind"], newest["actor"], newest["reason"]) == (
        "pin_reset",
        teller[0].username,
        "",
    )


def test_a_card_issued_at_the_counter_is_journalled_as_issued_by_the_teller(
    api_client, holder, teller
):
    issued = post(
        api_client,
        "/api/v1/teller/cards",
        {"holder": holder[0].username, "phone": "191-234-5601", "pin": "1234"},
        teller[1],
        key="issue-1",
    )
    card = Card.objects.get(number=issued.json()["number"])

    response = api_client.get(events_url(card), **bearer(teller[1]))

    assert [
        (item["kind"], item["actor"], item["reason"])
        for item in response.json()["items"]
    ] == [("issued", teller[0].username, "")]


def test_a_pin_reset_refused_on_the_tellers_own_card_leaves_no_line(api_client, teller):
    own = funded_card(teller[0])
    before = CardEvent.objects.count()

    response = post(
        api_client,
        f"/api/v1/teller/cards/{own.number}/pin",
        {"pin": "9876"},
        teller[1],
        key="pin-own",
    )

    assert_problem(response, status=403, code="own_card")
    assert CardEvent.objects.count() == before


@pytest.mark.parametrize("role", [Role.TELLER, Role.SUPERVISOR], ids=str)
def test_bank_staff_read_anyones_journal(api_client, card, role):
    _person, token = person_with_token(role)

    response = api_client.get(events_url(card), **bearer(token))

    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_another_shoppers_journal_does_not_exist_for_a_shopper_as_the_card_does_not(
    api_client, card
):
    _other, token = person_with_token(Role.SHOPPER)

    the_card = api_client.get(f"/api/v1/cards/{card.number}", **bearer(token))
    journal = api_client.get(events_url(card), **bearer(token))
    unknown = api_client.get("/api/v1/cards/9410000000000013/events", **bearer(token))

    assert_problem(the_card, status=404, code="not_found")
    assert_problem(journal, status=404, code="not_found")
    assert_problem(unknown, status=404, code="not_found")
    assert journal.json()["detail"] == the_card.json()["detail"]


def test_the_journal_needs_a_token(api_client, card):
    response = api_client.get(events_url(card))

    assert_problem(response, status=401, code="unauthenticated")


def test_the_journal_is_paginated_like_every_list(api_client, holder, card):
    first = api_client.get(events_url(card), {"page_size": 2}, **bearer(holder[1]))
    second = api_client.get(first.json()["next"], **bearer(holder[1]))
    too_large = api_client.get(
        events_url(card), {"page_size": 101}, **bearer(holder[1])
    )

    assert [item["kind"] for item in first.json()["items"]] == ["unblocked", "blocked"]
    assert first.json()["count"] == 3
    assert first.json()["next"] == (
        f"http://testserver{events_url(card)}?page_size=2&page=2"
    )
    assert [item["kind"] for item in second.json()["items"]] == ["issued"]
    assert second.json()["next"] is None
    body = assert_problem(too_large, status=422, code="invalid")
    assert body["field"] == "page_size"
