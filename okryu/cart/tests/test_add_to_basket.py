"""Putting products in the basket."""

import pytest
from django.test import override_settings

from okryu.accounts.tests.factories import UserFactory
from okryu.cart.errors import BasketFull
from okryu.cart.models import Basket, BasketLine
from okryu.cart.owners import BasketOwner
from okryu.cart.services import add_to_basket
from okryu.catalog.errors import OutOfStock, OverPurchaseLimit, ProductUnavailable
from okryu.core.errors import InvalidInput, NotFound

pytestmark = pytest.mark.django_db


def test_adding_a_product_creates_the_basket_and_a_line_at_today_s_price(
    stocked_product,
):
    product = stocked_product(price_won=1234)
    user = UserFactory.create()

    line = add_to_basket(
        owner=BasketOwner.for_user(user.pk), product_id=product.pk, quantity=2
    )

    assert line.basket.user_id == user.pk
    assert (line.product_id, line.quantity, line.price_won_seen) == (
        product.pk,
        2,
        1234,
    )


def test_adding_the_same_product_again_adds_to_its_line_and_keeps_the_first_price(
    stocked_product,
):
    product = stocked_product(price_won=1000)
    owner = BasketOwner.for_session("visitor-session")
    add_to_basket(owner=owner, product_id=product.pk, quantity=2)
    product.price_won = 1500
    product.save()

    line = add_to_basket(owner=owner, product_id=product.pk, quantity=3)

    assert BasketLine.objects.count() == 1
    assert (line.quantity, line.price_won_seen) == (5, 1000)


@pytest.mark.parametrize(
    "quantity",
    [
        pytest.param(0, id="zero"),
        pytest.param(-1, id="negative"),
        pytest.param(1.5, id="fraction"),
        pytest.param(10**9, id="a billion"),
        pytest.param(1000, id="one past the maximum"),
        pytest.param("abc", id="text"),
    ],
)
def test_a_bad_quantity_is_refused_and_creates_nothing(stocked_product, quantity):
    product = stocked_product(stock=10)

    with pytest.raises(InvalidInput) as refused:
        add_to_basket(
            owner=BasketOwner.for_session("s1"),
            product_id=product.pk,
            quantity=quantity,
        )

    assert refused.value.field == "quantity"
    assert Basket.objects.count() == 0
    assert BasketLine.objects.count() == 0


def test_the_line_maximum_itself_is_accepted(stocked_product):
    product = stocked_product(stock=999)

    line = add_to_basket(
        owner=BasketOwner.for_session("s1"), product_id=product.pk, quantity=999
    )

    assert line.quantity == 999


def test_more_than_the_purchase_limit_is_refused_naming_the_product_and_limit(
    stocked_product,
):
    product = stocked_product(name="평양랭면", purchase_limit_per_day=2)
    owner = BasketOwner.for_session("s1")
    add_to_basket(owner=owner, product_id=product.pk, quantity=2)

    with pytest.raises(OverPurchaseLimit) as refused:
        add_to_basket(owner=owner, product_id=product.pk, quantity=1)

    assert refused.value.detail == "평양랭면은 하루에 2개까지만 살 수 있습니다."
    assert refused.value.code == "over_limit"
    assert BasketLine.objects.get().quantity == 2


def test_more_than_the_available_stock_is_refused(stocked_product):
    product = stocked_product(name="두부", stock=3)

    with pytest.raises(OutOfStock) as refused:
        add_to_basket(
            owner=BasketOwner.for_session("s1"), product_id=product.pk, quantity=4
        )

    assert refused.value.detail == "두부는 지금 3개만 남아 있습니다."
    assert BasketLine.objects.count() == 0


def test_a_withdrawn_product_is_refused(stocked_product):
    product = stocked_product(is_active=False)

    with pytest.raises(ProductUnavailable):
        add_to_basket(
            owner=BasketOwner.for_session("s1"), product_id=product.pk, quantity=1
        )

    assert BasketLine.objects.count() == 0


def test_an_unknown_product_is_not_found(stocked_product):
    with pytest.raises(NotFound):
        add_to_basket(
            owner=BasketOwner.for_session("s1"), product_id=999_999, quantity=1
        )

    assert Basket.objects.count() == 0


@override_settings(OKRYU_BASKET_LINES_MAX=2)
def test_a_line_past_the_basket_maximum_is_refused(stocked_product):
    owner = BasketOwner.for_session("s1")
    first, second, third = (stocked_product() for _ in range(3))
    add_to_basket(owner=owner, product_id=first.pk, quantity=1)
    add_to_basket(owner=owner, product_id=second.pk, quantity=1)

    with pytest.raises(BasketFull):
        add_to_basket(owner=owner, product_id=third.pk, quantity=1)

    assert BasketLine.objects.count() == 2
    # A product already in the full basket can still be topped up.
    assert add_to_basket(owner=owner, product_id=first.pk, quantity=1).quantity == 2
