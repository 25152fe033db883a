"""What the shopper is texted: one SMS per step they care about, naming order and merchant.

Placed (once for the whole order, with what the card was held for), on its way (with the
confirmation code), delivered (with what was charged), refused, cancelled or refunded, and
the exceptions (nobody home). Accepting, preparing and being ready are the merchant's steps:
the order page shows them, the phone stays quiet. The card's holds, captures, voids and
refunds of an order are told here, in the step's one message, not one SMS per transfer.

Pure but for reading a loaded order's rows. Texts are Korean whatever the page language
(the SMS network reads Korean).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from okryu.core.won import format_won
from okryu.orders.models import Order
from okryu.orders.rules import FulfilmentStatus

S = FulfilmentStatus


@dataclass(frozen=True)
class StepSms:
    """One fulfilment's step as its SMS needs it."""

    order_number: str
    merchant_name: str
    target: FulfilmentStatus
    amount_won: int
    is_paid_at_door: bool
    # From out for delivery back to ready: nobody was home.
    is_back: bool = False
    confirmation_code: str | None = None
    refund_won: int = 0


def merchants_words(names: Sequence[str]) -> str:
    """ "옥류관", or "옥류관 외 2곳" for an order from three merchants."""
    assert names, "an order has at least one merchant"
    if len(names) == 1:
        return names[0]
    return f"{names[0]} 외 {len(names) - 1}곳"


def placed_sms(
    *,
    order_number: str,
    merchant_names: Sequence[str],
    total_won: int,
    card_last4: str | None,
) -> str:
    """The order's one SMS at checkout: what was ordered from whom, and what was held."""
    payment = (
        f"문앞 결제 {format_won(total_won)}"
        if card_last4 is None
        else f"카드 ****{card_last4} 승인 {format_won(total_won)}, 배달 때 결제"
    )
    return (
        f"[옥류] 주문 {order_number} 접수 ({merchants_words(merchant_names)}). "
        f"{payment}."
    )


def placed_order_sms(order: Order) -> str:
    """The SMS of a just-placed ``order`` (its fulfilments and their merchants loaded)."""
    return placed_sms(
        order_number=order.number,
        merchant_names=[f.merchant.name for f in order.fulfilments.all()],
        total_won=order.total_won,
        card_last4=order.card_last4 or None,
    )


def cancelled_order_sms(
    *,
    order_number: str,
    merchant_names: Sequence[str],
    released_won: int,
    is_paid_at_door: bool,
) -> str:
    """The order's one SMS when the shopper cancels it: every part at once."""
    money = (
        "청구된 금액은 없습니다"
        if is_paid_at_door
        else f"카드 승인 {format_won(released_won)} 취소"
    )
    return (
        f"[옥류] 주문 {order_number} 취소 ({merchants_words(merchant_names)}). {money}."
    )


def step_sms(step: StepSms) -> str | None:
    """The SMS of one fulfilment's step, or None for a step the shopper is not texted."""
    words = _step_words(step)
    if words is None:
        return None
    return f"[옥류] 주문 {step.order_number} {step.merchant_name}: {words}."


def _step_words(step: StepSms) -> str | None:  # noqa: PLR0911  (one answer per step)
    amount = format_won(step.amount_won)
    door = step.is_paid_at_door
    if step.target == S.READY and step.is_back:
        return "배달하지 못해 다시 기다립니다. 배달 사무실에서 다시 보냅니다"
    if step.target == S.OUT_FOR_DELIVERY:
        if step.confirmation_code is None:
            return "배달을 떠났습니다"
        return (
            f"배달을 떠났습니다. 확인 번호는 {step.confirmation_code}입니다. "
            "받을 때 배달원에게 알려 주십시오"
        )
    if step.target == S.DELIVERED:
        return "배달했습니다" if door else f"배달했습니다. 카드 결제 {amount} 확정"
    if step.target == S.REJECTED:
        money = "청구된 금액은 없습니다" if door else f"카드 승인 {amount} 취소"
        return f"판매자가 주문을 거절했습니다. {money}"
    if step.target == S.CANCELLED:
        money = "청구된 금액은 없습니다" if door else f"카드 승인 {amount} 취소"
        return f"주문이 취소되었습니다. {money}"
    if step.target == S.RETURNED:
        return f"반품되었습니다. {format_won(step.refund_won)} 환불했습니다"
    return None  # Accepted, preparing, ready: the merchant's steps.
