"""Reads of orders for pages and the API, with visibility built in.

A shopper sees only their orders and a merchant's staff only their merchant's fulfilments:
anything else is NotFound, never a different error, so existence does not leak.
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet

from okryu.core.errors import NotFound
from okryu.orders.models import Fulfilment, FulfilmentEvent, Order, OrderLine
from okryu.orders.rules import FulfilmentStatus

LIST_LIMIT_MAX = 100
S = FulfilmentStatus
STATUS_VALUES = frozenset(status.value for status in S)
OPEN_STATUSES = frozenset(
    {S.PLACED, S.ACCEPTED, S.PREPARING, S.READY, S.OUT_FOR_DELIVERY}
)


def _orders_with_details() -> QuerySet[Order]:
    return Order.objects.select_related("district").prefetch_related(
        Prefetch(
            "fulfilments",
            queryset=Fulfilment.objects.select_related("merchant").order_by("pk"),
        ),
        Prefetch("fulfilments__lines", queryset=OrderLine.objects.order_by("pk")),
        Prefetch(
            "fulfilments__events",
            queryset=FulfilmentEvent.objects.order_by("created_at", "pk"),
        ),
    )


def _check_page(limit: int, offset: int) -> None:
    assert 0 < limit <= LIST_LIMIT_MAX
    assert offset >= 0


def list_orders_for_shopper(
    *, shopper_id: int, limit: int, offset: int = 0
) -> tuple[list[Order], int]:
    """Return one page of the shopper's orders, newest first, with details, and the total."""
    _check_page(limit, offset)
    orders = Order.objects.filter(shopper_id=shopper_id)
    page = list(
        _orders_with_details()
        .filter(shopper_id=shopper_id)
        .order_by("-placed_at", "-pk")[offset : offset + limit]
    )
    return page, orders.count()


def get_order_for_shopper(*, shopper_id: int, order_id: int) -> Order:
    """Return the shopper's order with fulfilments, lines and events; NotFound for others'."""
    order = _orders_with_details().filter(pk=order_id, shopper_id=shopper_id).first()
    if order is None:
        raise NotFound("주문을 찾을 수 없습니다.")
    return order


def find_order_for_shopper_by_number(*, shopper_id: int, number: str) -> Order | None:
    """Return the shopper's order with this public number, with details, or None."""
    return _orders_with_details().filter(number=number, shopper_id=shopper_id).first()


def _fulfilments_with_details() -> QuerySet[Fulfilment]:
    return Fulfilment.objects.select_related(
        "order", "order__district", "merchant"
    ).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("pk")),
        Prefetch(
            "events", queryset=FulfilmentEvent.objects.order_by("created_at", "pk")
        ),
    )


def _staff_filter(staff_user_id: int) -> dict[str, object]:
    return {
        "merchant__staff__user_id": staff_user_id,
        "merchant__is_active": True,
    }


def list_fulfilments_for_staff(
    *, staff_user_id: int, status: str | None, limit: int, offset: int = 0
) -> tuple[list[Fulfilment], int]:
    """Return the fulfilments of the merchants the user works for, oldest first, and a total.

    ``status`` filters by one fulfilment status (callers validate it).
    """
    _check_page(limit, offset)
    fulfilments = Fulfilment.objects.filter(**_staff_filter(staff_user_id))
    if status is not None:
        assert status in STATUS_VALUES, "callers validate the status"
        fulfilments = fulfilments.filter(status=status)
    page = list(
        _fulfilments_with_details()
        .filter(pk__in=fulfilments.values("pk"))
        .order_by("placed_at", "pk")[offset : offset + limit]
    )
    return page, fulfilments.count()


def get_fulfilment_for_staff(*, staff_user_id: int, fulfilment_id: int) -> Fulfilment:
    """Return one fulfilment of the user's merchants, with details; NotFound otherwise."""
    fulfilment = (
        _fulfilments_with_details()
        .filter(pk=fulfilment_id, **_staff_filter(staff_user_id))
        .first()
    )
    if fulfilment is None:
        raise NotFound("주문을 찾을 수 없습니다.")
    return fulfilment


