"""The bank counter's controls through the API: four eyes, limits, own cards, drawers, audit.

Every refusal is problem+json with its stable code and changes nothing: balances, holds,
transfers, top-ups and drawers are compared before and after.
"""

from typing import Any

import pytest
from django.test import Client, override_settings

from okryu.accounts.models import Role
from okryu.api.tests.cards_support import PIN, balance, funded_card, person_with_token
from okryu.api.tests.support import assert_problem, bearer, make_person
from okryu.payments import ledger
from okryu.payments.counter_services import open_drawer
from okryu.payments.models import Card, CounterTopUp
from okryu.payments.tests.counter_controls_support import counter_state

pytestmark = pytest.mark.django_db

LARGE_WON = 3_000_000
_keys = iter(range(1, 10_000))


@pytest.fixture
def teller():
    user, token = person_with_token(Role.TELLER)
    open_drawer(teller=user)
    return user, token


@pytest.fixture
def supervisor_token():
    return person_with_token(Role.SUPERVISOR)[1]


@pytest.fixture
def card():
    return funded_card(make_person(Role.SHOPPER, username="holder1"))


def post(
    client: Client, url: str, body: object, token: str, *, key: bool = True
) -> Any:
    headers: dict[str, Any] = bearer(token)
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = f"key-{next(_keys)}"
    return client.post(url, body, content_type="application/json", **headers)


def top_up(client: Client, number: str, amount: int, token: str) -> Any:
    return post(
        client, f"/api/v1/teller/cards/{number}/topups", {"amount": amount}, token
    )


def refused(response_of, *, status: int, code: str) -> dict[str, Any]:
    before = counter_state()
    body = assert_problem(response_of(), status=status, code=code)
    assert counter_state() == before
    return body


def audit(client: Any) -> Any:
    token = person_with_token(Role.OPERATOR)[1]
    response = client.get("/api/v1/ops/audit", **bearer(token))
    assert response.status_code == 200
    return response.json()["counter"]


def test_a_large_top_up_is_202_pending_and_the_balance_does_not_move(
    api_client, teller, card
):
    response = top_up(api_client, card.number, LARGE_WON, teller[1])

    assert response.status_code == 202
    body = response.json()
    assert body == {"id": body["id"], "status": "pending_approval", "amount": LARGE_WON}
    assert balance(card) == 0
    listed = api_client.get("/api/v1/teller/topups", **bearer(teller[1])).json()
    assert [(each["id"], each["teller"]) for each in listed] == [
        (body["id"], teller[0].username)
    ]


def test_a_supervisor_approves_it_and_gets_the_new_balance(
    api_client, teller, supervisor_token, card
):
    pending = top_up(api_client, card.number, LARGE_WON, teller[1]).json()

    response = post(
        api_client,
        f"/api/v1/teller/topups/{pending['id']}/approve",
        {},
        supervisor_token,
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["amount"], body["balance"]) == (
        "approved",
        LARGE_WON,
        LARGE_WON,
    )
    assert balance(card) == LARGE_WON
    refused(
        lambda: post(
            api_client,
            f"/api/v1/teller/topups/{pending['id']}/reject",
            {},
            supervisor_token,
        ),
        status=409,
        code="already_decided",
    )
    assert audit(api_client) == {
        "topups_over_threshold_without_approval": 0,
        "drawers_not_matching_ledger": 0,
        "drawers_with_difference": 0,
    }


def test_the_requester_approving_is_403_same_person(api_client, card):
    both, token = person_with_token(Role.TELLER, Role.SUPERVISOR)
    open_drawer(teller=both)
    pending = top_up(api_client, card.number, LARGE_WON, token).json()

    refused(
        lambda: post(
            api_client, f"/api/v1/teller/topups/{pending['id']}/approve", {}, token
        ),
        status=403,
        code="same_person",
    )


def test_a_teller_may_not_approve(api_client, teller, card):
    pending = top_up(api_client, card.number, LARGE_WON, teller[1]).json()
    other_teller = person_with_token(Role.TELLER)[1]

    refused(
        lambda: post(
            api_client,
            f"/api/v1/teller/topups/{pending['id']}/approve",
            {},
            other_teller,
        ),
        status=403,
        code="forbidden",
    )


def test_a_rejection_books_nothing(api_client, teller, supervisor_token, card):
    pending = top_up(api_client, card.number, LARGE_WON, teller[1]).json()

    response = post(
        api_client,
        f"/api/v1/teller/topups/{pending['id']}/reject",
        {"reason": "신분증 없음"},
        supervisor_token,
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["rejection_reason"]) == (
        "rejected",
        "신분증 없음",
    )
    assert balance(card) == 0


def test_an_unknown_top_up_is_404(api_client, supervisor_token):
    refused(
        lambda: post(
            api_client, "/api/v1/teller/topups/999/approve", {}, supervisor_token
        ),
        status=404,
        code="topup_not_found",
    )


def test_a_top_up_over_the_maximum_is_422_topup_too_large(api_client, teller, card):
    body = refused(
        lambda: top_up(api_client, card.number, 10_000_000_000, teller[1]),
        status=422,
        code="topup_too_large",
    )
    assert (body["field"], body["maximum"]) == ("amount", 10_000_000)


@override_settings(OKRYU_TELLER_DAILY_WON=5_000_000)
def test_cash_past_the_tellers_day_is_409_teller_limit(api_client, teller, card):
    assert top_up(api_client, card.number, 1_000_000, teller[1]).status_code == 201
    assert top_up(api_client, card.number, 4_000_000, teller[1]).status_code == 202

    body = refused(
        lambda: top_up(api_client, card.number, 1, teller[1]),
        status=409,
        code="teller_limit",
    )
    assert (body["taken_today"], body["limit"]) == (5_000_000, 5_000_000)


