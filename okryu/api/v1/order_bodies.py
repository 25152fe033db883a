"""The API's JSON bodies of an order and of a fulfilment, built from the rows as stored.

``POST /orders`` (first answer and every replay), ``GET /orders/{id}``, the list and the
cancellation all answer ``order_body``; the merchant's routes answer ``fulfilment_body``.
The orders layer hands over rows (``okryu.orders.queries.OrderRows``), never JSON.
"""

from collections.abc import Sequence
from typing import Any

from okryu.orders.models import Fulfilment, OrderLine, PaymentMethodChoices
from okryu.orders.queries import (
    OrderRows,
    due_at_door_of,
    payment_amount_of,
    payment_status_of,
)


def order_body(rows: OrderRows) -> dict[str, Any]:
    """Return the order as API.md's ``POST /orders`` 201 body (and its ``GET`` detail)."""
    order = rows.order
    fulfilments = rows.fulfilment_rows
    method = order.payment_method
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
        "fulfilments": [
            fulfilment_body(part.fulfilment, part.lines) for part in rows.fulfilments
        ],
        "payment": {
            "status": payment_status_of(method, fulfilments),
            "amount": payment_amount_of(method, fulfilments),
            # Only for an order paid at the door, so card orders answer as they always did.
            **(
                {"method": method, "due_at_door": due_at_door_of(method, fulfilments)}
                if method == PaymentMethodChoices.DOOR
                else {}
            ),
        },
    }


def fulfilment_body(
    fulfilment: Fulfilment, lines: Sequence[OrderLine]
) -> dict[str, Any]:
    """Return one fulfilment as API.md shows it inside an order (its merchant read with it)."""
    return {
        "id": fulfilment.pk,
        "order": fulfilment.order_id,
        "placed_at": fulfilment.placed_at.isoformat(),
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
                "options": line.options_text,
                "options_en": line.options_text_en,
            }
            for line in lines
        ],
    }