def list_fulfilments_for_logistics(
    *, statuses: Iterable[str], limit: int
) -> list[Fulfilment]:
    """Return fulfilments in ``statuses`` for the logistics office (operator), oldest first."""
    assert 0 < limit <= LIST_LIMIT_MAX
    wanted = list(statuses)
    assert all(status in STATUS_VALUES for status in wanted)
    return list(
        _fulfilments_with_details()
        .filter(status__in=wanted)
        .order_by("status_changed_at", "pk")[:limit]
    )


def fulfilment_payment_status(fulfilment: Fulfilment) -> str:
    """Return where one fulfilment's money stands: held, captured, refunded or voided."""
    status = S(fulfilment.status)
    if status in OPEN_STATUSES:
        return "held"
    if status == S.DELIVERED:
        return "captured"
    if status == S.RETURNED:
        return "refunded"
    return "voided"


def payment_status_of(order: Order) -> str:
    """Return where the order's money stands (uses prefetched fulfilments when present).

    ``held`` while every part still waits; ``partly_captured`` when some part was captured
    and another still waits; ``captured`` when every part is settled and some was captured;
    ``refunded`` when what was captured was all given back; ``voided`` when nothing was.
    """
    states = {fulfilment_payment_status(f) for f in order.fulfilments.all()}
    if "held" in states:
        return "partly_captured" if "captured" in states else "held"
    if "captured" in states:
        return "captured"
    if "refunded" in states:
        return "refunded"
    return "voided"


def payment_amount_of(order: Order) -> int:
    """Return the amount that goes with ``payment_status_of``: held, or captured less refunds."""
    fulfilments = list(order.fulfilments.all())
    held = sum(
        f.items_total_won + f.delivery_fee_won
        for f in fulfilments
        if fulfilment_payment_status(f) == "held"
    )
    captured = sum(f.captured_won - f.refunded_won for f in fulfilments)
    refunded = sum(f.refunded_won for f in fulfilments)
    status = payment_status_of(order)
    if status == "held":
        return held
    if status == "refunded":
        return refunded
    if status == "voided":
        return 0
    return captured + held


def fulfilment_as_api_dict(fulfilment: Fulfilment) -> dict[str, Any]:
    """Return one fulfilment as API.md shows it inside an order."""
    return {
        "id": fulfilment.pk,
        "merchant": fulfilment.merchant_id,
        "merchant_name": fulfilment.merchant.name,
        "merchant_name_en": fulfilment.merchant.name_en,
        "status": fulfilment.status,
        "items_total": fulfilment.items_total_won,
        "delivery_fee": fulfilment.delivery_fee_won,
        "lines": [
            {
                "product": line.product_id,
                "name": line.name,
                "name_en": line.name_en,
                "quantity": line.quantity,
                "price": line.unit_price_won,
                "total": line.total_won,
            }
            for line in fulfilment.lines.all()
        ],
    }


def order_as_api_dict(order: Order) -> dict[str, Any]:
    """Return the order as API.md's ``POST /orders`` 201 body (and its ``GET`` detail).

    The same function builds the first answer, stored with the idempotency key, so a replay
    answers identically. Extra fields (``number``, names, per-part fees) only add.
    """
    fulfilments = sorted(order.fulfilments.all(), key=lambda f: f.pk)
    return {
        "id": order.pk,
        "number": order.number,
        "status": order.status,
        "total": order.total_won,
        "delivery_fee": order.delivery_fee_won,
        "items_total": order.items_total_won,
        "placed_at": order.placed_at.isoformat(),
        "slot_starts_at": (
            order.slot_starts_at.isoformat() if order.slot_starts_at else None
        ),
        "fulfilments": [fulfilment_as_api_dict(f) for f in fulfilments],
        "payment": {
            "status": payment_status_of(order),
            "amount": payment_amount_of(order),
        },
    }
