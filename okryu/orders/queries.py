"""Reads of orders for pages and the API, with visibility built in.

A shopper sees only their orders and a merchant's staff only their merchant's fulfilments:
anything else is NotFound, never a different error, so existence does not leak.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from okryu.core.errors import NotFound
from okryu.core.idempotency import IDEMPOTENCY_KEY_LENGTH_MAX
from okryu.core.models import IdempotencyRecord
from okryu.merchants.models import MerchantKind
from okryu.orders.models import (
    DoorPayment,
    Fulfilment,
    FulfilmentEvent,
    Order,
    OrderLine,
    PaymentMethodChoices,
)
from okryu.orders.rules import (
    FulfilmentStatus,
    kitchen_due_at,
    preparation_minutes_of,
)

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


def find_order_for_shopper_by_checkout_key(
    *, shopper_id: int, key: str
) -> Order | None:
    """Return the order the shopper's checkout with idempotency ``key`` placed, or None.

    This is how a page or an app that lost the answer to its checkout asks what became of
    it instead of sending it again: the key is stored with the order in the same commit
    (``place_order``), so None means the checkout was not placed (yet), never "lost".
    A refused checkout stores nothing, so it is None too. Keys live as long as their
    idempotency records (``core.idempotency.IDEMPOTENCY_RETENTION``).
    """
    # Imported here: the checkout service imports this module for its answers.
    from okryu.orders.services.checkout import PLACE_ORDER_SCOPE  # noqa: PLC0415

    stripped = key.strip()
    if not stripped or len(stripped) > IDEMPOTENCY_KEY_LENGTH_MAX:
        return None
    record = (
        IdempotencyRecord.objects.filter(
            scope=f"{PLACE_ORDER_SCOPE}:{shopper_id}", key=stripped, status_code=201
        )
        .only("response_body")
        .first()
    )
    if record is None or not isinstance(record.response_body, dict):
        return None
    order_id = record.response_body.get("id")
    if not isinstance(order_id, int):
        return None
    return _orders_with_details().filter(pk=order_id, shopper_id=shopper_id).first()


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
    *,
    staff_user_id: int,
    status: str | None,
    limit: int,
    offset: int = 0,
    merchant_kind: str | None = None,
) -> tuple[list[Fulfilment], int]:
    """Return the fulfilments of the merchants the user works for, oldest first, and a total.

    ``status`` filters by one fulfilment status (callers validate it); ``merchant_kind`` by
    the kind of merchant (a kitchen's restaurants).
    """
    _check_page(limit, offset)
    fulfilments = Fulfilment.objects.filter(**_staff_filter(staff_user_id))
    if status is not None:
        assert status in STATUS_VALUES, "callers validate the status"
        fulfilments = fulfilments.filter(status=status)
    if merchant_kind is not None:
        assert merchant_kind in MerchantKind.values, "callers pass a known kind"
        fulfilments = fulfilments.filter(merchant__kind=merchant_kind)
    page = list(
        _fulfilments_with_details()
        .filter(pk__in=fulfilments.values("pk"))
        .order_by("placed_at", "pk")[offset : offset + limit]
    )
    return page, fulfilments.count()


def count_fulfilments_for_staff(
    *, staff_user_id: int, statuses: Iterable[str]
) -> dict[str, int]:
    """Return how many fulfilments of the user's merchants are in each of ``statuses``
    (0 for none), in one query: the counts of the merchant queue's tabs."""
    wanted = list(statuses)
    assert all(status in STATUS_VALUES for status in wanted)
    counts = dict.fromkeys(wanted, 0)
    rows = (
        Fulfilment.objects.filter(**_staff_filter(staff_user_id), status__in=wanted)
        .values("status")
        .annotate(count=Count("id", distinct=True))
        .order_by()
    )
    for row in rows:
        counts[row["status"]] = row["count"]
    return counts


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


# What a restaurant's kitchen still has to cook: accepted, then being prepared.
KITCHEN_STATUSES = (S.ACCEPTED, S.PREPARING)


@dataclass(frozen=True)
class KitchenTicket:
    """One fulfilment on a kitchen's screen: when it was accepted and when it is due."""

    fulfilment: Fulfilment
    accepted_at: dt.datetime
    due_at: dt.datetime
    preparation_minutes: int = 0

    @property
    def starts_at(self) -> dt.datetime:
        """When cooking should start to be ready at ``due_at``."""
        return self.due_at - dt.timedelta(minutes=self.preparation_minutes)


def list_kitchen_tickets_for_staff(
    *, staff_user_id: int, limit: int
) -> list[KitchenTicket]:
    """Return the accepted and preparing fulfilments of the user's restaurants.

    Oldest accepted first, with their lines (and each line's product) loaded. A ticket is
    due its preparation time after acceptance: the slowest dish's own time, or the
    restaurant's for a dish without one (``rules.preparation_minutes_of``).
    """
    assert 0 < limit <= LIST_LIMIT_MAX
    accepted_at = (
        FulfilmentEvent.objects.filter(fulfilment=OuterRef("pk"), to_status=S.ACCEPTED)
        .order_by("created_at", "pk")
        .values("created_at")[:1]
    )
    fulfilments = (
        Fulfilment.objects.filter(
            **_staff_filter(staff_user_id),
            merchant__kind=MerchantKind.RESTAURANT,
            status__in=KITCHEN_STATUSES,
        )
        .select_related("order", "merchant")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.select_related("product").order_by("pk"),
            )
        )
        # Every accepted fulfilment has its event; the fallback only keeps a row that
        # lost it (a hand-made fixture) on the screen rather than off it.
        .annotate(accepted_at=Coalesce(Subquery(accepted_at), F("status_changed_at")))
        .order_by("accepted_at", "pk")[:limit]
    )
    tickets = [_kitchen_ticket(fulfilment) for fulfilment in fulfilments]
    # Cooked in the order they are due: a ticket for a later slot waits its turn.
    return sorted(tickets, key=lambda ticket: (ticket.due_at, ticket.accepted_at))


