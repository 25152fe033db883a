"""Checkout: from what the shopper asks for to the order's rows, in one straight line.

The single entry point is ``place_order`` (``place.py``), which calls one module per job:

- ``shape``: what a checkout asks for (``CheckoutOrder``) and its checks before the database;
- ``pricing``: the products, options, prices seen and delivery fees (also ``quote_checkout``);
- ``stock``: restaurants open, daily purchase limits, stock and dish portions;
- ``holds``: the card and its PIN, the money held per fulfilment and the holds' expiry;
- ``rows``: the order, its fulfilments, lines and first events;
- ``reply``: the order id stored with the idempotency key, the replay, the SMS.
"""

from okryu.orders.services.checkout.place import place_order
from okryu.orders.services.checkout.pricing import (
    CheckoutQuote,
    MerchantQuote,
    quote_checkout,
)
from okryu.orders.services.checkout.reply import PLACE_ORDER_SCOPE, PlacedOrder
from okryu.orders.services.checkout.shape import (
    CheckoutLine,
    CheckoutOrder,
    checkout_order_from_basket,
)

__all__ = [
    "PLACE_ORDER_SCOPE",
    "CheckoutLine",
    "CheckoutOrder",
    "CheckoutQuote",
    "MerchantQuote",
    "PlacedOrder",
    "checkout_order_from_basket",
    "place_order",
    "quote_checkout",
]
