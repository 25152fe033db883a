"""Who may order by door: at most OKRYU_OPEN_DOOR_ORDERS open door orders, a phone verified
by an SMS code, no unpaid hand-over left uncleared; a door order no merchant accepts in time
expires and releases its stock. Every refusal changes nothing."""

import datetime as dt

import pytest
import time_machine

from okryu.accounts.models import Role
from okryu.accounts.phone_verification import (
    PhoneCodeExpired,
    PhoneCodeLocked,
    WrongPhoneCode,
    confirm_phone_code,
    is_phone_verified,
    send_phone_code,
)
from okryu.catalog.audit import audit_stock
from okryu.core import clock
from okryu.core.errors import DomainError, InvalidInput
from okryu.core.jobs import load_job_handlers, run_due_jobs
from okryu.notifications.gateways import RecordingGateway
from okryu.notifications.models import OutboxMessage
from okryu.notifications.outbox import send_pending_sms
from okryu.orders.audit import audit_orders
from okryu.orders.errors import PhoneNotVerified, TooManyDoorOrders, UnpaidDoorHandover
from okryu.orders.models import DoorLoss, Fulfilment
from okryu.orders.services import accept_fulfilment, cancel_order, place_order
from okryu.orders.services.door import door_challenge, pay_at_the_door
from okryu.orders.services.door_losses import clear_door_loss
from okryu.orders.tests.builders import (
    checkout,
    make_merchant,
    make_product,
    make_shopper,
    make_user_with_role,
    snapshot,
    stock_of,
)
from okryu.orders.tests.door_support import (
    DUE_WON,
    door_checkout_request,
    door_record,
    make_door_world,
)
from okryu.payments.audit import audit_ledger

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    merchant, staff = make_merchant()
    product = make_product(merchant, stock=20, price_won=2_000)
    return {"merchant": merchant, "staff": staff, "product": product}


def _order_by_door(shopper, card, product, key: str, quantity: int = 1):
    return place_order(
        shopper_id=shopper.pk,
        checkout=door_checkout_request(card, [(product, quantity)]),
        idempotency_key=key,
    )


def _audits_clean() -> None:
    assert audit_orders().violations == 0
    assert audit_stock().is_clean
    assert audit_ledger().violations == 0


def _last_code_sent(phone: str) -> str:
    """Send the outbox as the phone network would and read the code the phone got."""
    gateway = RecordingGateway()
    send_pending_sms(gateway=gateway, batch_size=50)
    texts = [sms.body for sms in gateway.sent if sms.phone == phone]
    return next(word for word in texts[-1].split() if word[:6].isdigit())[:6]


def test_a_shopper_has_at_most_two_open_door_orders_and_the_third_changes_nothing(shop):
    shopper, card = make_shopper()
    product = shop["product"]
    _order_by_door(shopper, card, product, "one")
    second = _order_by_door(shopper, card, product, "two")
    before = snapshot()

    with pytest.raises(TooManyDoorOrders) as refused:
        _order_by_door(shopper, card, product, "three")
    after_refusal = snapshot()
    by_card = place_order(
        shopper_id=shopper.pk,
        checkout=checkout(card, [(product, 1)]),
        idempotency_key="card",
    )
    cancel_order(shopper_id=shopper.pk, order_id=second.order_id)
    third = _order_by_door(shopper, card, product, "three-after-cancel")

    assert (refused.value.status, refused.value.code) == (409, "too_many_door_orders")
    assert refused.value.extra["limit"] == 2
    assert after_refusal == before
    assert by_card.order_id
    assert third.order_id
    _audits_clean()


def test_paying_at_the_door_needs_a_phone_verified_by_an_sms_code(shop):
    shopper, card = make_shopper(phone_verified=False)
    before = snapshot()

    with pytest.raises(PhoneNotVerified) as refused:
        _order_by_door(shopper, card, shop["product"], "unverified")
    after_refusal = snapshot()
    send_phone_code(user_id=shopper.pk)
    code_row = OutboxMessage.objects.order_by("-pk").first()
    code = _last_code_sent(shopper.phone)
    verified = confirm_phone_code(user_id=shopper.pk, code=code)
    placed = _order_by_door(shopper, card, shop["product"], "verified")

    assert (refused.value.status, refused.value.code) == (403, "phone_not_verified")
    assert after_refusal == before
    assert code_row is not None
    assert code not in code_row.body  # the outbox row keeps a placeholder
    assert verified.verified_at is not None
    assert placed.order_id
    _audits_clean()


