"""Stock reserved for orders, released, and sold: conditional UPDATEs whose row count decides.

Each function changes one product with one ``UPDATE … WHERE``, correct under any concurrency
on PostgreSQL and on SQLite (where ``select_for_update`` does nothing); the check constraints
on ``Product`` refuse what a bug would let through. Callers with several products call these
in primary-key order, so two multi-line checkouts never deadlock on PostgreSQL.

The bookkeeping identity ``received + adjusted == on_hand + sold`` holds after each of them.
Returned goods are not put back on sale automatically (they may be damaged): the merchant
receives them again through ``receive_stock`` when they can be sold.
"""

from collections.abc import Mapping

from django.db import connection, transaction
from django.db.models import F

from okryu.catalog.errors import OutOfStock, ProductUnavailable
from okryu.catalog.models import Product
from okryu.catalog.waitlist import live_offers, take_offer
from okryu.core import clock


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
        stock_on_hand__gte=F("stock_reserved") + F("stock_offered") + quantity,
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


def reserve_stock_for_lines(
    *, quantities: Mapping[int, int], shopper_id: int | None = None
) -> None:
    """Reserve several products at once: ``quantities`` maps product ids to units.

    With ``shopper_id``, units offered to that shopper's waitlist entries are taken first
    (``okryu.catalog.waitlist.take_offer``) and only the rest is reserved from what is
    available, product by product in primary-key order.

    Same guarantees and refusals as ``reserve_stock`` called for each product in
    primary-key order (the first product that cannot be reserved is the one named; what was
    reserved before it is undone with the caller's transaction). PostgreSQL reserves every
    line with one conditional ``UPDATE … FROM (VALUES …)`` that locks the rows in key order;
    SQLite, whose transaction holds the only write lock anyway, runs one UPDATE a product.
    """
    product_ids = sorted(quantities)
    for product_id in product_ids:
        _check_positive(quantities[product_id])
    if shopper_id is not None and _reserve_with_offers(
        product_ids, quantities, shopper_id=shopper_id
    ):
        return
    if connection.vendor != "postgresql" or len(product_ids) == 1:
        for product_id in product_ids:
            reserve_stock(product_id=product_id, quantity=quantities[product_id])
        return
    reserved = _reserve_in_one_statement(product_ids, quantities)
    # A row the conditional UPDATE left alone is refused (or, if stock arrived meanwhile,
    # reserved) by the one-product path, in key order, so the refusal is the same.
    for product_id in product_ids:
        if product_id not in reserved:
            reserve_stock(product_id=product_id, quantity=quantities[product_id])


def _reserve_with_offers(
    product_ids: list[int], quantities: Mapping[int, int], *, shopper_id: int
) -> bool:
    """Reserve taking the shopper's waitlist offers first; False (nothing done) if none."""
    now = clock.now()
    offers = live_offers(shopper_id=shopper_id, product_ids=product_ids, now=now)
    if not offers:
        return False
    # One product at a time in key order, each locked by its offer or its reservation.
    for product_id in product_ids:
        wanted = quantities[product_id]
        if product_id in offers:
            wanted -= take_offer(entry=offers[product_id], wanted=wanted, now=now)
        if wanted:
            reserve_stock(product_id=product_id, quantity=wanted)
    return True


def _reserve_in_one_statement(
    product_ids: list[int], quantities: Mapping[int, int]
) -> set[int]:
    table = connection.ops.quote_name(Product._meta.db_table)
    values = ", ".join(["(%s::bigint, %s::integer)"] * len(product_ids))
    params: list[int] = []
    for product_id in product_ids:
        params += [product_id, quantities[product_id]]
    # The CTE locks the rows in primary-key order before any is updated, so two multi-line
    # checkouts cannot deadlock; the WHERE keeps the same condition as ``reserve_stock``.
    sql = (
        f"WITH wanted (id, quantity) AS (VALUES {values}), "  # noqa: S608
        f"locked AS (SELECT p.id FROM {table} p WHERE p.id IN "
        "(SELECT id FROM wanted) ORDER BY p.id FOR UPDATE) "
        f"UPDATE {table} p SET stock_reserved = p.stock_reserved + w.quantity "
        "FROM wanted w, locked l "
        "WHERE p.id = w.id AND l.id = p.id AND p.is_active "
        "AND p.stock_on_hand >= p.stock_reserved + p.stock_offered + w.quantity "
        "RETURNING p.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {int(row[0]) for row in cursor.fetchall()}


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
