"""Changing a line's quantity and removing lines, only in one's own basket."""

import pytest

from okryu.cart.models import BasketLine
from okryu.cart.owners import BasketOwner
from okryu.cart.services import add_to_basket, remove_line, set_line_quantity
from okryu.catalog.errors import OverPurchaseLimit
from okryu.core.errors import InvalidInput, NotFound

pytestmark = pytest.mark.django_db


def test_setting_a_quantity_replaces_it_and_keeps_the_price_seen(stocked_product):
    product = stocked_product(price_won=700)
    owner = BasketOwner.for_session("s1")
    line = add_to_basket(owner=owner, product_id=product.pk, quantity=1)
    product.price_won = 900
    product.save()

    changed = set_line_quantity(owner=owner, line_id=line.pk, quantity=4)

    assert (changed.quantity, changed.price_won_seen) == (4, 700)


@pytest.mark.parametrize("quantity", [0, -1, 1.5, 10**9])
def test_a_bad_quantity_leaves_the_line_unchanged(stocked_product, quantity):
    owner = BasketOwner.for_session("s1")
    line = add_to_basket(owner=owner, product_id=stocked_product().pk, quantity=2)

    with pytest.raises(InvalidInput):
        set_line_quantity(owner=owner, line_id=line.pk, quantity=quantity)

    assert BasketLine.objects.get().quantity == 2


def test_a_quantity_over_the_purchase_limit_leaves_the_line_unchanged(stocked_product):
    owner = BasketOwner.for_session("s1")
    product = stocked_product(purchase_limit_per_day=3)
    line = add_to_basket(owner=owner, product_id=product.pk, quantity=2)

    with pytest.raises(OverPurchaseLimit):
        set_line_quantity(owner=owner, line_id=line.pk, quantity=4)

    assert BasketLine.objects.get().quantity == 2


def test_a_line_of_another_basket_cannot_be_changed_or_removed(stocked_product):
    product = stocked_product()
    theirs = add_to_basket(
        owner=BasketOwner.for_session("theirs"), product_id=product.pk, quantity=2
    )
    mine = BasketOwner.for_session("mine")

    with pytest.raises(NotFound):
        set_line_quantity(owner=mine, line_id=theirs.pk, quantity=5)
    with pytest.raises(NotFound):
        remove_line(owner=mine, line_id=theirs.pk)

    assert BasketLine.objects.get().quantity == 2


def test_removing_a_line_deletes_only_that_line(stocked_product):
    owner = BasketOwner.for_session("s1")
    first = add_to_basket(owner=owner, product_id=stocked_product().pk, quantity=1)
    second = add_to_basket(owner=owner, product_id=stocked_product().pk, quantity=1)

    remove_line(owner=owner, line_id=first.pk)

    assert list(BasketLine.objects.values_list("pk", flat=True)) == [second.pk]
