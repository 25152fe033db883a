from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from okryu.catalog.audit import StockAudit, audit_stock
from okryu.catalog.models import Product
from okryu.catalog.services import count_stock, receive_stock
from okryu.catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def new_product(**fields: Any) -> Product:
    product: Any = ProductFactory(**fields)
    assert isinstance(product, Product)
    return product


CLEAN = StockAudit(negative_on_hand=0, reserved_over_on_hand=0, unbalanced_products=0)


def test_stock_moved_only_by_the_services_audits_clean():
    product = new_product()
    receive_stock(product_id=product.pk, quantity=10, changed_by=None)
    count_stock(product_id=product.pk, counted=7, changed_by=None)

    audit = audit_stock()

    assert audit == CLEAN
    assert audit.is_clean


def test_an_empty_catalog_audits_clean():
    assert audit_stock() == CLEAN


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param({"stock_on_hand": 12}, id="on-hand-without-receipt"),
        pytest.param({"stock_sold": 1}, id="sold-without-leaving"),
        pytest.param({"stock_received": 11}, id="received-without-arriving"),
        pytest.param({"stock_adjusted": -2}, id="adjusted-without-count"),
    ],
)
def test_a_product_whose_books_do_not_balance_is_counted(broken):
    product = new_product()
    new_product()
    receive_stock(product_id=product.pk, quantity=10, changed_by=None)

    # A raw UPDATE bypasses the services, as a bug or a hand edit would.
    Product.objects.filter(pk=product.pk).update(**broken)

    assert audit_stock() == StockAudit(
        negative_on_hand=0, reserved_over_on_hand=0, unbalanced_products=1
    )


def test_withdrawn_products_are_audited_too():
    product = new_product(is_active=False)

    Product.objects.filter(pk=product.pk).update(stock_sold=5)

    assert audit_stock().unbalanced_products == 1


def test_the_audit_is_one_query():
    for _ in range(3):
        new_product()

    with CaptureQueriesContext(connection) as queries:
        audit_stock()

    assert len(queries) == 1
