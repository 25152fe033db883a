"""Paying at the door through the services: checkout, the chip record, delivery, the audit."""

import dataclasses

import pytest
from django.test import override_settings

from okryu.accounts.models import Role
from okryu.catalog.audit import audit_stock
from okryu.core.errors import DomainError, PermissionDenied
from okryu.core.models import BackgroundJob
from okryu.notifications.models import OutboxMessage
from okryu.orders.audit import audit_orders
from okryu.orders.models import DoorPayment, Fulfilment, Order
from okryu.orders.queries import (
    due_at_door_of,
    get_order_for_shopper,
    payment_amount_of,
    payment_status_of,
)
from okryu.orders.services import (
    cancel_order,
    deliver,
    place_order,
    reject_fulfilment,
    return_fulfilment,
)
from okryu.orders.services.door import pay_at_the_door
from okryu.orders.tests.builders import (
    account_of,
    make_user_with_role,
    snapshot,
    stock_of,
)
from okryu.orders.tests.door_support import (
    DUE_WON,
    FEE_WON,
    PRICE_WON,
    QUANTITY,
    DoorWorld,
    challenge_of,
    door_checkout_request,
    door_record,
    make_door_world,
    signed_record,
)
from okryu.payments import ledger
from okryu.payments.audit import audit_ledger
from okryu.payments.chip import SoftwareCard
from okryu.payments.models import (
    Card,
    CardStatus,
    LedgerAccountKind,
    Transfer,
    TransferKind,
)

pytestmark = pytest.mark.django_db


def _payment_of(order: Order) -> dict[str, object]:
    """Where the order's money stands, as the API's ``payment`` shows it for the door."""
    fulfilments = list(order.fulfilments.all())
    method = order.payment_method
    return {
        "status": payment_status_of(method, fulfilments),
        "amount": payment_amount_of(method, fulfilments),
        "method": method,
        "due_at_door": due_at_door_of(method, fulfilments),
    }


ITEMS_WON = QUANTITY * PRICE_WON


@pytest.fixture
def world() -> DoorWorld:
    return make_door_world()


def _audits_clean() -> None:
    orders = audit_orders()
    assert orders.violations == 0, orders
    assert audit_stock().is_clean
    assert audit_ledger().violations == 0


def _pay(world: DoorWorld, record, *, offline: bool = False, key: str = "pay"):
    return pay_at_the_door(
        actor_user_id=world.courier.pk,
        fulfilment_id=world.fulfilment.pk,
        record=door_record(record, offline=offline),
        idempotency_key=key,
    )


def _merchant_account_id(world: DoorWorld) -> int | None:
    return (
        type(world.merchant)
        .objects.values_list("ledger_account_id", flat=True)
        .get(pk=world.merchant.pk)
    )


def test_an_order_paid_at_the_door_reserves_stock_holds_nothing_and_is_due(world):
    order = get_order_for_shopper(shopper_id=world.shopper.pk, order_id=world.order_id)

    body = {"payment": _payment_of(order)}

    assert stock_of(world.product) == (5, QUANTITY, 0)
    assert Transfer.objects.filter(kind=TransferKind.HOLD).count() == 0
    assert account_of(world.card.ledger_account_id) == (20_000, 0)
    assert (order.payment_method, order.card_last4) == ("door", "")
    assert body["payment"] == {
        "status": "due",
        "amount": DUE_WON,
        "method": "door",
        "due_at_door": DUE_WON,
    }
    assert (
        BackgroundJob.objects.filter(kind="orders.expire_fulfilment_hold").count() == 0
    )
    _audits_clean()


@override_settings(OKRYU_DOOR_ORDER_TOTAL_MAX_WON=DUE_WON - 1)
def test_an_order_paid_at_the_door_over_the_limit_is_refused_and_changes_nothing(world):
    before = snapshot()

    with pytest.raises(DomainError) as refused:
        place_order(
            shopper_id=world.shopper.pk,
            checkout=door_checkout_request(world.card, [(world.product, QUANTITY)]),
            idempotency_key="too-much",
        )

    assert refused.value.code == "over_door_limit"
    assert refused.value.extra["limit"] == DUE_WON - 1
    assert snapshot() == before


@override_settings(OKRYU_DOOR_ORDER_TOTAL_MAX_WON=DUE_WON)
def test_an_order_paid_at_the_door_at_the_limit_is_placed(world):
    placed = place_order(
        shopper_id=world.shopper.pk,
        checkout=door_checkout_request(world.card, [(world.product, QUANTITY)]),
        idempotency_key="at-limit",
    )

    assert placed.rows.order.total_won == DUE_WON


