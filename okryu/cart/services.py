"""Use cases of the basket: add a product, change or remove a line, merge at log-in.

The basket is intent, not a commitment: nothing is reserved here. The quantity rules are
checked against today's stock and purchase limit so that the shopper hears of a problem when
filling the basket; checkout checks them again when it reserves stock.
"""

import functools
from collections.abc import Sequence

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from okryu.accounts.models import User
from okryu.cart.errors import BasketFull
from okryu.cart.models import Basket, BasketLine
from okryu.cart.owners import BasketOwner
from okryu.cart.queries import line_count_cache_key
from okryu.cart.rules import QuantityRefusal, check_quantity
from okryu.catalog.errors import OutOfStock, OverPurchaseLimit, ProductUnavailable
from okryu.catalog.models import Product
from okryu.catalog.options import (
    NO_OPTIONS,
    ChosenOptions,
    choose_options,
    load_option_menus,
)
from okryu.catalog.portions import available_units
from okryu.core.errors import DomainError, InvalidInput, NotFound
from okryu.core.numbers import format_count
from okryu.core.transactions import service_transaction


def _quantity_error(
    refusal: QuantityRefusal, *, product: Product, quantity: object
) -> DomainError:
    """Return the domain error, in the shopper's language, that tells of ``refusal``."""
    available = available_units(product)
    values = {
        "product": product.name,
        "limit": product.purchase_limit_per_day or 0,
        "available": format_count(available),
        "maximum": settings.OKRYU_LINE_QUANTITY_MAX,
    }
    if refusal is QuantityRefusal.OVER_PURCHASE_LIMIT:
        return OverPurchaseLimit(
            gettext("%(product)s은(는) 하루에 %(limit)d개까지만 살 수 있습니다.")
            % values,
            product=product.pk,
            limit=values["limit"],
        )
    if refusal is QuantityRefusal.OVER_AVAILABLE_STOCK:
        return OutOfStock(
            gettext("%(product)s은(는) 지금 %(available)s개만 남아 있습니다.") % values,
            product=product.pk,
            available=available,
        )
    if refusal is QuantityRefusal.ABOVE_LINE_MAXIMUM:
        message = gettext("수량은 한 번에 %(maximum)d개까지입니다.") % values
    else:
        message = gettext("수량은 1 이상의 정수여야 합니다.")
    return InvalidInput(message, field="quantity")


def _check_quantity_shape(quantity: object) -> None:
    # Refuse what no product could take before touching the database.
    if type(quantity) is not int or quantity < 1:
        raise InvalidInput(
            gettext("수량은 1 이상의 정수여야 합니다."), field="quantity"
        )
    if quantity > settings.OKRYU_LINE_QUANTITY_MAX:
        raise InvalidInput(
            gettext("수량은 한 번에 %(maximum)d개까지입니다.")
            % {"maximum": settings.OKRYU_LINE_QUANTITY_MAX},
            field="quantity",
        )


def _check_product_quantity(product: Product, quantity: int) -> None:
    if not (product.is_active and product.merchant.is_active):
        raise ProductUnavailable(
            gettext("%(product)s은(는) 지금 팔지 않습니다.")
            % {"product": product.name},
            product=product.pk,
        )
    if product.is_made_to_order and product.is_sold_out:
        raise ProductUnavailable(
            gettext("%(product)s은(는) 오늘 다 팔렸습니다.")
            % {"product": product.name},
            product=product.pk,
        )
    refusal = check_quantity(
        quantity,
        line_quantity_max=settings.OKRYU_LINE_QUANTITY_MAX,
        purchase_limit_per_day=product.purchase_limit_per_day,
        stock_available=available_units(product),
    )
    if refusal is not None:
        raise _quantity_error(refusal, product=product, quantity=quantity)


def _forget_line_count_on_commit(owner: BasketOwner) -> None:
    # The header's count is cached (count_basket_lines). Forgotten now, and again once the
    # change commits, since a page read in between may have put back the old count.
    key = line_count_cache_key(owner)
    cache.delete(key)
    transaction.on_commit(functools.partial(cache.delete, key))


def _lock_or_create_basket(owner: BasketOwner) -> Basket:
    basket = Basket.objects.select_for_update().filter(owner.basket_filter()).first()
    if basket is not None:
        return basket
    try:
        with transaction.atomic():
            return Basket.objects.create(
                user_id=owner.user_id, session_key=owner.session_key
            )
    except IntegrityError:
        # A concurrent request of the same owner created it first.
        return Basket.objects.select_for_update().get(owner.basket_filter())


def _choose_options(product: Product, option_ids: Sequence[int]) -> ChosenOptions:
    # Only dishes have options; a dish's options are checked against its menu.
    if not product.is_made_to_order:
        if option_ids:
            raise InvalidInput(
                gettext("이 상품에서 고를 수 없는 선택입니다."), field="options"
            )
        return NO_OPTIONS
    menu = load_option_menus([product.pk])[product.pk]
    chosen = choose_options(menu, option_ids)
    if product.price_won + chosen.price_change_won <= 0:
        raise InvalidInput(
            gettext("선택한 값의 가격이 0원 이하입니다."), field="options"
        )
    return chosen


