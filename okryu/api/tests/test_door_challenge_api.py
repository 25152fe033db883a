"""Door payments bound to their parcel, over the API: the terminal reads the fulfilment's
challenge, a record made for another parcel is 409 ``challenge_mismatch``; losses at the door
are listed for the supervisor and cleared by an operator."""

from dataclasses import replace
from typing import Any

import pytest

from okryu.accounts.models import Role
from okryu.api.tests.support import assert_problem, bearer
from okryu.api.tests.test_terminal_api import carried_by
from okryu.api.tokens import issue_token
from okryu.orders.audit import audit_orders
from okryu.orders.models import DoorLoss, DoorPayment
from okryu.orders.tests.builders import make_user_with_role, snapshot
from okryu.orders.tests.door_support import (
    DUE_WON,
    DoorWorld,
    make_door_world,
    signed_record,
)
from okryu.payments.audit import audit_ledger
from okryu.payments.rules import ChipRecord

pytestmark = pytest.mark.django_db

PAYMENTS_URL = "/api/v1/terminal/payments"


def _due(client, world: DoorWorld) -> dict[str, Any]:
    response = client.get(
        f"/api/v1/terminal/fulfilments/{world.fulfilment.pk}",
        **bearer(issue_token(user=world.courier).token),
    )
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def _post(client, world: DoorWorld, fulfilment_id: int, record: ChipRecord, key: str):
    body = {
        "fulfilment": fulfilment_id,
        "card": record.card_number,
        "amount": record.amount_won,
        "counter": record.counter,
        "challenge": record.challenge,
        "mac": record.mac,
        "offline": False,
    }
    return client.post(
        PAYMENTS_URL,
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
        **bearer(issue_token(user=world.courier).token),
    )


def test_a_record_made_at_one_door_is_refused_for_another_parcel_of_the_same_amount(
    api_client,
):
    ready = make_door_world(send=False)
    parcel_a = carried_by(ready, ready.courier)
    parcel_b = replace(
        carried_by(make_door_world(send=False), ready.courier), courier=ready.courier
    )
    due_a, due_b = _due(api_client, parcel_a), _due(api_client, parcel_b)
    record = signed_record(
        parcel_a.chip,
        fulfilment_id=parcel_a.fulfilment.pk,
        challenge=due_a["challenge"],
        payee_account_id=due_a["payee_account"],
    )
    before = snapshot()

    at_b = _post(api_client, parcel_a, parcel_b.fulfilment.pk, record, key="b")
    after_refusal = snapshot()
    at_a = _post(api_client, parcel_a, parcel_a.fulfilment.pk, record, key="a")
    replay = _post(api_client, parcel_a, parcel_a.fulfilment.pk, record, key="a2")

    assert due_a["amount_due"] == due_b["amount_due"] == DUE_WON
    assert due_a["challenge"] != due_b["challenge"]
    assert due_a["payee_account"] != due_b["payee_account"]  # each parcel's merchant
    assert_problem(at_b, status=409, code="challenge_mismatch")
    assert after_refusal == before
    assert at_a.status_code == 201, at_a.content
    assert_problem(replay, status=409, code="chip_replay")
    assert list(DoorPayment.objects.values_list("fulfilment_id", flat=True)) == [
        parcel_a.fulfilment.pk
    ]
    assert _due(api_client, parcel_a)["challenge"] is None  # nothing due any more
    assert audit_orders().violations == 0
    assert audit_ledger().violations == 0


def test_the_supervisor_lists_losses_at_the_door_and_an_operator_clears_one(
    api_client,
):
    ready = make_door_world(balance_won=DUE_WON - 1, send=False)
    world = carried_by(ready, ready.courier)
    due = _due(api_client, world)
    record = world.terminal.take_payment(
        world.chip, amount_won=DUE_WON, online=False, challenge=due["challenge"]
    )
    upload = {
        "fulfilment": world.fulfilment.pk,
        "card": record.card_number,
        "amount": record.amount_won,
        "counter": record.counter,
        "challenge": record.challenge,
        "mac": record.mac,
        "offline": True,
    }
    refused = api_client.post(
        PAYMENTS_URL,
        upload,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="upload",
        **bearer(issue_token(user=world.courier).token),
    )
    supervisor = bearer(issue_token(user=make_user_with_role(Role.SUPERVISOR)).token)
    operator = bearer(issue_token(user=make_user_with_role(Role.OPERATOR)).token)
    loss_id = DoorLoss.objects.get().pk

    listed = api_client.get("/api/v1/supervisor/door-losses?open=true", **supervisor)
    as_courier = api_client.get(
        "/api/v1/supervisor/door-losses",
        **bearer(issue_token(user=world.courier).token),
    )
    by_supervisor = api_client.post(
        f"/api/v1/ops/door-losses/{loss_id}/clear",
        {"note": "paid"},
        content_type="application/json",
        **supervisor,
    )
    blank = api_client.post(
        f"/api/v1/ops/door-losses/{loss_id}/clear",
        {"note": ""},
        content_type="application/json",
        **operator,
    )
    cleared = api_client.post(
        f"/api/v1/ops/door-losses/{loss_id}/clear",
        {"note": "카운터에서 갚음"},
        content_type="application/json",
        **operator,
    )
    open_after = api_client.get("/api/v1/supervisor/door-losses?open=true", **operator)

    body = assert_problem(refused, status=402, code="insufficient_funds")
    assert body["unpaid_recorded"] is True
    assert listed.status_code == 200, listed.content
    [item] = listed.json()["items"]
    assert (item["amount"], item["card_status"], item["cleared_at"]) == (
        DUE_WON,
        "blocked",
        None,
    )
    assert item["order_number"] == world.fulfilment.order.number
    assert_problem(as_courier, status=403, code="forbidden")
    assert_problem(by_supervisor, status=403, code="forbidden")
    assert_problem(blank, status=422, code="invalid")
    assert cleared.status_code == 200, cleared.content
    assert cleared.json()["clearing_note"] == "카운터에서 갚음"
    assert open_after.json()["count"] == 0
    assert audit_orders().violations == 0
    assert audit_ledger().violations == 0
