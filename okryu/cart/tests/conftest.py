"""Fixtures of the basket tests: products with stock, set up through the stock services."""

import pytest

from okryu.catalog.services import receive_stock
from okryu.catalog.tests.factories import ProductFactory
from okryu.merchants.tests.factories import MerchantFactory


@pytest.fixture
def stocked_product():
    """Return a function making an active product with ``stock`` units received."""

    def make(*, stock=10, **fields):
        product = ProductFactory.create(**fields)
        if stock:
            receive_stock(product_id=product.pk, quantity=stock, changed_by=None)
        product.refresh_from_db()
        return product

    return make


@pytest.fixture
def merchant():
    return MerchantFactory.create()