def test_an_order_paid_at_the_door_needs_the_shoppers_phone(world):
    type(world.shopper).objects.filter(pk=world.shopper.pk).update(phone="")
    before = snapshot()

    with pytest.raises(DomainError) as refused:
        place_order(
            shopper_id=world.shopper.pk,
            checkout=door_checkout_request(world.card, [(world.product, 1)]),
            idempotency_key="no-phone",
        )

    assert (refused.value.code, refused.value.extra["field"]) == ("invalid", "payment")
    assert snapshot() == before


def test_delivering_before_the_door_payment_is_refused_and_changes_nothing(world):
    before = snapshot()

    with pytest.raises(DomainError) as refused:
        deliver(actor_user_id=world.courier.pk, fulfilment_id=world.fulfilment.pk)

    assert refused.value.code == "payment_required"
    assert refused.value.extra["due"] == DUE_WON
    assert snapshot() == before


def test_an_online_chip_payment_pays_the_merchant_and_the_fee_then_delivery_sells(
    world,
):
    fees_before = account_of(ledger.open_delivery_fees_account().pk)

    outcome = _pay(world, signed_record(world.chip, fulfilment_id=world.fulfilment.pk))
    delivered = deliver(
        actor_user_id=world.courier.pk, fulfilment_id=world.fulfilment.pk
    )

    assert outcome.is_replay is False
    assert outcome.body["status"] == "accepted"
    assert outcome.body["amount"] == DUE_WON
    assert account_of(world.card.ledger_account_id) == (20_000 - DUE_WON, 0)
    merchant_account_id = _merchant_account_id(world)
    assert merchant_account_id is not None
    assert account_of(merchant_account_id) == (ITEMS_WON, 0)
    assert account_of(ledger.open_delivery_fees_account().pk) == (
        fees_before[0] + FEE_WON,
        0,
    )
    assert (delivered.status, delivered.captured_won) == ("delivered", DUE_WON)
    assert stock_of(world.product) == (5 - QUANTITY, 0, QUANTITY)
    order = get_order_for_shopper(shopper_id=world.shopper.pk, order_id=world.order_id)
    assert _payment_of(order)["status"] == "paid"
    _audits_clean()


def test_the_holders_sms_of_a_payment_at_the_door_names_the_order_and_the_merchant(
    world,
):
    sent_before = OutboxMessage.objects.count()

    _pay(world, signed_record(world.chip, fulfilment_id=world.fulfilment.pk))

    told = list(OutboxMessage.objects.order_by("pk")[sent_before:])
    assert [message.phone for message in told] == [world.card.phone]
    assert world.fulfilment.order.number in told[0].body
    assert world.merchant.name in told[0].body
    assert f"****{world.card.number[-4:]}" in told[0].body
    assert "5,000원" in told[0].body


def test_a_ready_fulfilment_may_be_paid_before_it_is_sent_out():
    world = make_door_world(send=False)

    outcome = _pay(world, signed_record(world.chip, fulfilment_id=world.fulfilment.pk))

    assert outcome.body["status"] == "accepted"
    _audits_clean()


def test_an_offline_record_uploaded_later_is_accepted_once(world):
    record = world.terminal.take_payment(
        world.chip,
        amount_won=DUE_WON,
        online=False,
        challenge=challenge_of(world.fulfilment.pk),
    )
    assert account_of(world.card.ledger_account_id) == (20_000, 0)

    first = _pay(world, record, offline=True, key="upload")
    again = _pay(world, record, offline=True, key="upload")
    with pytest.raises(DomainError) as other_key:
        _pay(world, record, offline=True, key="upload-again")

    assert (first.is_replay, again.is_replay) == (False, True)
    assert again.body == first.body
    assert first.body["offline"] is True
    assert other_key.value.code == "chip_replay"
    assert (
        Transfer.objects.filter(kind=TransferKind.SINGLE, amount_won=DUE_WON).count()
        == 1
    )
    assert account_of(world.card.ledger_account_id) == (20_000 - DUE_WON, 0)
    assert DoorPayment.objects.count() == 1
    _audits_clean()


def _use_counter_elsewhere(world: DoorWorld) -> SoftwareCard:
    """Pay something else with the real chip, and return a copy that repeats its counter."""
    copy = SoftwareCard(number=world.chip.number, key=world.chip.key)
    other = ledger.open_ledger_account(
        kind=LedgerAccountKind.MERCHANT, owner_reference="elsewhere"
    )
    world.terminal.merchant_account_id = other.pk
    world.terminal.take_payment(world.chip, amount_won=500, online=True)
    return copy