@service_transaction(durable=False)
def add_to_basket(
    *,
    owner: BasketOwner,
    product_id: int,
    quantity: int,
    option_ids: Sequence[int] = (),
) -> BasketLine:
    """Put ``quantity`` units of a product in the owner's basket, adding to its line if any.

    A dish's ``option_ids`` are its chosen options: the same dish with other options is
    another line. A new line records the price the shopper saw, options included; an
    existing line keeps its first price. Raises InvalidInput (quantity not an integer in
    1..OKRYU_LINE_QUANTITY_MAX, an option not of this product or a required choice missing,
    field ``options``), NotFound (no such product), ProductUnavailable (also a sold-out
    dish), OverPurchaseLimit, OutOfStock (checked on the line's new quantity) or BasketFull;
    nothing changes then.
    """
    _check_quantity_shape(quantity)
    product = Product.objects.select_related("merchant").filter(pk=product_id).first()
    if product is None:
        raise NotFound(gettext("상품을 찾을 수 없습니다."))
    chosen = _choose_options(product, option_ids)
    basket = _lock_or_create_basket(owner)
    _forget_line_count_on_commit(owner)
    line = BasketLine.objects.filter(
        basket=basket, product=product, options_key=chosen.key
    ).first()
    new_quantity = quantity + (line.quantity if line else 0)
    _check_product_quantity(product, new_quantity)
    if line is None:
        if basket.lines.count() >= settings.OKRYU_BASKET_LINES_MAX:
            raise BasketFull(
                gettext("장바구니에는 %(maximum)d가지까지 담을 수 있습니다.")
                % {"maximum": settings.OKRYU_BASKET_LINES_MAX}
            )
        line = BasketLine.objects.create(
            basket=basket,
            product=product,
            quantity=new_quantity,
            options_key=chosen.key,
            price_won_seen=product.price_won + chosen.price_change_won,
        )
    else:
        line.quantity = new_quantity
        line.save(update_fields=["quantity"])
    basket.save(update_fields=["updated_at"])
    assert line.quantity == new_quantity
    return line


def _get_owned_line(owner: BasketOwner, line_id: int) -> BasketLine:
    line = (
        BasketLine.objects.select_for_update()
        .select_related("product__merchant", "basket")
        .filter(owner.basket_filter("basket__"), pk=line_id)
        .first()
    )
    if line is None:
        raise NotFound(gettext("장바구니에 그런 줄이 없습니다."))
    return line


@service_transaction(durable=False)
def set_line_quantity(*, owner: BasketOwner, line_id: int, quantity: int) -> BasketLine:
    """Change the quantity of one line of the owner's basket; the price seen is kept.

    Raises NotFound when the line is not in the owner's basket, and the quantity errors of
    ``add_to_basket``; nothing changes then.
    """
    _check_quantity_shape(quantity)
    line = _get_owned_line(owner, line_id)
    _check_product_quantity(line.product, quantity)
    line.quantity = quantity
    line.save(update_fields=["quantity"])
    line.basket.save(update_fields=["updated_at"])
    assert line.quantity == quantity
    return line


@service_transaction(durable=False)
def remove_line(*, owner: BasketOwner, line_id: int) -> None:
    """Remove one line from the owner's basket.

    Raises NotFound when the line is not in the owner's basket.
    """
    line = _get_owned_line(owner, line_id)
    basket = line.basket
    _forget_line_count_on_commit(owner)
    line.delete()
    basket.save(update_fields=["updated_at"])
    assert not BasketLine.objects.filter(pk=line_id).exists()


def _merged_quantity(product: Product, quantity: int) -> int:
    # The merged line obeys the fixed limits; stock moves all day and is checked at checkout.
    capped = min(quantity, settings.OKRYU_LINE_QUANTITY_MAX)
    if product.purchase_limit_per_day is not None:
        capped = min(capped, product.purchase_limit_per_day)
    return capped


@service_transaction(durable=False)
def merge_session_basket_into_user(*, session_key: str, user: User) -> Basket | None:
    """Move the lines of an anonymous session's basket into the user's basket, at log-in.

    A product in both (with the same options) keeps the user's line and its price seen,
    with the quantities added
    (capped at the line maximum and the purchase limit). Lines past the basket's maximum are
    dropped. The session's basket is deleted. Returns the user's basket, or None when the
    session had no basket.
    """
    assert user.pk is not None
    session_basket = (
        Basket.objects.select_for_update().filter(session_key=session_key).first()
    )
    if session_basket is None:
        return None
    _forget_line_count_on_commit(BasketOwner.for_session(session_key))
    user_owner = BasketOwner.for_user(user.pk)
    _forget_line_count_on_commit(user_owner)
    basket = _lock_or_create_basket(user_owner)
    existing = {
        (line.product_id, line.options_key): line for line in basket.lines.all()
    }
    lines_count = len(existing)
    for incoming in session_basket.lines.select_related("product"):
        line = existing.get((incoming.product_id, incoming.options_key))
        if line is not None:
            line.quantity = _merged_quantity(
                incoming.product, line.quantity + incoming.quantity
            )
            line.save(update_fields=["quantity"])
        elif lines_count < settings.OKRYU_BASKET_LINES_MAX:
            incoming.basket = basket
            incoming.quantity = _merged_quantity(incoming.product, incoming.quantity)
            incoming.save(update_fields=["basket", "quantity"])
            lines_count += 1
    session_basket.delete()
    basket.save(update_fields=["updated_at"])
    assert basket.lines.count() <= settings.OKRYU_BASKET_LINES_MAX
    return basket
