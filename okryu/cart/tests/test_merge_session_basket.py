"""A visitor's basket joins their own basket when they log in."""

import pytest

from okryu.accounts.tests.factories import UserFactory
from okryu.cart.models import Basket, BasketLine
from okryu.cart.owners import BasketOwner
from okryu.cart.services import add_to_basket, merge_session_basket_into_user

pytestmark = pytest.mark.django_db


def test_merging_moves_new_lines_and_adds_quantities_of_shared_products(
    stocked_product,
):
    shared = stocked_product(price_won=1000)
    only_visitor = stocked_product(price_won=2000)
    user = UserFactory.create()
    add_to_basket(owner=BasketOwner.for_user(user.pk), product_id=shared.pk, quantity=1)
    visitor = BasketOwner.for_session("visitor")
    add_to_basket(owner=visitor, product_id=shared.pk, quantity=2)
    add_to_basket(owner=visitor, product_id=only_visitor.pk, quantity=3)

    basket = merge_session_basket_into_user(session_key="visitor", user=user)

    assert basket is not None
    assert basket.user_id == user.pk
    quantities = dict(
        BasketLine.objects.filter(basket=basket).values_list("product_id", "quantity")
    )
    assert quantities == {shared.pk: 3, only_visitor.pk: 3}
    assert not Basket.objects.filter(session_key="visitor").exists()


def test_merging_caps_a_shared_line_at_the_purchase_limit(stocked_product):
    limited = stocked_product(purchase_limit_per_day=3)
    user = UserFactory.create()
    add_to_basket(
        owner=BasketOwner.for_user(user.pk), product_id=limited.pk, quantity=2
    )
    add_to_basket(
        owner=BasketOwner.for_session("visitor"), product_id=limited.pk, quantity=2
    )

    merge_session_basket_into_user(session_key="visitor", user=user)

    assert BasketLine.objects.get().quantity == 3


def test_merging_without_a_visitor_basket_changes_nothing():
    user = UserFactory.create()

    assert merge_session_basket_into_user(session_key="nobody", user=user) is None
    assert Basket.objects.count() == 0