def test_a_cloned_card_at_the_door_is_blocked_and_nothing_else_changes(world):
    clone = _use_counter_elsewhere(world)
    before = snapshot()

    with pytest.raises(DomainError) as refused:
        _pay(world, signed_record(clone, fulfilment_id=world.fulfilment.pk))

    assert refused.value.code == "card_cloned"
    assert Card.objects.get(pk=world.card.pk).status == CardStatus.BLOCKED
    after = snapshot()
    assert after.pop("idempotency") == before.pop("idempotency") + 1
    assert after == before
    assert DoorPayment.objects.count() == 0
    _audits_clean()


def test_a_cloned_card_taken_offline_is_recorded_unpaid_and_may_be_delivered(world):
    clone = _use_counter_elsewhere(world)
    offline = signed_record(clone, fulfilment_id=world.fulfilment.pk)

    with pytest.raises(DomainError) as refused:
        _pay(world, offline, offline=True)
    delivered = deliver(
        actor_user_id=world.courier.pk, fulfilment_id=world.fulfilment.pk
    )

    assert refused.value.code == "card_cloned"
    assert refused.value.extra["unpaid_recorded"] is True
    payment = DoorPayment.objects.get()
    assert (payment.status, payment.refusal_code) == ("refused", "card_cloned")
    assert (delivered.status, delivered.captured_won) == ("delivered", 0)
    order = get_order_for_shopper(shopper_id=world.shopper.pk, order_id=world.order_id)
    assert _payment_of(order)["status"] == "unpaid"
    assert audit_orders().unpaid_door_handovers == 1
    _audits_clean()


def test_an_offline_record_the_card_cannot_pay_is_refused_and_recorded_unpaid():
    world = make_door_world(balance_won=DUE_WON - 1)
    record = world.terminal.take_payment(
        world.chip,
        amount_won=DUE_WON,
        online=False,
        challenge=challenge_of(world.fulfilment.pk),
    )

    with pytest.raises(DomainError) as refused:
        _pay(world, record, offline=True, key="upload")
    with pytest.raises(DomainError) as repeated:
        _pay(world, record, offline=True, key="upload")

    assert refused.value.code == "insufficient_funds"
    assert repeated.value.code == "insufficient_funds"
    assert repeated.value.extra["unpaid_recorded"] is True
    assert DoorPayment.objects.get().status == "refused"
    assert account_of(world.card.ledger_account_id) == (DUE_WON - 1, 0)
    _audits_clean()


def test_an_online_record_the_card_cannot_pay_is_refused_and_records_nothing():
    world = make_door_world(balance_won=DUE_WON - 1)
    before = snapshot()

    with pytest.raises(DomainError) as refused:
        _pay(world, signed_record(world.chip, fulfilment_id=world.fulfilment.pk))

    assert refused.value.code == "insufficient_funds"
    assert "unpaid_recorded" not in refused.value.extra
    assert DoorPayment.objects.count() == 0
    after = snapshot()
    assert after.pop("idempotency") == before.pop("idempotency") + 1
    assert after == before


@pytest.mark.parametrize(
    ("change", "code"),
    [
        pytest.param({"mac": "0" * 64}, "chip_invalid", id="bad-mac"),
        pytest.param({"amount_won": DUE_WON - 1}, "wrong_amount", id="wrong-amount"),
        pytest.param({"amount_won": DUE_WON + 1}, "wrong_amount", id="amount-over"),
    ],
)
def test_a_bad_record_is_refused_and_changes_nothing(world, change, code):
    record = dataclasses.replace(
        signed_record(world.chip, fulfilment_id=world.fulfilment.pk), **change
    )
    before = snapshot()

    with pytest.raises(DomainError) as refused:
        _pay(world, record)

    assert refused.value.code == code
    assert snapshot() == before
    assert Card.objects.get(pk=world.card.pk).status == CardStatus.ACTIVE


def test_a_record_signed_for_a_wrong_amount_names_what_is_due(world):
    with pytest.raises(DomainError) as refused:
        _pay(
            world,
            signed_record(
                world.chip, fulfilment_id=world.fulfilment.pk, amount_won=DUE_WON + 500
            ),
        )

    assert (refused.value.code, refused.value.extra["due"]) == ("wrong_amount", DUE_WON)