def test_a_wrong_phone_code_is_counted_and_the_fifth_locks_the_code(shop):
    shopper, _card = make_shopper(phone_verified=False)
    send_phone_code(user_id=shopper.pk)
    code = _last_code_sent(shopper.phone)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    lefts = []
    for _attempt in range(4):
        with pytest.raises(WrongPhoneCode) as refused:
            confirm_phone_code(user_id=shopper.pk, code=wrong)
        lefts.append(refused.value.attempts_left)
    with pytest.raises(PhoneCodeLocked):
        confirm_phone_code(user_id=shopper.pk, code=wrong)
    with pytest.raises(PhoneCodeLocked):
        confirm_phone_code(user_id=shopper.pk, code=code)
    locked_out = is_phone_verified(shopper.pk)
    send_phone_code(user_id=shopper.pk)
    confirm_phone_code(user_id=shopper.pk, code=_last_code_sent(shopper.phone))

    assert lefts == [4, 3, 2, 1]
    assert not locked_out
    assert is_phone_verified(shopper.pk)


@pytest.mark.parametrize("code", ["12345", "1234567", "12a456", "", None, 123456])
def test_a_phone_code_not_of_six_digits_is_invalid_and_not_counted(code):
    shopper, _card = make_shopper(phone_verified=False)
    send_phone_code(user_id=shopper.pk)

    with pytest.raises(InvalidInput) as refused:
        confirm_phone_code(user_id=shopper.pk, code=code)

    assert refused.value.field == "code"
    assert shopper.phone_verifications.get().wrong_count == 0


def test_a_phone_code_expires(settings):
    shopper, _card = make_shopper(phone_verified=False)
    send_phone_code(user_id=shopper.pk)
    code = _last_code_sent(shopper.phone)
    later = clock.now() + dt.timedelta(minutes=settings.OKRYU_PHONE_CODE_MINUTES)

    with time_machine.travel(later, tick=False), pytest.raises(PhoneCodeExpired):
        confirm_phone_code(user_id=shopper.pk, code=code)

    assert not is_phone_verified(shopper.pk)


def test_a_new_phone_number_needs_a_new_code():
    shopper, _card = make_shopper()
    verified_before = is_phone_verified(shopper.pk)

    shopper.phone = "01099998888"
    shopper.save(update_fields=["phone"])

    assert verified_before
    assert not is_phone_verified(shopper.pk)


def test_a_door_order_no_merchant_accepts_in_time_expires_and_releases_its_stock(
    shop, settings
):
    shopper, card = make_shopper()
    product = shop["product"]
    stock_before = stock_of(product)
    late = _order_by_door(shopper, card, product, "late", quantity=3)
    accepted = _order_by_door(shopper, card, product, "accepted", quantity=2)
    accept_fulfilment(
        staff_user_id=shop["staff"].pk,
        fulfilment_id=Fulfilment.objects.get(order_id=accepted.order_id).pk,
    )
    reserved = stock_of(product)
    just_before = clock.now() + dt.timedelta(
        minutes=settings.OKRYU_DOOR_ORDER_ACCEPT_MINUTES - 1
    )
    after = clock.now() + dt.timedelta(
        minutes=settings.OKRYU_DOOR_ORDER_ACCEPT_MINUTES, seconds=1
    )

    with time_machine.travel(just_before, tick=False):
        early = run_due_jobs(handlers=load_job_handlers())
    with time_machine.travel(after, tick=False):
        run_due_jobs(handlers=load_job_handlers())

    assert early.claimed == 0
    assert reserved == (stock_before[0], stock_before[1] + 5, 0)
    assert Fulfilment.objects.get(order_id=late.order_id).status == "cancelled"
    assert Fulfilment.objects.get(order_id=accepted.order_id).status == "accepted"
    assert stock_of(product) == (stock_before[0], stock_before[1] + 2, 0)
    _audits_clean()


def test_an_unpaid_hand_over_blocks_ordering_by_door_until_an_operator_clears_it():
    world = make_door_world(balance_won=DUE_WON - 1)
    record = world.terminal.take_payment(
        world.chip,
        amount_won=DUE_WON,
        online=False,
        challenge=door_challenge(fulfilment_id=world.fulfilment.pk).challenge,
    )
    with pytest.raises(DomainError):
        pay_at_the_door(
            actor_user_id=world.courier.pk,
            fulfilment_id=world.fulfilment.pk,
            record=door_record(record, offline=True),
            idempotency_key="upload",
        )
    before = snapshot()

    with pytest.raises(UnpaidDoorHandover) as refused:
        _order_by_door(world.shopper, world.card, world.product, "again")
    after_refusal = snapshot()
    clear_door_loss(
        operator_user_id=make_user_with_role(Role.OPERATOR).pk,
        loss_id=DoorLoss.objects.get().pk,
        note="카운터에서 갚음",
    )
    placed = _order_by_door(world.shopper, world.card, world.product, "cleared")

    assert (refused.value.status, refused.value.code) == (409, "unpaid_door_handover")
    assert after_refusal == before
    assert placed.order_id
    _audits_clean()
