"""The ``delivery`` of each fulfilment in the shopper's order answers (API.md "Orders").

Composed here, in the API layer, because the orders app lies below delivery and may not ask
it: the order body comes from ``okryu.api.v1.order_bodies.order_body``, the delivery from
``delivery.queries.delivery_for_fulfilments``, in one more query per answer.
"""

from typing import Any

from okryu.delivery.queries import delivery_for_fulfilments


def add_deliveries(order_bodies: list[dict[str, Any]]) -> None:
    """Set ``delivery`` of every fulfilment of the shopper's order bodies (null: no job yet).

    The bodies must be the caller's own orders: the delivery carries the confirmation code.
    """
    fulfilments = [
        fulfilment for body in order_bodies for fulfilment in body["fulfilments"]
    ]
    found = delivery_for_fulfilments(fulfilment["id"] for fulfilment in fulfilments)
    for fulfilment in fulfilments:
        delivery = found.get(fulfilment["id"])
        fulfilment["delivery"] = delivery.as_api_dict() if delivery else None
