"""The order lifecycle: moving fulfilments through the state machine, with money and stock.

Each move is one transaction: a conditional ``UPDATE … WHERE status = current`` (so of two
concurrent moves exactly one happens), the event in the append-only log, the money (capture
on delivery, void on cancellation or rejection, refund on return), the stock (sold on
delivery, released on cancellation or rejection), the order's status and the SMS.
Returned goods stay counted as sold; the merchant receives them again if they can be resold.
The delivery fee is kept on a return: the delivery was made.
"""

import contextlib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, QuerySet

from okryu.accounts.models import Role, RoleGrant
from okryu.catalog.portions import give_back_portions
from okryu.catalog.stock import release_stock, sell_reserved_stock
from okryu.core import clock
from okryu.core.errors import InvalidInput, NotFound, PermissionDenied
from okryu.core.transactions import service_transaction
from okryu.notifications.outbox import queue_sms
from okryu.notifications.secret_codes import CODE_PLACEHOLDER, SecretCode
from okryu.orders.errors import (
    HoldExpired,
    PaymentRequired,
    TooLate,
    TransitionNotAllowed,
)
from okryu.orders.models import (
    DailyPurchase,
    DoorPayment,
    DoorPaymentStatus,
    Fulfilment,
    FulfilmentEvent,
    Order,
    PaymentMethodChoices,
)
from okryu.orders.queries import OPEN_STATUSES, get_order_for_shopper
from okryu.orders.rules import (
    RELEASING_STATUSES,
    SHOPPER_CANCELLABLE_STATUSES,
    Actor,
    FulfilmentStatus,
    can_move,
    order_status,
)
from okryu.orders.sms import StepSms, cancelled_order_sms, step_sms
from okryu.payments import ledger

S = FulfilmentStatus


# What the shopper is told of each move, by SMS.
@dataclass(frozen=True)
class _Move:
    target: FulfilmentStatus
    actor: Actor
    actor_user_id: int | None
    note: str = ""
    # The order's own SMS tells this step (a whole order cancelled at once).
    silent: bool = False
    # The delivery's code, told with "on its way" (queued as a placeholder: ADR 13).
    confirmation_code: SecretCode | None = None


def _check_reason(reason: object, *, field: str) -> str:
    # Callers may pass what a form or JSON body held.
    text = reason.strip() if isinstance(reason, str) else ""
    if not text or len(text) > Fulfilment.REASON_LENGTH_MAX:
        raise InvalidInput("사유는 1자에서 200자까지입니다.", field=field)
    return text


def _staff_fulfilment(staff_user_id: int, fulfilment_id: int) -> Fulfilment:
    fulfilment = (
        Fulfilment.objects.select_related("order")
        .filter(
            pk=fulfilment_id,
            merchant__staff__user_id=staff_user_id,
            merchant__is_active=True,
        )
        .first()
    )
    if fulfilment is None:
        raise NotFound("주문을 찾을 수 없습니다.")
    return fulfilment


def _logistics_actor(user_id: int, *, allowed: frozenset[Role]) -> Actor:
    roles = set(
        RoleGrant.objects.filter(user_id=user_id, role__in=allowed).values_list(
            "role", flat=True
        )
    )
    if Role.OPERATOR in roles:
        return Actor.OPERATOR
    if Role.COURIER in roles:
        return Actor.COURIER
    raise PermissionDenied("배달 담당자만 할 수 있습니다.")


def _any_fulfilment(fulfilment_id: int) -> Fulfilment:
    fulfilment = (
        Fulfilment.objects.select_related("order").filter(pk=fulfilment_id).first()
    )
    if fulfilment is None:
        raise NotFound("주문을 찾을 수 없습니다.")
    return fulfilment


