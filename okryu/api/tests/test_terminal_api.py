"""The courier's terminal routes and checkout paid at the door, over the test client."""

from dataclasses import replace
from typing import Any

import pytest
from django.db import transaction

from okryu.accounts.models import Role, User
from okryu.api.tests.support import assert_problem, bearer
from okryu.api.tokens import issue_token
from okryu.delivery.models import Courier
from okryu.delivery.services import (
    assign_job,
    open_job,
    pick_up_job,
    register_courier,
    start_duty,
)
from okryu.orders.audit import audit_orders
from okryu.orders.models import DoorPayment, Fulfilment, Order
from okryu.orders.services.door import door_payee_account_id
from okryu.orders.tests.builders import (
    account_of,
    make_user_with_role,
    near_district,
    snapshot,
)
from okryu.orders.tests.door_support import (
    DUE_WON,
    DoorWorld,
    challenge_of,
    make_door_world,
    signed_record,
)
from okryu.payments.audit import audit_ledger
from okryu.payments.chip import SoftwareCard
from okryu.payments.models import Card, CardStatus, Transfer, TransferKind
from okryu.payments.rules import ChipRecord

pytestmark = pytest.mark.django_db

PAYMENTS_URL = "/api/v1/terminal/payments"


def carried_by(world: DoorWorld, courier: User) -> DoorWorld:
    """Bring ``world``'s ready fulfilment onto ``courier``'s route, picked up.

    The terminal takes payment only for a parcel the courier carries.
    """
    if not Courier.objects.filter(user=courier).exists():
        register_courier(
            user_id=courier.pk,
            vehicle="van",
            capacity_grams=800_000,
            district_id=world.merchant.district_id,
        )
        start_duty(courier_user_id=courier.pk)
    with transaction.atomic():
        job = open_job(fulfilment_id=world.fulfilment.pk)
    assign_job(
        operator_user_id=make_user_with_role(Role.OPERATOR).pk,
        job_id=job.pk,
        courier_id=Courier.objects.get(user=courier).pk,
    )
    pick_up_job(courier_user_id=courier.pk, job_id=job.pk)
    return replace(world, fulfilment=Fulfilment.objects.get(pk=world.fulfilment.pk))


@pytest.fixture
def world() -> DoorWorld:
    ready = make_door_world(send=False)
    return carried_by(ready, ready.courier)


def _body(
    world: DoorWorld, record: ChipRecord, *, offline: bool = False
) -> dict[str, Any]:
    return {
        "fulfilment": world.fulfilment.pk,
        "card": record.card_number,
        "amount": record.amount_won,
        "counter": record.counter,
        "challenge": record.challenge,
        "mac": record.mac,
        "offline": offline,
    }


def _post(client, world: DoorWorld, body: dict[str, Any], *, key: str | None = "k"):
    headers = bearer(issue_token(user=world.courier).token)
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(PAYMENTS_URL, body, content_type="application/json", **headers)


def _audits_clean() -> None:
    assert audit_orders().violations == 0
    assert audit_ledger().violations == 0


