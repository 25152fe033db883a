"""A product sold by several merchants is listed once, with its sellers to compare."""

import pytest

from okryu.catalog.groups import list_category_groups, list_sellers
from okryu.catalog.search import search_product_groups
from okryu.catalog.tests.factories import CategoryFactory, ProductFactory
from okryu.core.errors import NotFound
from okryu.merchants.tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def socks():
    """The same socks from three stores (one of them closed down), and gloves from one."""
    category = CategoryFactory.create()
    offers = [
        ProductFactory.create(
            category=category, name="양말", unit="켤레", price_won=price
        )
        for price in (900, 700, 800)
    ]
    closed = ProductFactory.create(
        category=category,
        name="양말",
        unit="켤레",
        price_won=100,
        merchant=MerchantFactory.create(is_active=False),
    )
    gloves = ProductFactory.create(
        category=category, name="장갑", unit="켤레", price_won=1500
    )
    return category, offers, closed, gloves


def test_a_search_lists_each_product_once_with_its_sellers_and_lowest_price(socks):
    _category, offers, _closed, _gloves = socks

    page = search_product_groups(query="양말", limit=10)

    assert page.total == 1
    (group,) = page.groups
    assert (group.product.pk, group.seller_count, group.lowest_price_won) == (
        offers[1].pk,
        3,
        700,
    )
    assert group.is_sold_by_several is True


def test_a_category_lists_groups_by_lowest_price_in_two_queries(
    socks, django_assert_num_queries
):
    category, offers, _closed, gloves = socks

    with django_assert_num_queries(2):
        page = list_category_groups(
            category_ids=[category.pk], ordering="-price", limit=10
        )

    assert page.total == 2
    assert [
        (group.product.pk, group.seller_count, group.lowest_price_won)
        for group in page.groups
    ] == [(gloves.pk, 1, 1500), (offers[1].pk, 3, 700)]
    assert page.groups[0].is_sold_by_several is False


def test_paging_through_groups_counts_them_all(socks):
    category, _offers, _closed, _gloves = socks

    second = list_category_groups(
        category_ids=[category.pk], ordering="name", limit=1, offset=1
    )
    past = list_category_groups(
        category_ids=[category.pk], ordering="name", limit=1, offset=5
    )

    assert [group.product.name for group in second.groups] == ["장갑"]
    assert second.total == 2
    assert (past.groups, past.total) == ([], 2)


def test_the_sellers_are_every_active_offer_cheapest_first(socks):
    _category, offers, _closed, _gloves = socks

    sellers = list_sellers(product_id=offers[0].pk)

    assert [offer.pk for offer in sellers] == [offers[1].pk, offers[2].pk, offers[0].pk]


def test_the_sellers_of_a_product_not_on_sale_are_not_found(socks):
    _category, _offers, closed, _gloves = socks

    with pytest.raises(NotFound):
        list_sellers(product_id=closed.pk)
