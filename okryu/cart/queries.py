"""Reads of the basket: find it, and price it per merchant in one query."""

from django.conf import settings

from okryu.cart.models import Basket, BasketLine
from okryu.cart.owners import BasketOwner
from okryu.cart.rules import BasketItem, BasketSummary, price_basket


def find_basket(owner: BasketOwner) -> Basket | None:
    """Return the owner's basket, or None if they have not put anything in one yet."""
    return Basket.objects.filter(owner.basket_filter()).first()


def _basket_lines(owner: BasketOwner) -> list[BasketLine]:
    return list(
        BasketLine.objects.filter(owner.basket_filter("basket__"))
        .select_related("product__merchant")
        .order_by("added_at", "id")[: settings.OKRYU_BASKET_LINES_MAX]
    )


def _to_item(line: BasketLine) -> BasketItem:
    product = line.product
    merchant = product.merchant
    return BasketItem(
        line_id=line.pk,
        product_id=product.pk,
        product_name=product.name,
        product_name_en=product.name_en,
        unit=product.unit,
        unit_en=product.unit_en,
        merchant_id=merchant.pk,
        merchant_name=merchant.name,
        merchant_name_en=merchant.name_en,
        price_won=product.price_won,
        price_won_seen=line.price_won_seen,
        quantity=line.quantity,
        stock_available=max(product.stock_available, 0),
        purchase_limit_per_day=product.purchase_limit_per_day,
    )


def get_basket_summary(owner: BasketOwner) -> BasketSummary:
    """Return the owner's basket grouped by merchant with subtotals and total (one query).

    An owner without a basket gets an empty summary.
    """
    return price_basket([_to_item(line) for line in _basket_lines(owner)])


def count_basket_lines(owner: BasketOwner) -> int:
    """Return how many lines the owner's basket has (for a header badge)."""
    return BasketLine.objects.filter(owner.basket_filter("basket__")).count()


def exists_basket_line(owner: BasketOwner, *, line_id: int) -> bool:
    """Return whether ``line_id`` is a line of the owner's basket."""
    return BasketLine.objects.filter(
        owner.basket_filter("basket__"), pk=line_id
    ).exists()