def _kitchen_ticket(fulfilment: Fulfilment) -> KitchenTicket:
    accepted: dt.datetime = fulfilment.accepted_at  # type: ignore[attr-defined]
    minutes = preparation_minutes_of(
        (line.product.preparation_minutes for line in fulfilment.lines.all()),
        merchant_minutes=fulfilment.merchant.preparation_minutes,
    )
    return KitchenTicket(
        fulfilment=fulfilment,
        accepted_at=accepted,
        due_at=kitchen_due_at(
            accepted_at=accepted,
            preparation_minutes=minutes,
            slot_starts_at=fulfilment.order.slot_starts_at,
        ),
        preparation_minutes=minutes,
    )


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


def fulfilment_payment_status(fulfilment: Fulfilment, *, method: str = "card") -> str:
    """Return where one fulfilment's money stands: held, captured, refunded or voided.

    Paid at the door (``method`` ``"door"``) it is ``due``, ``paid``, ``refunded``,
    ``unpaid`` (handed over, the record refused) or ``cancelled`` (nothing was due).
    """
    status = S(fulfilment.status)
    if method == PaymentMethodChoices.DOOR:
        return _door_payment_status(fulfilment, status)
    if status in OPEN_STATUSES:
        return "held"
    if status == S.DELIVERED:
        return "captured"
    if status == S.RETURNED:
        return "refunded"
    return "voided"


def _door_payment_status(fulfilment: Fulfilment, status: FulfilmentStatus) -> str:
    if fulfilment.refunded_won:
        return "refunded"
    if fulfilment.captured_won:
        return "paid"
    if status in OPEN_STATUSES:
        return "due"
    if status in (S.DELIVERED, S.RETURNED):
        return "unpaid"
    return "cancelled"


def _door_order_payment_status(states: set[str]) -> str:
    if "due" in states:
        return "partly_paid" if "paid" in states else "due"
    for state in ("paid", "unpaid", "refunded"):
        if state in states:
            return state
    return "cancelled"


def payment_status_of(method: str, fulfilments: Sequence[Fulfilment]) -> str:
    """Return where an order's money stands, from its payment method and its fulfilments.

    ``held`` while every part still waits; ``partly_captured`` when some part was captured
    and another still waits; ``captured`` when every part is settled and some was captured;
    ``refunded`` when what was captured was all given back; ``voided`` when nothing was.
    Paid at the door: ``due`` until a part is paid, ``partly_paid``, ``paid``, ``unpaid``
    (handed over, the record refused), ``refunded``, or ``cancelled`` when nothing was due.
    """
    if method == PaymentMethodChoices.DOOR:
        return _door_order_payment_status(
            {fulfilment_payment_status(f, method=method) for f in fulfilments}
        )
    states = {fulfilment_payment_status(f) for f in fulfilments}
    if "held" in states:
        return "partly_captured" if "captured" in states else "held"
    if "captured" in states:
        return "captured"
    if "refunded" in states:
        return "refunded"
    return "voided"