def test_every_teller_call_on_a_card_the_teller_holds_is_403_own_card(
    api_client, teller
):
    user, token = teller
    own = funded_card(user)
    base = f"/api/v1/teller/cards/{own.number}"
    calls = [
        lambda: top_up(api_client, own.number, 1_000, token),
        lambda: post(api_client, f"{base}/block", {"reason": "lost"}, token),
        lambda: post(api_client, f"{base}/unblock", {}, token),
        lambda: post(api_client, f"{base}/pin", {"pin": "9999"}, token),
        lambda: post(
            api_client,
            "/api/v1/teller/cards",
            {
                "holder": user.username,
                "phone": "191-234-5601",
                "pin": PIN,
                "reason": "x",
            },
            token,
        ),
    ]
    for call in calls:
        refused(call, status=403, code="own_card")


def test_a_second_card_is_409_second_card_until_a_reason_is_given(
    api_client, teller, card
):
    body = {"holder": "holder1", "phone": "191-234-5601", "pin": PIN}

    problem = refused(
        lambda: post(api_client, "/api/v1/teller/cards", body, teller[1]),
        status=409,
        code="second_card",
    )
    assert (problem["card"], problem["field"]) == (card.masked_number, "reason")

    response = post(
        api_client, "/api/v1/teller/cards", {**body, "reason": "분실 재발급"}, teller[1]
    )
    assert response.status_code == 201
    assert Card.objects.get(number=response.json()["number"]).issue_reason == (
        "분실 재발급"
    )


def test_no_cash_without_an_open_drawer_and_the_day_closes_with_its_count(
    api_client, supervisor_token, card
):
    user, token = person_with_token(Role.TELLER)
    refused(
        lambda: top_up(api_client, card.number, 1_000, token),
        status=409,
        code="drawer_closed",
    )
    assert api_client.get("/api/v1/teller/drawer", **bearer(token)).status_code == 404
    opened = post(api_client, "/api/v1/teller/drawer/open", {}, token)
    assert (opened.status_code, opened.json()["status"]) == (200, "open")
    assert top_up(api_client, card.number, 50_000, token).status_code == 201

    refused(
        lambda: post(
            api_client, "/api/v1/teller/drawer/close", {"counted": 40_000}, token
        ),
        status=422,
        code="invalid",
    )
    closed = post(
        api_client,
        "/api/v1/teller/drawer/close",
        {"counted": 40_000, "note": "1만 원 권 한 장 모자람"},
        token,
    )

    assert closed.status_code == 200, closed.content
    drawer = closed.json()
    assert (drawer["ledger"], drawer["counted"], drawer["difference"]) == (
        50_000,
        40_000,
        -10_000,
    )
    listed = api_client.get("/api/v1/supervisor/drawers", **bearer(supervisor_token))
    assert [(each["teller"], each["difference"]) for each in listed.json()] == [
        (user.username, -10_000)
    ]
    assert audit(api_client)["drawers_with_difference"] == 1
    assert audit(api_client)["drawers_not_matching_ledger"] == 0


def test_a_drawer_with_cash_awaiting_approval_cannot_close(api_client, teller, card):
    top_up(api_client, card.number, LARGE_WON, teller[1])

    refused(
        lambda: post(
            api_client, "/api/v1/teller/drawer/close", {"counted": LARGE_WON}, teller[1]
        ),
        status=409,
        code="approvals_pending",
    )


def test_the_drawers_list_is_the_supervisors_and_the_queue_is_no_shoppers(
    api_client, teller
):
    shopper = person_with_token(Role.SHOPPER)[1]
    response = api_client.get("/api/v1/supervisor/drawers", **bearer(teller[1]))
    assert_problem(response, status=403, code="forbidden")
    response = api_client.get("/api/v1/teller/topups", **bearer(shopper))
    assert_problem(response, status=403, code="forbidden")


def test_the_audit_counts_ten_billion_won_minted_without_approval(api_client, card):
    for index in range(2):
        ledger.top_up(
            card_number=card.number,
            amount_won=10_000_000_000,
            transfer_id=f"minted-{index}",
        )

    assert audit(api_client)["topups_over_threshold_without_approval"] == 2


def test_the_openapi_schema_names_the_counters_routes(api_client):
    paths = api_client.get("/api/v1/openapi.json").json()["paths"]

    for path in (
        "/api/v1/teller/topups",
        "/api/v1/teller/topups/{top_up_id}/approve",
        "/api/v1/teller/topups/{top_up_id}/reject",
        "/api/v1/teller/drawer",
        "/api/v1/teller/drawer/open",
        "/api/v1/teller/drawer/close",
        "/api/v1/supervisor/drawers",
    ):
        assert path in paths, path
    top_ups = paths["/api/v1/teller/cards/{number}/topups"]["post"]["responses"]
    assert {"201", "202"} <= set(top_ups)


def test_an_approved_top_up_leaves_counter_rows_consistent(
    api_client, teller, supervisor_token, card
):
    pending = top_up(api_client, card.number, LARGE_WON, teller[1]).json()
    post(
        api_client,
        f"/api/v1/teller/topups/{pending['id']}/approve",
        {},
        supervisor_token,
    )

    row = CounterTopUp.objects.get(pk=pending["id"])
    assert row.transfer is not None
    assert row.transfer.amount_won == LARGE_WON
