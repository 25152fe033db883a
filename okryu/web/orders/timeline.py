"""What the order page shows per fulfilment: its lines, status, payment and event timeline.

Read from the order as the orders query loaded it (fulfilments with merchant, lines and
events prefetched), so building the view adds no query.
"""

from dataclasses import dataclass

from django.utils.translation import gettext

from okryu.orders.models import (
    Fulfilment,
    FulfilmentEvent,
    FulfilmentStatusChoices,
    Order,
    OrderLine,
)
from okryu.orders.rules import RELEASING_STATUSES, FulfilmentStatus


@dataclass(frozen=True)
class TimelineEntry:
    """One step of a fulfilment: the status it reached, when, and the note (a reason)."""

    event: FulfilmentEvent
    status_label: str


@dataclass(frozen=True)
class FulfilmentView:
    """One merchant's part of an order as the order page shows it."""

    fulfilment: Fulfilment
    status_label: str
    payment_label: str
    lines: tuple[OrderLine, ...]
    timeline: tuple[TimelineEntry, ...]


def status_label(status: str) -> str:
    """Return the translated name of a fulfilment status."""
    return str(FulfilmentStatusChoices(status).label)


def payment_label(fulfilment: Fulfilment) -> str:
    """Return where the fulfilment's money stands: held, paid, refunded or released."""
    if fulfilment.refunded_won:
        return gettext("환불됨")
    if fulfilment.captured_won:
        return gettext("결제됨")
    if FulfilmentStatus(fulfilment.status) in RELEASING_STATUSES:
        return gettext("카드 보류 풀림 (청구 없음)")
    return gettext("카드 보류 중 (배달 때 결제)")


def fulfilment_views(order: Order) -> list[FulfilmentView]:
    """Return the order's fulfilments, each with its lines and timeline, in merchant order."""
    return [
        FulfilmentView(
            fulfilment=fulfilment,
            status_label=status_label(fulfilment.status),
            payment_label=payment_label(fulfilment),
            lines=tuple(fulfilment.lines.all()),
            timeline=tuple(
                TimelineEntry(event=event, status_label=status_label(event.to_status))
                for event in fulfilment.events.all()
            ),
        )
        for fulfilment in order.fulfilments.all()
    ]