def _move_fulfilment(fulfilment: Fulfilment, move: _Move) -> Fulfilment:
    """Move one fulfilment (already visible to the actor) and do what the move entails."""
    assert transaction.get_connection().in_atomic_block
    current = S(fulfilment.status)
    if not can_move(current, move.target, move.actor):
        raise TransitionNotAllowed(
            f"'{current}'에서 '{move.target}'(으)로 바꿀 수 없습니다.",
            status=current.value,
        )
    now = clock.now()
    changes: dict[str, object] = {"status": move.target, "status_changed_at": now}
    if move.target == S.DELIVERED:
        changes["delivered_at"] = now
    if move.target == S.REJECTED:
        changes["rejection_reason"] = move.note
    # Conditional: of two concurrent moves from the same status, exactly one happens.
    updated = Fulfilment.objects.filter(pk=fulfilment.pk, status=current).update(
        **changes
    )
    if updated != 1:
        raise TransitionNotAllowed("주문 상태가 방금 바뀌었습니다. 다시 확인하십시오.")
    FulfilmentEvent.objects.create(
        fulfilment=fulfilment,
        from_status=current,
        to_status=move.target,
        actor_id=move.actor_user_id,
        actor_role=move.actor,
        note=move.note[: FulfilmentEvent.NOTE_LENGTH_MAX],
        created_at=now,
    )
    if move.target in RELEASING_STATUSES:
        _release_fulfilment(fulfilment)
    elif move.target == S.DELIVERED:
        _capture_fulfilment(fulfilment)
    elif move.target == S.RETURNED:
        _refund_fulfilment(fulfilment)
    order = fulfilment.order
    _refresh_order_status(order, now=now)
    body = None if move.silent else _step_sms(fulfilment, current, move)
    if body is not None:
        queue_sms(phone=order.contact_phone, body=body, code=move.confirmation_code)
    fulfilment.refresh_from_db()
    assert fulfilment.status == move.target
    return fulfilment


def _step_sms(
    fulfilment: Fulfilment, current: FulfilmentStatus, move: _Move
) -> str | None:
    return step_sms(
        StepSms(
            order_number=fulfilment.order.number,
            merchant_name=fulfilment.merchant.name,
            target=move.target,
            amount_won=fulfilment.items_total_won + fulfilment.delivery_fee_won,
            is_paid_at_door=_is_paid_at_door(fulfilment),
            is_back=current == S.OUT_FOR_DELIVERY and move.target == S.READY,
            confirmation_code=CODE_PLACEHOLDER if move.confirmation_code else None,
            refund_won=fulfilment.items_total_won,
        )
    )


def _is_paid_at_door(fulfilment: Fulfilment) -> bool:
    return fulfilment.order.payment_method == PaymentMethodChoices.DOOR


def _holds(fulfilment: Fulfilment) -> list[tuple[str, int]]:
    if _is_paid_at_door(fulfilment):
        assert not fulfilment.items_hold_transfer_id
        return []  # Nothing was held: nothing to void or capture.
    holds = [(fulfilment.items_hold_transfer_id, fulfilment.items_total_won)]
    if fulfilment.fee_hold_transfer_id:
        holds.append((fulfilment.fee_hold_transfer_id, fulfilment.delivery_fee_won))
    return holds


def _release_fulfilment(fulfilment: Fulfilment) -> None:
    for hold_id, _amount_won in _holds(fulfilment):
        # An expired hold was already released by the card issuer: nothing is held.
        with contextlib.suppress(HoldExpired):
            ledger.void_hold(
                hold_transfer_id=hold_id,
                transfer_id=f"{hold_id}/void",
                tells_holder=False,
            )
    day = fulfilment.placed_at.astimezone(clock.PYONGYANG).date()
    # Goods, then dishes, each in product order: the order in which checkout locks them.
    lines = sorted(
        fulfilment.lines.all(),
        key=lambda line: (line.portions_day is not None, line.product_id, line.pk),
    )
    for line in lines:
        if line.portions_day is not None:
            # A dish's line took portions of its day's capacity, not stock.
            give_back_portions(
                product_id=line.product_id,
                quantity=line.quantity,
                day=line.portions_day,
            )
        else:
            release_stock(product_id=line.product_id, quantity=line.quantity)
        # Units of a released order no longer count against the shopper's daily limit.
        DailyPurchase.objects.filter(
            shopper_id=fulfilment.order.shopper_id,
            product_id=line.product_id,
            day=day,
            quantity__gte=line.quantity,
        ).update(quantity=F("quantity") - line.quantity)


