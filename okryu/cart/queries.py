"""Reads of the basket: find it, and price it per merchant in one query."""

from django.conf import settings
from django.core.cache import cache

from okryu.cart.models import Basket, BasketLine
from okryu.cart.owners import BasketOwner
from okryu.cart.rules import BasketItem, BasketSummary, price_basket
from okryu.catalog import portions
from okryu.catalog.options import (
    MenuOption,
    OptionMenu,
    load_option_menus,
    option_ids_of_key,
)

# The longest a header may show a count that a racing change made stale.
LINE_COUNT_CACHE_SECONDS = 30


def find_basket(owner: BasketOwner) -> Basket | None:
    """Return the owner's basket, or None if they have not put anything in one yet."""
    return Basket.objects.filter(owner.basket_filter()).first()


def _basket_lines(owner: BasketOwner) -> list[BasketLine]:
    return list(
        BasketLine.objects.filter(owner.basket_filter("basket__"))
        .select_related("product__merchant")
        .order_by("added_at", "id")[: settings.OKRYU_BASKET_LINES_MAX]
    )


def _chosen(menu: OptionMenu | None, option_ids: tuple[int, ...]) -> list[MenuOption]:
    # The line's options as they are today, in display order; a removed one is left out
    # (checkout then refuses the line, and the basket page shows what is left).
    if menu is None or not option_ids:
        return []
    wanted = set(option_ids)
    return [
        option
        for group in menu.groups
        for option in group.options
        if option.option_id in wanted
    ]


def _to_item(line: BasketLine, menus: dict[int, OptionMenu]) -> BasketItem:
    product = line.product
    merchant = product.merchant
    option_ids = option_ids_of_key(line.options_key)
    chosen = _chosen(menus.get(product.pk), option_ids)
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
        price_won=max(
            product.price_won + sum(option.price_change_won for option in chosen), 0
        ),
        price_won_seen=line.price_won_seen,
        quantity=line.quantity,
        stock_available=portions.available_units(product),
        purchase_limit_per_day=product.purchase_limit_per_day,
        option_ids=option_ids,
        options_text=", ".join(option.name for option in chosen),
        options_text_en=", ".join(option.name_en for option in chosen),
    )


def get_basket_summary(owner: BasketOwner) -> BasketSummary:
    """Return the owner's basket grouped by merchant with subtotals and total.

    One query, and one more for the options when a line has options. An owner without a
    basket gets an empty summary.
    """
    lines = _basket_lines(owner)
    with_options = [line.product_id for line in lines if line.options_key]
    menus = load_option_menus(with_options) if with_options else {}
    return price_basket([_to_item(line, menus) for line in lines])


def line_count_cache_key(owner: BasketOwner) -> str:
    """Return the cache key of the owner's line count (forgotten by every basket change)."""
    return f"okryu:basket-lines:{owner.label}"


def count_basket_lines(owner: BasketOwner) -> int:
    """Return how many lines the owner's basket has (for a header badge).

    Every page of a signed-in shopper shows the count, so it is read from the cache; each
    service that changes a basket forgets it once its transaction commits. A read racing a
    change can put back the old count, so it is kept only briefly.
    """
    key = line_count_cache_key(owner)
    cached = cache.get(key)
    if isinstance(cached, int):
        return cached
    count = BasketLine.objects.filter(owner.basket_filter("basket__")).count()
    cache.set(key, count, LINE_COUNT_CACHE_SECONDS)
    return count


def exists_basket_line(owner: BasketOwner, *, line_id: int) -> bool:
    """Return whether ``line_id`` is a line of the owner's basket."""
    return BasketLine.objects.filter(
        owner.basket_filter("basket__"), pk=line_id
    ).exists()
