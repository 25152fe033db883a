"""Who may order by door, and for how long an order paid at the door waits for its merchant.

Goods reserved by a door order are held against no money, so the shopper is bounded: at most
``OKRYU_OPEN_DOOR_ORDERS`` open door orders (TooManyDoorOrders), a phone verified by an SMS
code (PhoneNotVerified; the courier calls it), and no unpaid hand-over at the door that no
operator has cleared (UnpaidDoorHandover). The checkout calls ``admit_door_order`` in its own
transaction once the order's rows are written, so a refusal rolls everything back: stock,
rows, purchase counts, the SMS. A door order whose merchant has not accepted it within
``OKRYU_DOOR_ORDER_ACCEPT_MINUTES`` expires and releases its stock, as a card order's hold
does (a background job per fulfilment, ``expire_door_order``).
"""

import datetime as dt

from django.conf import settings
from django.db import transaction

from okryu.accounts.models import User
from okryu.accounts.phone_verification import is_phone_verified
from okryu.core import clock
from okryu.core.jobs import enqueue_job
from okryu.core.transactions import service_transaction
from okryu.orders.errors import PhoneNotVerified, TooManyDoorOrders, UnpaidDoorHandover
from okryu.orders.models import Fulfilment, Order, PaymentMethodChoices
from okryu.orders.queries import OPEN_STATUSES
from okryu.orders.rules import Actor, FulfilmentStatus
from okryu.orders.services.door import check_door_order_total
from okryu.orders.services.door_losses import has_uncleared_door_loss
from okryu.orders.services.fulfilment import _Move, _move_fulfilment

EXPIRE_DOOR_ORDER_JOB = "orders.expire_door_order"
S = FulfilmentStatus


def admit_door_order(order: Order) -> None:
    """Refuse a door order the shopper may not place; queue its expiry otherwise.

    In the checkout's transaction, after the order's rows are written (a refusal rolls them
    back). The shopper's row is locked first, so two door checkouts of one shopper count
    each other.
    """
    assert transaction.get_connection().in_atomic_block
    assert order.payment_method == PaymentMethodChoices.DOOR
    check_door_order_total(order)
    list(User.objects.select_for_update().filter(pk=order.shopper_id).values("pk"))
    if has_uncleared_door_loss(order.shopper_id):
        raise UnpaidDoorHandover(
            "문앞에서 결제되지 않은 주문이 있어 문앞 결제를 할 수 없습니다. "
            "은행이나 물류 사무소에 문의하십시오."
        )
    if not is_phone_verified(order.shopper_id):
        raise PhoneNotVerified(
            "문앞 결제에는 확인된 전화번호가 필요합니다. 내 정보에서 전화번호를 확인하십시오.",
            field="payment",
        )
    limit = int(settings.OKRYU_OPEN_DOOR_ORDERS)
    open_orders = (
        Order.objects.filter(
            shopper_id=order.shopper_id,
            payment_method=PaymentMethodChoices.DOOR,
            fulfilments__status__in=[status.value for status in OPEN_STATUSES],
        )
        .exclude(pk=order.pk)
        .distinct()
        .count()
    )
    if open_orders >= limit:
        raise TooManyDoorOrders(
            f"문앞 결제 주문은 한 번에 {limit}건까지입니다. "
            "받지 않은 주문이 끝난 뒤에 하거나 카드로 결제하십시오.",
            limit=limit,
        )
    expires_at = order.placed_at + dt.timedelta(
        minutes=int(settings.OKRYU_DOOR_ORDER_ACCEPT_MINUTES)
    )
    for fulfilment_id in Fulfilment.objects.filter(order=order).values_list(
        "pk", flat=True
    ):
        enqueue_job(
            kind=EXPIRE_DOOR_ORDER_JOB,
            payload={"fulfilment": fulfilment_id},
            run_at=expires_at,
        )


@service_transaction(durable=False)
def expire_door_order(*, fulfilment_id: int) -> Fulfilment | None:
    """Cancel a door fulfilment its merchant did not accept in time, releasing its stock.

    None when nothing is due: accepted (or otherwise moved on) in time, not yet due, or not
    paid at the door. Idempotent, so the job may run any number of times.
    """
    fulfilment = (
        Fulfilment.objects.select_for_update(of=("self",))
        .select_related("order")
        .filter(
            pk=fulfilment_id,
            status=S.PLACED,
            order__payment_method=PaymentMethodChoices.DOOR,
        )
        .first()
    )
    if fulfilment is None:
        return None
    due_at = fulfilment.placed_at + dt.timedelta(
        minutes=int(settings.OKRYU_DOOR_ORDER_ACCEPT_MINUTES)
    )
    if due_at > clock.now():
        return None
    return _move_fulfilment(
        fulfilment,
        _Move(S.CANCELLED, Actor.SYSTEM, None, "문앞 결제 주문 접수 기한 만료"),
    )