def _capture_fulfilment(fulfilment: Fulfilment) -> None:
    is_paid_at_door = _is_paid_at_door(fulfilment)
    if is_paid_at_door:
        _check_door_payment_recorded(fulfilment)
    captured = 0
    for hold_id, amount_won in _holds(fulfilment):
        transfer = ledger.capture_hold(
            hold_transfer_id=hold_id,
            amount_won=amount_won,
            transfer_id=f"{hold_id}/capture",
            tells_holder=False,
        )
        captured += transfer.amount_won
    # A dish's portions were cooked for the order: only goods move from stock.
    for line in fulfilment.lines.filter(portions_day__isnull=True).order_by(
        "product_id", "id"
    ):
        sell_reserved_stock(product_id=line.product_id, quantity=line.quantity)
    if is_paid_at_door:
        return  # Its payment set ``captured_won`` when the card paid at the door.
    assert captured == fulfilment.items_total_won + fulfilment.delivery_fee_won
    Fulfilment.objects.filter(pk=fulfilment.pk, captured_won=0).update(
        captured_won=captured
    )


def _check_door_payment_recorded(fulfilment: Fulfilment) -> None:
    # Recorded by ``door.pay_at_the_door``: the payment, or the refusal of a record taken
    # offline once the goods were handed over (the loss is kept, the delivery happened).
    payment = DoorPayment.objects.filter(fulfilment=fulfilment).first()
    if payment is None:
        raise PaymentRequired(
            "문앞 결제를 먼저 받으십시오. 결제가 기록되지 않았습니다.",
            due=fulfilment.items_total_won + fulfilment.delivery_fee_won,
        )
    paid = payment.amount_won if payment.status == DoorPaymentStatus.ACCEPTED else 0
    captured = Fulfilment.objects.values_list("captured_won", flat=True).get(
        pk=fulfilment.pk
    )
    assert captured == paid, "a door payment sets what the fulfilment captured"


def _refund_door_fulfilment(fulfilment: Fulfilment) -> None:
    payment = (
        DoorPayment.objects.select_related("chip_transfer", "items_transfer")
        .filter(fulfilment=fulfilment, status=DoorPaymentStatus.ACCEPTED)
        .first()
    )
    if payment is None:
        return  # Handed over unpaid: nothing to give back.
    assert payment.chip_transfer is not None
    amount_won = fulfilment.items_total_won
    if payment.items_transfer is None:
        # The merchant was the payee: its share goes straight back to the card.
        transfer = ledger.refund(
            original_transfer_id=payment.chip_transfer.transfer_id,
            amount_won=amount_won,
            transfer_id=f"{payment.chip_transfer.transfer_id}/refund-to-card",
            tells_holder=False,
        )
    else:
        # Paid before the merchant was the payee: the merchant's share goes back to the
        # delivery fees account, and from there to the card.
        ledger.refund(
            original_transfer_id=payment.items_transfer.transfer_id,
            amount_won=amount_won,
            transfer_id=f"{payment.items_transfer.transfer_id}/refund",
        )
        transfer = ledger.refund(
            original_transfer_id=payment.chip_transfer.transfer_id,
            amount_won=amount_won,
            transfer_id=f"{payment.items_transfer.transfer_id}/refund-to-card",
            tells_holder=False,
        )
    assert transfer.amount_won == amount_won
    Fulfilment.objects.filter(pk=fulfilment.pk, refunded_won=0).update(
        refunded_won=amount_won
    )


def _refund_fulfilment(fulfilment: Fulfilment) -> None:
    if _is_paid_at_door(fulfilment):
        _refund_door_fulfilment(fulfilment)
        return
    hold_id = fulfilment.items_hold_transfer_id
    transfer = ledger.refund(
        original_transfer_id=f"{hold_id}/capture",
        amount_won=fulfilment.items_total_won,
        transfer_id=f"{hold_id}/refund",
        tells_holder=False,
    )
    assert transfer.amount_won == fulfilment.items_total_won
    Fulfilment.objects.filter(pk=fulfilment.pk, refunded_won=0).update(
        refunded_won=transfer.amount_won
    )


