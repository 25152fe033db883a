"""Checkout's part in fair shares: the per-shopper limit of a product over a period.

The units a shopper ordered on each Pyongyang day are the ``DailyPurchase`` counter rows the
daily limit keeps (released orders give theirs back). For a product with a period limit,
checkout adds the line to today's row first, which locks it (PostgreSQL's row lock, SQLite's
write lock) so two concurrent orders of the same shopper are counted one after the other,
then sums the period's rows: over the limit, the order is refused and the rollback undoes the
count.
"""

import datetime as dt
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from okryu.catalog.models import Product
from okryu.core import clock
from okryu.orders.errors import OverPeriodLimit
from okryu.orders.models import DailyPurchase
from okryu.orders.services.checkout.shape import CheckoutLine


def count_period_purchases(
    shopper_id: int,
    lines: Sequence[CheckoutLine],
    products: dict[int, Product],
    *,
    now: dt.datetime,
) -> None:
    """Count the lines of period-limited products; OverPeriodLimit when one goes over.

    Runs in the checkout's transaction after the daily limit was counted (which already
    added today's units of products with a daily limit too).
    """
    today = now.astimezone(clock.PYONGYANG).date()
    wanted: dict[int, int] = {}
    for line in lines:
        if products[line.product_id].purchase_limit_per_period is not None:
            wanted[line.product_id] = wanted.get(line.product_id, 0) + line.quantity
    for product_id in sorted(wanted):
        product = products[product_id]
        if product.purchase_limit_per_day is None:
            _add_to_today(shopper_id, product_id, wanted[product_id], today)
        limit = product.purchase_limit_per_period
        days = product.purchase_limit_period_days
        assert limit is not None
        assert days is not None
        bought = (
            DailyPurchase.objects.filter(
                shopper_id=shopper_id,
                product_id=product_id,
                day__gt=today - dt.timedelta(days=days),
                day__lte=today,
            ).aggregate(units=Sum("quantity"))["units"]
            or 0
        )
        if bought > limit:
            before = bought - wanted[product_id]
            raise OverPeriodLimit(
                f"{product.name}은(는) 한 사람이 {days}일 동안 {limit}개까지 살 수 "
                f"있습니다 (이미 {before}개를 주문했습니다).",
                product=product_id,
                limit=limit,
                days=days,
                bought=before,
            )


def _add_to_today(
    shopper_id: int, product_id: int, quantity: int, day: dt.date
) -> None:
    # The UPDATE, or the day's first INSERT; a concurrent first INSERT loses on the unique
    # constraint and the UPDATE is tried again against the winner's row.
    for _attempt in range(2):
        if DailyPurchase.objects.filter(
            shopper_id=shopper_id, product_id=product_id, day=day
        ).update(quantity=F("quantity") + quantity):
            return
        try:
            with transaction.atomic():
                DailyPurchase.objects.create(
                    shopper_id=shopper_id,
                    product_id=product_id,
                    day=day,
                    quantity=quantity,
                )
        except IntegrityError:
            continue
        return
    message = "the purchase counter kept losing to concurrent orders"
    raise RuntimeError(message)