def payment_amount_of(method: str, fulfilments: Sequence[Fulfilment]) -> int:
    """Return the amount that goes with ``payment_status_of``: held, or captured less refunds."""
    held = sum(
        f.items_total_won + f.delivery_fee_won
        for f in fulfilments
        if fulfilment_payment_status(f, method=method) == "held"
    )
    captured = sum(f.captured_won - f.refunded_won for f in fulfilments)
    refunded = sum(f.refunded_won for f in fulfilments)
    status = payment_status_of(method, fulfilments)
    if status in ("held", "due"):
        return held if status == "held" else due_at_door_of(method, fulfilments)
    if status == "refunded":
        return refunded
    if status in ("voided", "cancelled", "unpaid"):
        return 0
    return captured + held + due_at_door_of(method, fulfilments)


def due_at_door_of(method: str, fulfilments: Sequence[Fulfilment]) -> int:
    """Return what is still to be paid at the door for an order (0 for a card order)."""
    if method != PaymentMethodChoices.DOOR:
        return 0
    return sum(
        f.items_total_won + f.delivery_fee_won
        for f in fulfilments
        if fulfilment_payment_status(f, method=method) == "due"
    )


@dataclass(frozen=True)
class FulfilmentRows:
    """One merchant's part of an order as stored: the fulfilment (with its merchant), lines."""

    fulfilment: Fulfilment
    lines: tuple[OrderLine, ...]


@dataclass(frozen=True)
class OrderRows:
    """An order as stored, with its parts in primary-key order: what its replies are built of."""

    order: Order
    fulfilments: tuple[FulfilmentRows, ...]

    @property
    def fulfilment_rows(self) -> list[Fulfilment]:
        """The fulfilments alone, in primary-key order."""
        return [part.fulfilment for part in self.fulfilments]


def rows_of_order(order: Order) -> OrderRows:
    """Return the rows of an order read with its details (``get_order_for_shopper``)."""
    return OrderRows(
        order=order,
        fulfilments=tuple(
            FulfilmentRows(fulfilment=f, lines=tuple(f.lines.all()))
            for f in sorted(order.fulfilments.all(), key=lambda f: f.pk)
        ),
    )


def get_order_rows_for_shopper(*, shopper_id: int, order_id: int) -> OrderRows:
    """Return the rows of the shopper's order; NotFound for another's."""
    return rows_of_order(
        get_order_for_shopper(shopper_id=shopper_id, order_id=order_id)
    )


def door_payment_as_api_dict(payment: DoorPayment) -> dict[str, Any]:
    """Return a fulfilment's payment at the door as ``POST /terminal/payments`` answers it."""
    fulfilment = payment.fulfilment
    return {
        "id": payment.pk,
        "fulfilment": fulfilment.pk,
        "order": fulfilment.order_id,
        "order_number": fulfilment.order.number,
        "status": payment.status,
        "amount": payment.amount_won,
        "items_total": fulfilment.items_total_won,
        "delivery_fee": fulfilment.delivery_fee_won,
        "card": f"****{payment.card_last4}",
        "counter": payment.counter,
        "offline": payment.is_offline,
        "created_at": payment.created_at.isoformat(),
    }


def get_door_payment_due(*, fulfilment_id: int) -> dict[str, Any]:
    """Return what a fulfilment paid at the door owes now, and its payment if recorded.

    For the logistics office's terminals (the caller checks the role); a fulfilment not
    paid at the door is NotFound here.
    """
    fulfilment = (
        Fulfilment.objects.select_related("order")
        .filter(pk=fulfilment_id, order__payment_method=PaymentMethodChoices.DOOR)
        .first()
    )
    if fulfilment is None:
        raise NotFound("주문을 찾을 수 없습니다.")
    payment = DoorPayment.objects.filter(fulfilment=fulfilment).first()
    is_due = _door_payment_status(fulfilment, S(fulfilment.status)) == "due"
    return {
        "fulfilment": fulfilment.pk,
        "order_number": fulfilment.order.number,
        "status": fulfilment.status,
        "amount_due": (
            fulfilment.items_total_won + fulfilment.delivery_fee_won
            if is_due and payment is None
            else 0
        ),
        "payment": door_payment_as_api_dict(payment) if payment else None,
    }