def _refresh_order_status(order: Order, *, now: object) -> None:
    statuses = [
        S(status)
        for status in Fulfilment.objects.filter(order=order).values_list(
            "status", flat=True
        )
    ]
    Order.objects.filter(pk=order.pk).update(
        status=order_status(statuses), updated_at=now
    )


def cancel_order(*, shopper_id: int, order_id: int) -> Order:
    """Cancel every open fulfilment of the shopper's order: void the holds, release stock.

    Refused with TooLate, changing nothing, once any open fulfilment is being prepared (or
    when nothing is left to cancel); another shopper's order is NotFound.
    """
    _cancel_open_fulfilments(shopper_id=shopper_id, order_id=order_id)
    # Read once the cancellation is written: the order as it now stands.
    return get_order_for_shopper(shopper_id=shopper_id, order_id=order_id)


@service_transaction(durable=False)
def _cancel_open_fulfilments(*, shopper_id: int, order_id: int) -> None:
    order = Order.objects.filter(pk=order_id, shopper_id=shopper_id).first()
    if order is None:
        raise NotFound("주문을 찾을 수 없습니다.")
    open_parts = list(
        Fulfilment.objects.select_related("order", "merchant")
        .filter(order=order, status__in=OPEN_STATUSES)
        .order_by("pk")
    )
    if not open_parts or any(
        S(part.status) not in SHOPPER_CANCELLABLE_STATUSES for part in open_parts
    ):
        raise TooLate("이미 준비를 시작해 취소할 수 없습니다.")
    move = _Move(S.CANCELLED, Actor.SHOPPER, shopper_id, "구매자 취소", silent=True)
    try:
        for part in open_parts:
            _move_fulfilment(part, move)
    except TransitionNotAllowed as error:  # A merchant moved it meanwhile.
        raise TooLate("이미 준비를 시작해 취소할 수 없습니다.") from error
    # One SMS for the order, however many merchants it had.
    queue_sms(
        phone=order.contact_phone,
        body=cancelled_order_sms(
            order_number=order.number,
            merchant_names=[part.merchant.name for part in open_parts],
            released_won=sum(
                part.items_total_won + part.delivery_fee_won for part in open_parts
            ),
            is_paid_at_door=order.payment_method == PaymentMethodChoices.DOOR,
        ),
    )


@service_transaction(durable=False)
def _staff_move(staff_user_id: int, fulfilment_id: int, move: _Move) -> Fulfilment:
    return _move_fulfilment(_staff_fulfilment(staff_user_id, fulfilment_id), move)


def accept_fulfilment(*, staff_user_id: int, fulfilment_id: int) -> Fulfilment:
    """Accept a placed fulfilment of the staff member's merchant (NotFound for others')."""
    return _staff_move(
        staff_user_id, fulfilment_id, _Move(S.ACCEPTED, Actor.MERCHANT, staff_user_id)
    )


def reject_fulfilment(
    *, staff_user_id: int, fulfilment_id: int, reason: str
) -> Fulfilment:
    """Reject a placed or accepted fulfilment: its holds are voided, its stock released."""
    note = _check_reason(reason, field="reason")
    return _staff_move(
        staff_user_id,
        fulfilment_id,
        _Move(S.REJECTED, Actor.MERCHANT, staff_user_id, note),
    )


def start_preparing(*, staff_user_id: int, fulfilment_id: int) -> Fulfilment:
    """Start preparing an accepted fulfilment; from now on the shopper cannot cancel."""
    return _staff_move(
        staff_user_id, fulfilment_id, _Move(S.PREPARING, Actor.MERCHANT, staff_user_id)
    )