def test_a_second_card_cannot_pay_a_fulfilment_already_paid(world):
    _pay(
        world, signed_record(world.chip, fulfilment_id=world.fulfilment.pk), key="first"
    )
    before = snapshot()

    with pytest.raises(DomainError) as refused:
        _pay(
            world,
            signed_record(world.chip, fulfilment_id=world.fulfilment.pk),
            key="second",
        )

    assert refused.value.code == "already_paid"
    assert snapshot() == before


def test_a_card_order_has_nothing_due_at_the_door():
    world = make_door_world()
    Order.objects.filter(pk=world.order_id).update(payment_method="card")

    with pytest.raises(DomainError) as refused:
        _pay(world, signed_record(world.chip, fulfilment_id=world.fulfilment.pk))

    assert refused.value.code == "not_due_at_door"


def test_only_couriers_and_operators_take_payments_at_the_door(world):
    with pytest.raises(PermissionDenied):
        pay_at_the_door(
            actor_user_id=world.shopper.pk,
            fulfilment_id=world.fulfilment.pk,
            record=door_record(
                signed_record(world.chip, fulfilment_id=world.fulfilment.pk)
            ),
            idempotency_key="shopper",
        )
    operator = make_user_with_role(Role.OPERATOR)

    outcome = pay_at_the_door(
        actor_user_id=operator.pk,
        fulfilment_id=world.fulfilment.pk,
        record=door_record(
            signed_record(world.chip, fulfilment_id=world.fulfilment.pk)
        ),
        idempotency_key="operator",
    )

    assert outcome.body["status"] == "accepted"


def test_a_placed_fulfilment_is_not_yet_due_at_the_door():
    world = make_door_world()
    fresh = place_order(
        shopper_id=world.shopper.pk,
        checkout=door_checkout_request(world.card, [(world.product, QUANTITY)]),
        idempotency_key="fresh",
    )
    fulfilment = Fulfilment.objects.get(order_id=fresh.order_id)

    with pytest.raises(DomainError) as refused:
        pay_at_the_door(
            actor_user_id=world.courier.pk,
            fulfilment_id=fulfilment.pk,
            record=door_record(
                signed_record(world.chip, fulfilment_id=world.fulfilment.pk)
            ),
            idempotency_key="early",
        )

    assert refused.value.code == "not_due_at_door"


def test_cancelling_a_door_order_voids_nothing_and_releases_stock():
    world = make_door_world()
    placed = place_order(
        shopper_id=world.shopper.pk,
        checkout=door_checkout_request(world.card, [(world.product, 1)]),
        idempotency_key="to-cancel",
    )
    transfers = Transfer.objects.count()

    order = cancel_order(shopper_id=world.shopper.pk, order_id=placed.order_id)

    assert order.status == "cancelled"
    assert Transfer.objects.count() == transfers
    assert stock_of(world.product) == (5, QUANTITY, 0)
    assert _payment_of(order) == {
        "status": "cancelled",
        "amount": 0,
        "method": "door",
        "due_at_door": 0,
    }
    _audits_clean()


def test_rejecting_a_door_order_voids_nothing_and_releases_stock():
    world = make_door_world()
    placed = place_order(
        shopper_id=world.shopper.pk,
        checkout=door_checkout_request(world.card, [(world.product, 1)]),
        idempotency_key="to-reject",
    )
    fulfilment = Fulfilment.objects.get(order_id=placed.order_id)
    transfers = Transfer.objects.count()

    rejected = reject_fulfilment(
        staff_user_id=world.staff.pk, fulfilment_id=fulfilment.pk, reason="품절"
    )

    assert rejected.status == "rejected"
    assert Transfer.objects.count() == transfers
    assert stock_of(world.product) == (5, QUANTITY, 0)
    _audits_clean()


def test_returning_a_fulfilment_paid_at_the_door_refunds_its_items_to_the_card(world):
    _pay(world, signed_record(world.chip, fulfilment_id=world.fulfilment.pk))
    deliver(actor_user_id=world.courier.pk, fulfilment_id=world.fulfilment.pk)
    operator = make_user_with_role(Role.OPERATOR)

    returned = return_fulfilment(
        operator_user_id=operator.pk, fulfilment_id=world.fulfilment.pk, reason="파손"
    )

    assert (returned.status, returned.refunded_won) == ("returned", ITEMS_WON)
    assert account_of(world.card.ledger_account_id) == (20_000 - FEE_WON, 0)
    merchant_account_id = _merchant_account_id(world)
    assert merchant_account_id is not None
    assert account_of(merchant_account_id) == (0, 0)
    _audits_clean()
