import datetime as dt
from typing import Any

import pytest
import time_machine
from django.conf import settings

from okryu.accounts.models import Role
from okryu.catalog.audit import audit_stock
from okryu.core.errors import DomainError, NotFound, PermissionDenied
from okryu.core.jobs import load_job_handlers, run_due_jobs
from okryu.merchants.models import Merchant
from okryu.notifications.models import OutboxMessage
from okryu.orders.audit import audit_orders
from okryu.orders.models import DailyPurchase, Fulfilment, FulfilmentEvent, Order
from okryu.orders.services import (
    accept_fulfilment,
    cancel_order,
    deliver,
    expire_fulfilment_hold,
    mark_ready,
    place_order,
    reject_fulfilment,
    return_delivery_attempt,
    return_fulfilment,
    send_out,
    start_preparing,
)
from okryu.orders.tests.builders import (
    account_of,
    checkout,
    make_merchant,
    make_product,
    make_shopper,
    make_user_with_role,
    snapshot,
    stock_of,
)
from okryu.payments import ledger
from okryu.payments.audit import audit_ledger
from okryu.payments.models import Transfer, TransferKind

pytestmark = pytest.mark.django_db

PRICE_WON = 2_000
FEE_WON = 1_000


@pytest.fixture
def world():
    shopper, card = make_shopper(balance_won=20_000)
    merchant, staff = make_merchant()
    product = make_product(merchant, stock=5, price_won=PRICE_WON)
    placed = place_order(
        shopper_id=shopper.pk,
        checkout=checkout(card, [(product, 2)]),
        idempotency_key="order",
    )
    fulfilment = Fulfilment.objects.get(order_id=placed.order_id)
    return {
        "shopper": shopper,
        "card": card,
        "merchant": Merchant.objects.get(pk=merchant.pk),
        "staff": staff,
        "product": product,
        "order_id": placed.order_id,
        "fulfilment": fulfilment,
        "operator": make_user_with_role(Role.OPERATOR),
    }


def _audits_clean() -> None:
    assert audit_orders().is_clean
    assert audit_stock().is_clean
    assert audit_ledger().violations == 0


def _to_ready(world: dict[str, Any]) -> Fulfilment:
    fid, staff = world["fulfilment"].pk, world["staff"].pk
    accept_fulfilment(staff_user_id=staff, fulfilment_id=fid)
    start_preparing(staff_user_id=staff, fulfilment_id=fid)
    return mark_ready(staff_user_id=staff, fulfilment_id=fid)


def _deliver(world: dict[str, Any]) -> Fulfilment:
    _to_ready(world)
    fid, operator = world["fulfilment"].pk, world["operator"].pk
    send_out(actor_user_id=operator, fulfilment_id=fid)
    return deliver(actor_user_id=operator, fulfilment_id=fid)


def test_delivery_captures_the_hold_to_the_merchant_and_the_fee_to_delivery(world):
    card, merchant = world["card"], world["merchant"]

    delivered = _deliver(world)

    assert delivered.status == "delivered"
    assert delivered.captured_won == 2 * PRICE_WON + FEE_WON
    assert account_of(card.ledger_account_id) == (20_000 - 5_000, 0)
    assert account_of(merchant.ledger_account_id) == (4_000, 0)
    assert account_of(ledger.open_delivery_fees_account().pk) == (FEE_WON, 0)
    assert stock_of(world["product"]) == (3, 0, 2)
    assert Order.objects.get(pk=world["order_id"]).status == "completed"
    assert list(
        FulfilmentEvent.objects.filter(fulfilment=delivered).values_list(
            "from_status", "to_status", "actor_role"
        )
    ) == [
        ("", "placed", "shopper"),
        ("placed", "accepted", "merchant"),
        ("accepted", "preparing", "merchant"),
        ("preparing", "ready", "merchant"),
        ("ready", "out_for_delivery", "operator"),
        ("out_for_delivery", "delivered", "operator"),
    ]
    _audits_clean()


def test_cancelling_before_preparation_voids_the_hold_and_releases_stock(world):
    sms_before = OutboxMessage.objects.count()

    order = cancel_order(shopper_id=world["shopper"].pk, order_id=world["order_id"])

    assert order.status == "cancelled"
    assert [f.status for f in order.fulfilments.all()] == ["cancelled"]
    assert account_of(world["card"].ledger_account_id) == (20_000, 0)
    assert stock_of(world["product"]) == (5, 0, 0)
    voids = Transfer.objects.filter(kind=TransferKind.VOID).count()
    assert voids == 2
    # One SMS for the order's cancellation, naming what was released: not one per void.
    assert OutboxMessage.objects.count() - sms_before == 1
    _audits_clean()


