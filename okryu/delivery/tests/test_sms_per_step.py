"""One SMS per step the shopper cares about, each naming the order and the merchant.

Placed (once for the order), on its way (with the code), delivered; refused, cancelled or
refunded. Not one per hold, per capture, or per merchant's step in the kitchen. The counts
of a whole order are pinned here.
"""

import pytest

from okryu.accounts.models import Role
from okryu.delivery.models import DeliveryJob
from okryu.delivery.services import (
    dispatch,
    hand_over_job,
    mark_ready_for_pickup,
    pick_up_job,
)
from okryu.delivery.tests.builders import make_courier
from okryu.merchants.models import Merchant, MerchantKind
from okryu.notifications.models import OutboxMessage
from okryu.notifications.secret_codes import render_sms_body
from okryu.orders.models import Fulfilment, Order
from okryu.orders.services import (
    accept_fulfilment,
    cancel_order,
    place_order,
    reject_fulfilment,
    return_fulfilment,
    start_preparing,
)
from okryu.orders.services.door import pay_at_the_door
from okryu.orders.tests.builders import (
    checkout,
    make_merchant,
    make_product,
    make_shopper,
    make_user_with_role,
)
from okryu.orders.tests.door_support import (
    door_checkout_request,
    door_record,
    signed_record,
)
from okryu.payments.chip import SoftwareCard, issuer_card_key

pytestmark = pytest.mark.django_db


class TwoMerchants:
    """A shopper's card order from a shop and a factory, placed but not yet accepted."""

    def __init__(self, *, door: bool = False) -> None:
        self.shopper, self.card = make_shopper(balance_won=100_000)
        self.shop, self.shop_staff = make_merchant()
        self.factory, self.factory_staff = make_merchant(kind=MerchantKind.FACTORY)
        socks = make_product(self.shop, price_won=3_000)
        tofu = make_product(self.factory, price_won=2_000)
        lines = [(socks, 1), (tofu, 2)]
        request = (
            door_checkout_request(self.card, lines)
            if door
            else checkout(self.card, lines)
        )
        self.sms_before = (
            OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first()
            or 0
        )
        placed = place_order(
            shopper_id=self.shopper.pk, checkout=request, idempotency_key="two"
        )
        self.order = Order.objects.get(pk=placed.order_id)
        self.staff = {
            self.shop.pk: self.shop_staff,
            self.factory.pk: self.factory_staff,
        }

    def parts(self) -> list[Fulfilment]:
        return list(
            Fulfilment.objects.filter(order=self.order)
            .select_related("merchant")
            .order_by("pk")
        )

    def ready(self, part: Fulfilment) -> DeliveryJob:
        staff = self.staff[part.merchant_id].pk
        accept_fulfilment(staff_user_id=staff, fulfilment_id=part.pk)
        start_preparing(staff_user_id=staff, fulfilment_id=part.pk)
        mark_ready_for_pickup(staff_user_id=staff, fulfilment_id=part.pk)
        return DeliveryJob.objects.get(fulfilment=part)


def texts_to(world: "TwoMerchants") -> list[str]:
    """What the shopper was texted since the order was placed (its phone and its card's),
    as the phone reads it: a code the outbox row keeps as a placeholder is put in."""
    return [
        render_sms_body(body, code_ref)[0]
        for body, code_ref in OutboxMessage.objects.filter(
            pk__gt=world.sms_before,
            phone__in=[world.order.contact_phone, world.card.phone],
        )
        .order_by("pk")
        .values_list("body", "code_ref")
    ]


def _carry(job: DeliveryJob, courier_user_id: int) -> None:
    pick_up_job(courier_user_id=courier_user_id, job_id=job.pk)
    hand_over_job(
        courier_user_id=courier_user_id, job_id=job.pk, code=job.confirmation_code
    )


def test_a_card_order_from_two_merchants_sends_five_sms_from_checkout_to_delivery():
    world = TwoMerchants()
    assert len(texts_to(world)) == 1  # Placed: one SMS, not one per hold.

    courier = make_courier()
    jobs = [world.ready(part) for part in world.parts()]
    assert len(texts_to(world)) == 1  # The kitchen's steps are not texted.
    dispatch()
    for job in jobs:
        _carry(job, courier.user_id)

    texts = texts_to(world)
    assert len(texts) == 5
    number = world.order.number
    assert all(number in text for text in texts)
    placed, *steps = texts
    assert f"({world.shop.name} 외 1곳)" in placed
    assert f"****{world.card.number[-4:]}" in placed
    for merchant, job in zip([world.shop, world.factory], jobs, strict=True):
        mine = [text for text in steps if f"{number} {merchant.name}:" in text]
        on_its_way, delivered = mine
        assert job.confirmation_code in on_its_way
        assert "배달했습니다" in delivered
        assert "결제" in delivered


def test_an_order_paid_at_the_door_sends_one_sms_a_step_and_the_cards_receipt():
    world = TwoMerchants(door=True)
    courier = make_courier()
    [shop_part, factory_part] = world.parts()
    factory_job = world.ready(factory_part)
    reject_fulfilment(
        staff_user_id=world.shop_staff.pk,
        fulfilment_id=shop_part.pk,
        reason="재고 없음",
    )
    dispatch()
    pick_up_job(courier_user_id=courier.user_id, job_id=factory_job.pk)
    chip = SoftwareCard(
        number=world.card.number, key=issuer_card_key(world.card.number)
    )
    factory_part.refresh_from_db()
    due = factory_part.items_total_won + factory_part.delivery_fee_won
    pay_at_the_door(
        actor_user_id=courier.user_id,
        fulfilment_id=factory_part.pk,
        record=door_record(
            signed_record(chip, fulfilment_id=factory_part.pk, amount_won=due)
        ),
        idempotency_key="door",
    )
    hand_over_job(
        courier_user_id=courier.user_id,
        job_id=factory_job.pk,
        code=factory_job.confirmation_code,
    )

    texts = texts_to(world)
    of_the_order = [text for text in texts if world.order.number in text]
    # Placed, the shop refused, the factory's goods on their way, paid at the door,
    # delivered: the card's receipt of the payment at the door names the order too.
    assert len(of_the_order) == len(texts) == 5
    assert any("거절" in text and world.shop.name in text for text in of_the_order)
    receipts = [text for text in of_the_order if "결제" in text and "카드" in text]
    assert len(receipts) == 1
    assert world.factory.name in receipts[0]


def test_cancelling_an_order_of_two_merchants_sends_one_sms():
    world = TwoMerchants()

    cancel_order(shopper_id=world.shopper.pk, order_id=world.order.pk)

    _placed, cancelled = texts_to(world)
    assert world.order.number in cancelled
    assert "취소" in cancelled


def test_a_refund_after_delivery_is_one_sms_naming_the_merchant():

    world = TwoMerchants()
    courier = make_courier()
    part = world.parts()[0]
    job = world.ready(part)
    dispatch()
    _carry(job, courier.user_id)
    before = len(texts_to(world))

    return_fulfilment(
        operator_user_id=make_user_with_role(Role.OPERATOR).pk,
        fulfilment_id=part.pk,
        reason="불량",
    )

    texts = texts_to(world)
    assert len(texts) == before + 1
    merchant: Merchant = part.merchant
    assert f"{world.order.number} {merchant.name}:" in texts[-1]
    assert "환불" in texts[-1]
