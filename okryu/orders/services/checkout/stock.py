"""What may be sold now: restaurants open, daily purchase limits, stock and dish portions.

Every function runs inside the checkout's transaction and raises on the first refusal; the
transaction's rollback undoes what the ones before it counted or reserved. Rows are locked
in primary-key order (goods, then dishes), so two multi-line checkouts never deadlock.
"""

import datetime as dt
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import F

from okryu.catalog import portions
from okryu.catalog.models import Product
from okryu.catalog.stock import reserve_stock_for_lines
from okryu.core import clock
from okryu.merchants.queries import is_merchant_open
from okryu.orders.errors import OverPurchaseLimit
from okryu.orders.hours import merchant_closed
from okryu.orders.models import DailyPurchase
from okryu.orders.services.checkout.shape import CheckoutLine


def check_restaurants_open(products: dict[int, Product], *, at: dt.datetime) -> None:
    """Raise RestaurantClosed unless every restaurant of the dishes is open at ``at``."""
    checked: set[int] = set()
    for product in products.values():
        if not product.is_made_to_order or product.merchant_id in checked:
            continue
        checked.add(product.merchant_id)
        if not is_merchant_open(product.merchant, at=at):
            raise merchant_closed(product.merchant, at=at)


def count_purchases(
    shopper_id: int,
    lines: Sequence[CheckoutLine],
    products: dict[int, Product],
    *,
    now: dt.datetime,
) -> None:
    """Add the lines to the shopper's purchases of the day; OverPurchaseLimit past a limit."""
    day = now.astimezone(clock.PYONGYANG).date()
    for line in sorted(lines, key=lambda line: line.product_id):
        limit = products[line.product_id].purchase_limit_per_day
        if limit is not None:
            _count_purchase(shopper_id, line.product_id, line.quantity, limit, day)


def _count_purchase(
    shopper_id: int, product_id: int, quantity: int, limit: int, day: dt.date
) -> None:
    # A conditional UPDATE, or the INSERT of the day's first row; a concurrent first INSERT
    # loses on the unique constraint and the UPDATE is tried again against the winner's row.
    for _attempt in range(2):
        counted = DailyPurchase.objects.filter(
            shopper_id=shopper_id,
            product_id=product_id,
            day=day,
            quantity__lte=limit - quantity,
        ).update(quantity=F("quantity") + quantity)
        if counted == 1:
            return
        existing = DailyPurchase.objects.filter(
            shopper_id=shopper_id, product_id=product_id, day=day
        ).first()
        if existing is not None or quantity > limit:
            bought = existing.quantity if existing is not None else 0
            raise OverPurchaseLimit(
                f"이 상품은 하루 {limit}개까지 살 수 있습니다 "
                f"(오늘 이미 {bought}개를 주문했습니다).",
                product=product_id,
                limit=limit,
                bought_today=bought,
            )
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
    message = "daily purchase counter kept losing to concurrent orders"
    raise RuntimeError(message)


def reserve_stock(
    lines: Sequence[CheckoutLine],
    products: dict[int, Product],
    *,
    now: dt.datetime,
    shopper_id: int,
) -> None:
    """Reserve the goods' stock (the shopper's waitlist offers first) and take the dishes'
    portions of the day (OutOfStock)."""
    # Goods reserve stock, dishes with a daily capacity take portions of today's. Goods in
    # primary-key order (reserve_stock_for_lines sorts), then dishes in primary-key order:
    # two multi-line checkouts lock their products in the same order.
    goods: dict[int, int] = {}
    dishes: dict[int, int] = {}
    for line in lines:
        target = dishes if products[line.product_id].sells_portions else goods
        target[line.product_id] = target.get(line.product_id, 0) + line.quantity
    if goods:
        # A shopper's waitlist offers are looked up only when a product holds offered units:
        # most checkouts then skip the query. An offer made after the catalogue was read is
        # not lost, only not used by this checkout (it passes on when it expires).
        has_offers = any(products[product_id].stock_offered > 0 for product_id in goods)
        reserve_stock_for_lines(
            quantities=goods, shopper_id=shopper_id if has_offers else None
        )
    day = portions.portions_day_at(now)
    for product_id in sorted(dishes):
        portions.take_portions(
            product_id=product_id, quantity=dishes[product_id], day=day
        )
