"""Reading the basket: grouped by merchant, in a fixed number of queries."""

import pytest

from okryu.cart.owners import BasketOwner
from okryu.cart.queries import find_basket, get_basket_summary
from okryu.cart.services import add_to_basket
from okryu.merchants.tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db


def test_the_summary_groups_lines_by_merchant_in_one_query(
    stocked_product, django_assert_num_queries
):
    owner = BasketOwner.for_session("s1")
    house, pharmacy = (
        MerchantFactory.create(name="옥류관"),
        MerchantFactory.create(name="중앙약국"),
    )
    for merchant, price, quantity in [
        (house, 1234, 2),
        (pharmacy, 500, 3),
        (house, 1000, 1),
    ]:
        product = stocked_product(merchant=merchant, price_won=price)
        add_to_basket(owner=owner, product_id=product.pk, quantity=quantity)

    with django_assert_num_queries(1):
        summary = get_basket_summary(owner)

    assert [group.merchant_name for group in summary.groups] == ["옥류관", "중앙약국"]
    assert [group.subtotal_won for group in summary.groups] == [3468, 1500]
    assert summary.total_won == 4968


def test_another_owner_s_basket_is_not_read(stocked_product):
    add_to_basket(
        owner=BasketOwner.for_session("theirs"),
        product_id=stocked_product().pk,
        quantity=1,
    )

    assert find_basket(BasketOwner.for_session("mine")) is None
    assert get_basket_summary(BasketOwner.for_session("mine")).is_empty