def test_cancelling_an_accepted_order_is_allowed(world):
    accept_fulfilment(
        staff_user_id=world["staff"].pk, fulfilment_id=world["fulfilment"].pk
    )

    order = cancel_order(shopper_id=world["shopper"].pk, order_id=world["order_id"])

    assert order.status == "cancelled"


def test_cancelling_a_fulfilment_being_prepared_is_refused_and_changes_nothing(world):
    fid, staff = world["fulfilment"].pk, world["staff"].pk
    accept_fulfilment(staff_user_id=staff, fulfilment_id=fid)
    start_preparing(staff_user_id=staff, fulfilment_id=fid)
    before = snapshot()

    with pytest.raises(DomainError) as refusal:
        cancel_order(shopper_id=world["shopper"].pk, order_id=world["order_id"])

    assert refusal.value.code == "too_late"
    assert snapshot() == before


def test_cancelling_twice_is_refused_the_second_time(world):
    cancel_order(shopper_id=world["shopper"].pk, order_id=world["order_id"])
    before = snapshot()

    with pytest.raises(DomainError) as refusal:
        cancel_order(shopper_id=world["shopper"].pk, order_id=world["order_id"])

    assert refusal.value.code == "too_late"
    assert snapshot() == before


def test_a_cancelled_order_gives_back_the_daily_purchase_allowance(world):
    product = world["product"]
    product.purchase_limit_per_day = 2
    product.save(update_fields=["purchase_limit_per_day"])
    shopper, card = make_shopper()
    placed = place_order(
        shopper_id=shopper.pk,
        checkout=checkout(card, [(product, 2)]),
        idempotency_key="limited",
    )

    cancel_order(shopper_id=shopper.pk, order_id=placed.order_id)

    assert DailyPurchase.objects.get(shopper=shopper, product=product).quantity == 0
    place_order(
        shopper_id=shopper.pk,
        checkout=checkout(card, [(product, 2)]),
        idempotency_key="again",
    )


def test_rejection_voids_the_hold_releases_stock_and_records_the_reason(world):
    rejected = reject_fulfilment(
        staff_user_id=world["staff"].pk,
        fulfilment_id=world["fulfilment"].pk,
        reason="재료가 떨어졌습니다",
    )

    assert (rejected.status, rejected.rejection_reason) == (
        "rejected",
        "재료가 떨어졌습니다",
    )
    assert account_of(world["card"].ledger_account_id) == (20_000, 0)
    assert stock_of(world["product"]) == (5, 0, 0)
    assert Order.objects.get(pk=world["order_id"]).status == "cancelled"
    _audits_clean()


def test_a_returned_delivery_is_refunded_without_the_fee(world):
    _deliver(world)

    returned = return_fulfilment(
        operator_user_id=world["operator"].pk,
        fulfilment_id=world["fulfilment"].pk,
        reason="상한 물건",
    )

    assert (returned.status, returned.captured_won, returned.refunded_won) == (
        "returned",
        5_000,
        4_000,
    )
    assert account_of(world["card"].ledger_account_id) == (20_000 - FEE_WON, 0)
    assert account_of(world["merchant"].ledger_account_id) == (0, 0)
    assert stock_of(world["product"]) == (3, 0, 2)
    _audits_clean()


def test_a_failed_hand_over_goes_back_to_ready(world):
    _to_ready(world)
    fid, operator = world["fulfilment"].pk, world["operator"].pk
    send_out(actor_user_id=operator, fulfilment_id=fid)

    back = return_delivery_attempt(actor_user_id=operator, fulfilment_id=fid)

    assert back.status == "ready"
    _audits_clean()


