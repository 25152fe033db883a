"""Stock reserved for orders, released, and sold: conditional UPDATEs whose row count decides.

Each function changes one product with one ``UPDATE … WHERE``, correct under any concurrency
on PostgreSQL and on SQLite (where ``select_for_update`` does nothing); the check constraints
on ``Product`` refuse what a bug would let through. Callers with several products call these
in primary-key order, so two multi-line checkouts never deadlock on PostgreSQL.

The bookkeeping identity ``received + adjusted == on_hand + sold`` holds after each of them.
Returned goods are not put back on sale automatically (they may be damaged): the merchant
receives them again through ``receive_stock`` when they can be sold.
"""

from django.db import transaction
from django.db.models import F

from okryu.catalog.errors import OutOfStock, ProductUnavailable
from okryu.catalog.models import Product


def _check_positive(quantity: int) -> None:
    assert type(quantity) is int
    assert quantity > 0, "callers validate quantities"
    assert transaction.get_connection().in_atomic_block, "stock moves with its order"


def reserve_stock(*, product_id: int, quantity: int) -> None:
    """Promise ``quantity`` units of an active product to an order being placed.

    Raises OutOfStock naming the product and what is available, or ProductUnavailable for a
    withdrawn or unknown product; changes nothing then.
    """
    _check_positive(quantity)
    reserved = Product.objects.filter(
        pk=product_id,
        is_active=True,
        stock_on_hand__gte=F("stock_reserved") + quantity,
    ).update(stock_reserved=F("stock_reserved") + quantity)
    if reserved == 1:
        return
    product = (
        Product.objects.filter(pk=product_id)
        .only("name", "is_active", "stock_on_hand", "stock_reserved")
        .first()
    )
    if product is None or not product.is_active:
        raise ProductUnavailable(
            "판매하지 않는 상품입니다.", field="lines", product=product_id
        )
    available = max(product.stock_available, 0)
    raise OutOfStock(
        f"{product.name}: 주문할 수 있는 수량은 {available}개입니다.",
        product=product_id,
        available=available,
    )


def release_stock(*, product_id: int, quantity: int) -> None:
    """Give back ``quantity`` reserved units (an order cancelled, rejected or expired)."""
    _check_positive(quantity)
    released = Product.objects.filter(
        pk=product_id, stock_reserved__gte=quantity
    ).update(stock_reserved=F("stock_reserved") - quantity)
    assert released == 1, "released units were reserved"


def sell_reserved_stock(*, product_id: int, quantity: int) -> None:
    """Turn ``quantity`` reserved units into sold ones (the order was delivered)."""
    _check_positive(quantity)
    sold = Product.objects.filter(
        pk=product_id, stock_reserved__gte=quantity, stock_on_hand__gte=quantity
    ).update(
        stock_on_hand=F("stock_on_hand") - quantity,
        stock_reserved=F("stock_reserved") - quantity,
        stock_sold=F("stock_sold") + quantity,
    )
    assert sold == 1, "sold units were reserved"
