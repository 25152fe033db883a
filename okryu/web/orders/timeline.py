"""What the order page shows per fulfilment: its lines, status, payment, event timeline and
delivery.

Read from the order as the orders query loaded it (fulfilments with merchant, lines and
events prefetched) and from the deliveries the caller read in one query, so building the
view adds no query.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext

from okryu.delivery.models import JobStatus, VehicleChoices
from okryu.delivery.queries import FulfilmentDelivery
from okryu.delivery.rules import SCHEDULED
from okryu.orders.models import (
    Fulfilment,
    FulfilmentEvent,
    FulfilmentStatusChoices,
    Order,
    OrderLine,
    PaymentMethodChoices,
)
from okryu.orders.rules import RELEASING_STATUSES, FulfilmentStatus


@dataclass(frozen=True)
class TimelineEntry:
    """One step of a fulfilment: the status it reached, when, and the note (a reason)."""

    event: FulfilmentEvent
    status_label: str


@dataclass(frozen=True)
class DeliveryView:
    """Where a fulfilment's delivery stands, for its shopper (the code while it may be asked)."""

    status_label: str
    vehicle_label: str
    courier: str | None
    eta: dt.datetime | None
    confirmation_code: str | None


@dataclass(frozen=True)
class FulfilmentView:
    """One merchant's part of an order as the order page shows it."""

    fulfilment: Fulfilment
    status_label: str
    payment_label: str
    lines: tuple[OrderLine, ...]
    timeline: tuple[TimelineEntry, ...]
    # Once its delivery job exists.
    delivery: DeliveryView | None = None


def delivery_view(delivery: FulfilmentDelivery | None) -> DeliveryView | None:
    """Return a fulfilment's delivery with its status and vehicle in the reader's language."""
    if delivery is None:
        return None
    return DeliveryView(
        status_label=(
            gettext("배달 시간 기다리는 중")
            if delivery.status == SCHEDULED
            else str(JobStatus(delivery.status).label)
        ),
        vehicle_label=str(VehicleChoices(delivery.vehicle).label),
        courier=delivery.courier,
        eta=delivery.eta,
        confirmation_code=delivery.confirmation_code,
    )


def status_label(status: str) -> str:
    """Return the translated name of a fulfilment status."""
    return str(FulfilmentStatusChoices(status).label)


def payment_label(fulfilment: Fulfilment, *, is_paid_at_door: bool = False) -> str:
    """Return where the fulfilment's money stands: held, paid, refunded or released."""
    if fulfilment.refunded_won:
        return gettext("환불됨")
    if fulfilment.captured_won:
        return gettext("결제됨")
    if is_paid_at_door:
        return _door_payment_label(fulfilment)
    if FulfilmentStatus(fulfilment.status) in RELEASING_STATUSES:
        return gettext("카드 보류 풀림 (청구 없음)")
    return gettext("카드 보류 중 (배달 때 결제)")


def _door_payment_label(fulfilment: Fulfilment) -> str:
    status = FulfilmentStatus(fulfilment.status)
    if status in RELEASING_STATUSES:
        return gettext("청구 없음")
    if status in (FulfilmentStatus.DELIVERED, FulfilmentStatus.RETURNED):
        return gettext("미결제")
    return gettext("문앞에서 결제 예정")


def fulfilment_views(
    order: Order, deliveries: Mapping[int, FulfilmentDelivery] | None = None
) -> list[FulfilmentView]:
    """Return the order's fulfilments, each with its lines and timeline, in merchant order.

    ``deliveries`` (by fulfilment id, from ``delivery_for_fulfilments``) adds each one's
    delivery; the caller passes only the shopper's own.
    """
    found = deliveries or {}
    return [
        FulfilmentView(
            fulfilment=fulfilment,
            status_label=status_label(fulfilment.status),
            payment_label=payment_label(
                fulfilment,
                is_paid_at_door=order.payment_method == PaymentMethodChoices.DOOR,
            ),
            lines=tuple(fulfilment.lines.all()),
            timeline=tuple(
                TimelineEntry(event=event, status_label=status_label(event.to_status))
                for event in fulfilment.events.all()
            ),
            delivery=delivery_view(found.get(fulfilment.pk)),
        )
        for fulfilment in order.fulfilments.all()
    ]
