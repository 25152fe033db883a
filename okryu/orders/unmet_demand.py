"""Checkout's part in recording unmet demand: an ``out_of_stock`` refusal outlives its rollback.

A refused checkout changes nothing (DESIGN.md invariant 7), so the refusal is recorded after
the checkout's transaction has rolled back, in a commit of its own, by wrapping the service.
"""

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from okryu.catalog.demand import record_out_of_stock_refusal
from okryu.catalog.errors import OutOfStock
from okryu.orders.services.checkout.shape import CheckoutOrder

P = ParamSpec("P")
R = TypeVar("R")


def records_out_of_stock(place: Callable[P, R]) -> Callable[P, R]:
    """Wrap a checkout service called with ``checkout=``: record its out-of-stock refusals.

    The refused product's units are those the request's lines asked for; the district is
    the delivery address's. The refusal is raised unchanged after it is recorded.
    """

    @functools.wraps(place)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return place(*args, **kwargs)
        except OutOfStock as refusal:
            checkout = kwargs.get("checkout")
            product_id = refusal.extra.get("product")
            if isinstance(checkout, CheckoutOrder) and isinstance(product_id, int):
                record_out_of_stock_refusal(
                    product_id=product_id,
                    quantity=sum(
                        line.quantity
                        for line in checkout.lines
                        if line.product_id == product_id
                    ),
                    district_id=checkout.district_id,
                )
            raise

    return wrapped
