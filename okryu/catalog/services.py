"""Use cases that change the catalog's stock.

Stock moves only through these functions, each with a conditional UPDATE whose row count says
whether it happened: correct under any concurrency on PostgreSQL and on SQLite (where
``select_for_update`` does nothing). The bookkeeping identity
``received + adjusted == on_hand + sold`` holds after each of them.
"""

from django.db import transaction
from django.db.models import F

from okryu.accounts.models import User
from okryu.catalog.errors import OutOfStock
from okryu.catalog.models import Product, StockMovement, StockMovementKind
from okryu.catalog.waitlist import offer_waiting_units
from okryu.core import clock
from okryu.core.errors import InvalidInput, NotFound
from okryu.core.transactions import service_transaction

STOCK_QUANTITY_MAX = 1_000_000
COUNT_RETRIES_MAX = 5


def _check_quantity(quantity: int, *, field: str, allow_zero: bool = False) -> None:
    lowest = 0 if allow_zero else 1
    # Callers may pass what a form or JSON body held; refuse anything but a true integer.
    if type(quantity) is not int:
        raise InvalidInput("수량은 정수여야 합니다.", field=field)
    if not lowest <= quantity <= STOCK_QUANTITY_MAX:
        raise InvalidInput(
            f"수량은 {lowest}부터 {STOCK_QUANTITY_MAX:,}까지입니다.", field=field
        )


@service_transaction(durable=False)
def receive_stock(
    *, product_id: int, quantity: int, changed_by: User | None, note: str = ""
) -> Product:
    """Add ``quantity`` received units to a product's stock and record who received them."""
    _check_quantity(quantity, field="receive")
    updated = Product.objects.filter(pk=product_id).update(
        stock_on_hand=F("stock_on_hand") + quantity,
        stock_received=F("stock_received") + quantity,
    )
    if updated != 1:
        raise NotFound("상품을 찾을 수 없습니다.")
    # Those who waited come first: the free units are offered to the waitlist before
    # the receipt commits, so no other checkout can take them in between.
    offer_waiting_units(product_id=product_id, now=clock.now())
    product = Product.objects.get(pk=product_id)
    StockMovement.objects.create(
        product=product,
        kind=StockMovementKind.RECEIVED,
        quantity_change=quantity,
        on_hand_after=product.stock_on_hand,
        changed_by=changed_by,
        note=note[:200],
    )
    assert product.stock_received + product.stock_adjusted == (
        product.stock_on_hand + product.stock_sold
    )
    return product


def count_stock(
    *, product_id: int, counted: int, changed_by: User | None, note: str = ""
) -> Product:
    """Record a stock count: on hand becomes ``counted``, the difference is an adjustment.

    Refused when ``counted`` is below what is reserved for placed orders: those units were
    promised and must be found or the orders rejected first.
    """
    _check_quantity(counted, field="count", allow_zero=True)
    with transaction.atomic():
        for _attempt in range(COUNT_RETRIES_MAX):
            product = Product.objects.filter(pk=product_id).first()
            if product is None:
                raise NotFound("상품을 찾을 수 없습니다.")
            promised = product.stock_reserved + product.stock_offered
            if promised > counted:
                raise OutOfStock(
                    f"주문과 입고 알림에 약속된 {promised}개보다 적게 셀 수 없습니다.",
                    product=product_id,
                )
            difference = counted - product.stock_on_hand
            # The filter on the on-hand figure just read makes the update conditional: if a
            # concurrent order or receipt moved it, nothing is written and the count is
            # applied again to the current figure.
            updated = Product.objects.filter(
                pk=product_id,
                stock_on_hand=product.stock_on_hand,
                stock_reserved__lte=counted - F("stock_offered"),
            ).update(
                stock_on_hand=counted, stock_adjusted=F("stock_adjusted") + difference
            )
            if updated == 1:
                StockMovement.objects.create(
                    product=product,
                    kind=StockMovementKind.COUNTED,
                    quantity_change=difference,
                    on_hand_after=counted,
                    changed_by=changed_by,
                    note=note[:200],
                )
                product.refresh_from_db()
                return product
    message = f"stock count of product {product_id} kept losing to concurrent changes"
    raise RuntimeError(message)
