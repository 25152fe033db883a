"""Use cases that change orders: checkout and the fulfilment lifecycle.

Public services are re-exported here: ``from okryu.orders import services``.
"""

from okryu.orders.services.checkout import (
    CheckoutLine,
    CheckoutOrder,
    CheckoutQuote,
    MerchantQuote,
    PlacedOrder,
    checkout_order_from_basket,
    place_order,
    quote_checkout,
)
from okryu.orders.services.fulfilment import (
    accept_fulfilment,
    cancel_order,
    deliver,
    expire_fulfilment_hold,
    mark_ready,
    reject_fulfilment,
    return_delivery_attempt,
    return_fulfilment,
    send_out,
    start_preparing,
)

__all__ = [
    "CheckoutLine",
    "CheckoutOrder",
    "CheckoutQuote",
    "MerchantQuote",
    "PlacedOrder",
    "accept_fulfilment",
    "cancel_order",
    "checkout_order_from_basket",
    "deliver",
    "expire_fulfilment_hold",
    "mark_ready",
    "place_order",
    "quote_checkout",
    "reject_fulfilment",
    "return_delivery_attempt",
    "return_fulfilment",
    "send_out",
    "start_preparing",
]