def test_the_terminal_reads_what_is_due_and_whom_the_card_pays(api_client, world):
    response = api_client.get(
        f"/api/v1/terminal/fulfilments/{world.fulfilment.pk}",
        **bearer(issue_token(user=world.courier).token),
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["amount_due"] == DUE_WON
    assert body["payee_account"] == door_payee_account_id(world.fulfilment.pk)
    world.merchant.refresh_from_db()
    assert body["payee_account"] == world.merchant.ledger_account_id  # not one for all
    assert len(body["challenge"]) == 32
    again = api_client.get(
        f"/api/v1/terminal/fulfilments/{world.fulfilment.pk}",
        **bearer(issue_token(user=world.courier).token),
    )
    assert again.json()["challenge"] == body["challenge"]  # until used or expired
    assert body["offline_floor_limit"] == 50_000
    assert body["payment"] is None


def test_an_online_record_is_accepted_and_the_same_key_answers_the_same(
    api_client, world
):
    body = _body(world, signed_record(world.chip, fulfilment_id=world.fulfilment.pk))

    first = _post(api_client, world, body)
    again = _post(api_client, world, body)

    assert first.status_code == 201, first.content
    assert first.json()["status"] == "accepted"
    assert first.json()["amount"] == DUE_WON
    assert again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert account_of(world.card.ledger_account_id) == (20_000 - DUE_WON, 0)
    assert (
        Transfer.objects.filter(kind=TransferKind.SINGLE, amount_won=DUE_WON).count()
        == 1
    )
    _audits_clean()


def test_an_offline_record_uploaded_later_is_accepted_once(api_client, world):
    record = world.terminal.take_payment(
        world.chip,
        amount_won=DUE_WON,
        online=False,
        challenge=challenge_of(world.fulfilment.pk),
    )
    body = _body(world, record, offline=True)

    first = _post(api_client, world, body, key="upload")
    again = _post(api_client, world, body, key="upload")
    other = _post(api_client, world, body, key="upload-2")

    assert first.status_code == 201, first.content
    assert first.json()["offline"] is True
    assert again.content == first.content
    assert_problem(other, status=409, code="chip_replay")
    assert DoorPayment.objects.count() == 1
    _audits_clean()


def test_a_cloned_card_is_refused_and_blocked(api_client, world):
    copy = SoftwareCard(number=world.chip.number, key=world.chip.key)
    _post(
        api_client,
        world,
        _body(world, signed_record(world.chip, fulfilment_id=world.fulfilment.pk)),
        key="paid",
    )
    other_id = carried_by(make_door_world(send=False), world.courier).fulfilment.pk
    clone_body = _body(world, signed_record(copy, fulfilment_id=other_id))
    clone_body["fulfilment"] = other_id

    response = _post(api_client, world, clone_body, key="clone")

    assert_problem(response, status=403, code="card_cloned")
    assert Card.objects.get(pk=world.card.pk).status == CardStatus.BLOCKED
    assert DoorPayment.objects.count() == 1
    _audits_clean()


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        pytest.param({"mac": "0" * 64}, 403, "chip_invalid", id="bad-mac"),
        pytest.param({"amount": 1}, 422, "wrong_amount", id="wrong-amount"),
        pytest.param({"fulfilment": 0}, 404, "not_found", id="unknown-fulfilment"),
        pytest.param({"challenge": "xyz"}, 422, "invalid", id="malformed"),
    ],
)
def test_a_bad_record_is_refused_and_changes_nothing(
    api_client, world, change, status, code
):
    body = {
        **_body(world, signed_record(world.chip, fulfilment_id=world.fulfilment.pk)),
        **change,
    }
    before = snapshot()

    response = _post(api_client, world, body)

    assert_problem(response, status=status, code=code)
    assert snapshot() == before


def test_a_payment_at_the_door_needs_an_idempotency_key(api_client, world):
    response = _post(
        api_client,
        world,
        _body(world, signed_record(world.chip, fulfilment_id=world.fulfilment.pk)),
        key=None,
    )

    assert_problem(response, status=400, code="idempotency_key_required")
    assert DoorPayment.objects.count() == 0


def test_a_shopper_cannot_take_payments_at_the_door(api_client, world):
    response = api_client.post(
        PAYMENTS_URL,
        _body(world, signed_record(world.chip, fulfilment_id=world.fulfilment.pk)),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k",
        **bearer(issue_token(user=world.shopper).token),
    )

    assert_problem(response, status=403, code="forbidden")
    assert DoorPayment.objects.count() == 0


def test_a_checkout_paid_at_the_door_needs_no_card_and_is_due(api_client, world):
    body = {
        "lines": [{"product": world.product.pk, "quantity": 1}],
        "address": {"district": near_district().pk, "detail": "3-201"},
        "payment": "door",
    }

    response = api_client.post(
        "/api/v1/orders",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="door",
        **bearer(issue_token(user=world.shopper).token),
    )

    assert response.status_code == 201, response.content
    payment = response.json()["payment"]
    total = response.json()["total"]
    assert payment == {
        "status": "due",
        "amount": total,
        "method": "door",
        "due_at_door": total,
    }
    assert Order.objects.get(pk=response.json()["id"]).payment_method == "door"


def test_a_checkout_by_card_without_a_card_is_refused(api_client, world):
    body = {
        "lines": [{"product": world.product.pk, "quantity": 1}],
        "address": {"district": near_district().pk, "detail": "3-201"},
        "pin": "1234",
    }
    orders = Order.objects.count()

    response = api_client.post(
        "/api/v1/orders",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="no-card",
        **bearer(issue_token(user=world.shopper).token),
    )

    problem = assert_problem(response, status=422, code="invalid")
    assert problem["field"] == "card"
    assert Order.objects.count() == orders


def test_a_courier_cannot_take_payment_for_a_parcel_another_courier_carries(
    api_client, world
):
    other = make_door_world(send=False)
    carried_by(other, other.courier)
    before = snapshot()
    body = {
        **_body(world, signed_record(world.chip, fulfilment_id=world.fulfilment.pk)),
        "fulfilment": other.fulfilment.pk,
    }

    read = api_client.get(
        f"/api/v1/terminal/fulfilments/{other.fulfilment.pk}",
        **bearer(issue_token(user=world.courier).token),
    )
    paid = _post(api_client, world, body)

    assert_problem(read, status=404, code="not_found")
    assert_problem(paid, status=404, code="not_found")
    assert snapshot() == before
    assert not DoorPayment.objects.exists()