def mark_ready(*, staff_user_id: int, fulfilment_id: int) -> Fulfilment:
    """Mark a fulfilment being prepared as ready for pick-up."""
    return _staff_move(
        staff_user_id, fulfilment_id, _Move(S.READY, Actor.MERCHANT, staff_user_id)
    )


LOGISTICS_ROLES = frozenset({Role.OPERATOR, Role.COURIER})


@service_transaction(durable=False)
def send_out(
    *,
    actor_user_id: int,
    fulfilment_id: int,
    confirmation_code: SecretCode | None = None,
) -> Fulfilment:
    """Hand a ready fulfilment to delivery (the logistics office: an operator or courier).

    The shopper's SMS says it is on its way, with the delivery's ``confirmation_code``.
    """
    actor = _logistics_actor(actor_user_id, allowed=LOGISTICS_ROLES)
    return _move_fulfilment(
        _any_fulfilment(fulfilment_id),
        _Move(
            S.OUT_FOR_DELIVERY,
            actor,
            actor_user_id,
            confirmation_code=confirmation_code,
        ),
    )


@service_transaction(durable=False)
def deliver(*, actor_user_id: int, fulfilment_id: int) -> Fulfilment:
    """Record delivery: capture both holds, turn the reserved stock into sold stock.

    Refused with HoldExpired (nothing changes) when the hold ran out; the expiry job then
    cancels the fulfilment.
    """
    actor = _logistics_actor(actor_user_id, allowed=LOGISTICS_ROLES)
    return _move_fulfilment(
        _any_fulfilment(fulfilment_id), _Move(S.DELIVERED, actor, actor_user_id)
    )


@service_transaction(durable=False)
def return_delivery_attempt(
    *, actor_user_id: int, fulfilment_id: int, note: str = ""
) -> Fulfilment:
    """Bring a fulfilment out for delivery back to ready (nobody was home).

    ``note`` is the courier's reason, kept on the step so the shopper's timeline says why.
    """
    actor = _logistics_actor(actor_user_id, allowed=LOGISTICS_ROLES)
    return _move_fulfilment(
        _any_fulfilment(fulfilment_id), _Move(S.READY, actor, actor_user_id, note)
    )


def return_fulfilment(
    *, operator_user_id: int, fulfilment_id: int, reason: str
) -> Fulfilment:
    """Take a delivered fulfilment back: refund its items (a new transfer), keep the fee."""
    note = _check_reason(reason, field="reason")
    return _return_fulfilment(
        operator_user_id=operator_user_id, fulfilment_id=fulfilment_id, note=note
    )


@service_transaction(durable=False)
def _return_fulfilment(
    *, operator_user_id: int, fulfilment_id: int, note: str
) -> Fulfilment:
    _logistics_actor(operator_user_id, allowed=frozenset({Role.OPERATOR}))
    return _move_fulfilment(
        _any_fulfilment(fulfilment_id),
        _Move(S.RETURNED, Actor.OPERATOR, operator_user_id, note),
    )


@service_transaction(durable=False)
def expire_fulfilment_hold(*, fulfilment_id: int) -> Fulfilment | None:
    """Cancel a fulfilment whose hold ran out before delivery; None when nothing is due.

    Idempotent: a fulfilment already final, out for delivery, or not yet due is left alone,
    so the job may run any number of times.
    """
    fulfilment = _due_for_expiry(
        Fulfilment.objects.select_related("order").filter(pk=fulfilment_id)
    )
    if fulfilment is None:
        return None
    return _move_fulfilment(
        fulfilment, _Move(S.CANCELLED, Actor.SYSTEM, None, "결제 승인 기간 만료")
    )


def _due_for_expiry(fulfilments: QuerySet[Fulfilment]) -> Fulfilment | None:
    fulfilment = fulfilments.first()
    if fulfilment is None or fulfilment.hold_expires_at > clock.now():
        return None
    if _is_paid_at_door(fulfilment):
        return None  # Nothing was held, so nothing expires.
    if not can_move(S(fulfilment.status), S.CANCELLED, Actor.SYSTEM):
        return None
    return fulfilment
