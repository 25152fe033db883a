"""Losses at the door: offline door records refused on upload, as the supervisor and the
operator see and settle them.

``door.pay_at_the_door`` books each one (``DoorLoss``: the items from the logistics office's
door losses account to the merchant, the card blocked, the holder's debt). The bank's
supervisor reviews them (``list_door_losses``); an operator clears one once the debt is
settled or written off (``clear_door_loss``), which lets its shopper order by door again.
Clearing moves no money and does not unblock the card: once a card's every loss is cleared, a
teller may unblock it at the counter (before that the counter refuses, ``door_debt_open``), so
neither the operator nor the teller reopens an indebted card alone. Nobody clears their own
loss.
"""

from dataclasses import dataclass
from typing import Any

from okryu.accounts.models import Role, RoleGrant
from okryu.core import clock
from okryu.core.errors import InvalidInput, NotFound, PermissionDenied
from okryu.core.transactions import service_transaction
from okryu.orders.errors import OwnDoorLoss
from okryu.orders.models import DoorLoss
from okryu.payments.cards import mark_door_debt_cleared

REVIEWER_ROLES = frozenset({Role.SUPERVISOR, Role.OPERATOR})


@dataclass(frozen=True)
class DoorLossPage:
    """One page of losses, newest first, and how many there are in all."""

    items: list[dict[str, Any]]
    count: int


def _holds_any(user_id: int, roles: frozenset[Role]) -> bool:
    return RoleGrant.objects.filter(user_id=user_id, role__in=roles).exists()


def door_loss_as_api_dict(loss: DoorLoss) -> dict[str, Any]:
    """Return a loss as the supervisor's list and the operator's clearing answer it."""
    fulfilment = loss.fulfilment
    return {
        "id": loss.pk,
        "order_number": fulfilment.order.number,
        "fulfilment": fulfilment.pk,
        "merchant": fulfilment.merchant.name,
        "amount": loss.amount_won,
        "booked_to_loss": loss.loss_transfer.amount_won if loss.loss_transfer else 0,
        "refusal_code": loss.door_payment.refusal_code,
        "card": f"****{loss.card.number[-4:]}",
        "card_status": loss.card.status,
        "holder": loss.holder.get_username(),
        "shopper": loss.shopper.get_username(),
        "created_at": loss.created_at.isoformat(),
        "cleared_at": loss.cleared_at.isoformat() if loss.cleared_at else None,
        "cleared_by": loss.cleared_by.get_username() if loss.cleared_by else None,
        "clearing_note": loss.clearing_note,
    }


def list_door_losses(
    *, actor_user_id: int, open_only: bool, limit: int, offset: int
) -> DoorLossPage:
    """Return a page of losses (uncleared only, if asked) for a supervisor or an operator."""
    if not _holds_any(actor_user_id, REVIEWER_ROLES):
        raise PermissionDenied("은행 감독원이나 운영자만 볼 수 있습니다.")
    losses = DoorLoss.objects.select_related(
        "fulfilment__order",
        "fulfilment__merchant",
        "door_payment",
        "card",
        "holder",
        "shopper",
        "cleared_by",
        "loss_transfer",
    )
    if open_only:
        losses = losses.filter(cleared_at__isnull=True)
    return DoorLossPage(
        items=[door_loss_as_api_dict(loss) for loss in losses[offset : offset + limit]],
        count=losses.count(),
    )


NOTE_LENGTH_MAX = DoorLoss.NOTE_LENGTH_MAX


@service_transaction(durable=False)
def clear_door_loss(*, operator_user_id: int, loss_id: int, note: str) -> DoorLoss:
    """Clear a loss once its debt is settled or written off: its shopper may order by door
    again. Clearing a cleared loss returns it unchanged.

    Refused, changing nothing: PermissionDenied (not an operator); OwnDoorLoss (the
    operator is the loss's shopper or the card's holder); InvalidInput (``note`` blank or
    over 200 characters); NotFound. The card may be unblocked at the counter once none of
    its losses is left uncleared.
    """
    if not _holds_any(operator_user_id, frozenset({Role.OPERATOR})):
        raise PermissionDenied("운영자만 할 수 있습니다.")
    text = note.strip()
    if not text or len(text) > NOTE_LENGTH_MAX:
        raise InvalidInput("사유는 1자에서 200자까지입니다.", field="note")
    loss = DoorLoss.objects.select_for_update().filter(pk=loss_id).first()
    if loss is None:
        raise NotFound("미결제 기록을 찾을 수 없습니다.")
    if operator_user_id in (loss.shopper_id, loss.holder_id):
        raise OwnDoorLoss("자기 자신의 미결제 기록은 정리할 수 없습니다.")
    if loss.cleared_at is None:
        DoorLoss.objects.filter(pk=loss.pk, cleared_at__isnull=True).update(
            cleared_at=clock.now(),
            cleared_by_id=operator_user_id,
            clearing_note=text,
        )
        card_owes_more = DoorLoss.objects.filter(
            card_id=loss.card_id, cleared_at__isnull=True
        ).exists()
        if not card_owes_more:
            mark_door_debt_cleared(card_id=loss.card_id)
    loss.refresh_from_db()
    return loss


def has_uncleared_door_loss(shopper_id: int) -> bool:
    """Return whether the shopper has a door hand-over left unpaid and not cleared."""
    return DoorLoss.objects.filter(
        shopper_id=shopper_id, cleared_at__isnull=True
    ).exists()