@pytest.mark.parametrize(
    "step",
    [
        pytest.param("ready_from_placed", id="ready before accepting"),
        pytest.param("prepare_from_placed", id="preparing before accepting"),
        pytest.param("deliver_from_placed", id="delivering before ready"),
        pytest.param("send_out_from_placed", id="sending out before ready"),
        pytest.param("return_from_placed", id="returning before delivery"),
        pytest.param("accept_twice", id="accepting twice"),
    ],
)
def test_a_move_outside_the_state_machine_is_refused_and_changes_nothing(world, step):
    fid, staff, operator = (
        world["fulfilment"].pk,
        world["staff"].pk,
        world["operator"].pk,
    )
    if step == "accept_twice":
        accept_fulfilment(staff_user_id=staff, fulfilment_id=fid)
    moves = {
        "ready_from_placed": lambda: mark_ready(staff_user_id=staff, fulfilment_id=fid),
        "prepare_from_placed": lambda: start_preparing(
            staff_user_id=staff, fulfilment_id=fid
        ),
        "deliver_from_placed": lambda: deliver(
            actor_user_id=operator, fulfilment_id=fid
        ),
        "send_out_from_placed": lambda: send_out(
            actor_user_id=operator, fulfilment_id=fid
        ),
        "return_from_placed": lambda: return_fulfilment(
            operator_user_id=operator, fulfilment_id=fid, reason="x"
        ),
        "accept_twice": lambda: accept_fulfilment(
            staff_user_id=staff, fulfilment_id=fid
        ),
    }
    before = snapshot()

    with pytest.raises(DomainError) as refusal:
        moves[step]()

    assert refusal.value.code == "transition_not_allowed"
    assert snapshot() == before


def test_a_rejection_after_preparing_is_refused(world):
    fid, staff = world["fulfilment"].pk, world["staff"].pk
    accept_fulfilment(staff_user_id=staff, fulfilment_id=fid)
    start_preparing(staff_user_id=staff, fulfilment_id=fid)
    before = snapshot()

    with pytest.raises(DomainError) as refusal:
        reject_fulfilment(staff_user_id=staff, fulfilment_id=fid, reason="늦음")

    assert refusal.value.code == "transition_not_allowed"
    assert snapshot() == before


def test_a_rejection_needs_a_reason(world):
    before = snapshot()

    with pytest.raises(DomainError) as refusal:
        reject_fulfilment(
            staff_user_id=world["staff"].pk,
            fulfilment_id=world["fulfilment"].pk,
            reason="  ",
        )

    assert (refusal.value.code, refusal.value.extra) == ("invalid", {"field": "reason"})
    assert snapshot() == before


def test_a_shopper_cannot_cancel_another_shoppers_order(world):
    stranger, _card = make_shopper()
    before = snapshot()

    with pytest.raises(NotFound):
        cancel_order(shopper_id=stranger.pk, order_id=world["order_id"])

    assert snapshot() == before


def test_staff_of_another_merchant_cannot_move_the_fulfilment(world):
    _other_merchant, other_staff = make_merchant()
    before = snapshot()

    with pytest.raises(NotFound):
        accept_fulfilment(
            staff_user_id=other_staff.pk, fulfilment_id=world["fulfilment"].pk
        )

    assert snapshot() == before


def test_a_shopper_cannot_deliver(world):
    _to_ready(world)
    before = snapshot()

    with pytest.raises(PermissionDenied):
        send_out(
            actor_user_id=world["shopper"].pk, fulfilment_id=world["fulfilment"].pk
        )

    assert snapshot() == before


def test_a_forgotten_hold_expires_and_the_job_cancels_the_fulfilment(world):
    expiry = world["fulfilment"].hold_expires_at + dt.timedelta(seconds=1)

    with time_machine.travel(expiry, tick=False):
        report = run_due_jobs(handlers=load_job_handlers())

    assert report.failed == 0
    fulfilment = Fulfilment.objects.get(pk=world["fulfilment"].pk)
    assert fulfilment.status == "cancelled"
    event = FulfilmentEvent.objects.get(fulfilment=fulfilment, to_status="cancelled")
    assert (event.actor_id, event.actor_role) == (None, "system")
    assert account_of(world["card"].ledger_account_id) == (20_000, 0)
    assert stock_of(world["product"]) == (5, 0, 0)
    _audits_clean()


def test_the_expiry_does_nothing_before_its_time_or_after_delivery(world):
    assert expire_fulfilment_hold(fulfilment_id=world["fulfilment"].pk) is None
    _deliver(world)
    later = world["fulfilment"].hold_expires_at + dt.timedelta(seconds=1)

    with time_machine.travel(later, tick=False):
        outcome = expire_fulfilment_hold(fulfilment_id=world["fulfilment"].pk)

    assert outcome is None
    assert Fulfilment.objects.get(pk=world["fulfilment"].pk).status == "delivered"


def test_the_hold_timeout_is_the_settings_one(world):
    fulfilment = world["fulfilment"]

    assert fulfilment.hold_expires_at - fulfilment.placed_at == dt.timedelta(
        seconds=settings.OKRYU_HOLD_TIMEOUT_SECONDS
    )
