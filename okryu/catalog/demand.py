"""Unmet demand: what shoppers asked for and could not get (issue "support production").

The catalog owns these records because they are about its products and stock, and every app
that meets a shopper's unmet wish (checkout in ``orders``, the search and product pages in
``web`` and ``api``) sits above it. They name no person: producers need what, how much, when
and where, not who. ``okryu.insights`` only reads them.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F

from okryu.catalog.models import (
    EmptySearch,
    Product,
    SoldOutView,
    UnmetDemand,
    UnmetDemandKind,
)
from okryu.core import clock
from okryu.core.transactions import service_transaction


def record_unmet_demand(
    *,
    product_id: int,
    kind: UnmetDemandKind,
    quantity: int,
    district_id: int | None,
    at: dt.datetime | None = None,
) -> UnmetDemand:
    """Record ``quantity`` units of a product asked for and not had, in the caller's commit."""
    assert type(quantity) is int
    assert quantity > 0
    return UnmetDemand.objects.create(
        product_id=product_id,
        kind=kind,
        quantity=quantity,
        district_id=district_id,
        at=at or clock.now(),
    )


@service_transaction(durable=False)
def record_out_of_stock_refusal(
    *, product_id: int, quantity: int, district_id: int | None
) -> None:
    """Record an order line refused as out of stock, in its own commit.

    Called after the refused checkout's transaction has rolled back, so the record outlives
    it; an unknown product (deleted meanwhile) is not recorded.
    """
    if quantity <= 0 or not Product.objects.filter(pk=product_id).exists():
        return
    record_unmet_demand(
        product_id=product_id,
        kind=UnmetDemandKind.REFUSED,
        quantity=quantity,
        district_id=district_id,
    )


def record_empty_search(query: str) -> None:
    """Count one search that found nothing, by its words and the Pyongyang day."""
    words = " ".join(query.split())[: EmptySearch.QUERY_LENGTH_MAX]
    if not words:
        return
    day = clock.now().astimezone(clock.PYONGYANG).date()
    _count_daily(EmptySearch, day=day, query=words)


def record_sold_out_view(product_id: int) -> None:
    """Count one view of a sold-out product's page on the Pyongyang day."""
    day = clock.now().astimezone(clock.PYONGYANG).date()
    _count_daily(SoldOutView, day=day, product_id=product_id)


def _count_daily(model: type[EmptySearch] | type[SoldOutView], **key: object) -> None:
    # A conditional UPDATE, or the day's first INSERT; a concurrent first INSERT loses on the
    # unique constraint and the UPDATE is tried again against the winner's row.
    for _attempt in range(2):
        with transaction.atomic():
            if model.objects.filter(**key).update(count=F("count") + 1) == 1:
                return
        try:
            with transaction.atomic():
                model.objects.create(count=1, **key)
        except IntegrityError:
            continue
        return
