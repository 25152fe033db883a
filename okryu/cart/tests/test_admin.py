"""The operator's admin pages for people, merchants, the catalog and baskets open and search."""

import pytest
from django.test import Client
from django.urls import reverse

from okryu.accounts.tests.factories import AddressFactory, UserFactory
from okryu.cart.owners import BasketOwner
from okryu.cart.services import add_to_basket
from okryu.catalog.services import receive_stock
from okryu.catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client: Client):
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    return client


def test_every_admin_page_of_these_apps_opens(operator_client):
    product = ProductFactory.create(name="평양랭면")
    receive_stock(product_id=product.pk, quantity=3, changed_by=None)
    user = UserFactory.create()
    AddressFactory.create(user=user)
    line = add_to_basket(
        owner=BasketOwner.for_user(user.pk), product_id=product.pk, quantity=1
    )
    pages = [
        ("accounts_user", user.pk),
        ("accounts_district", product.merchant.district_id),
        ("merchants_merchant", product.merchant_id),
        ("catalog_category", product.category_id),
        ("catalog_product", product.pk),
        ("cart_basket", line.basket_id),
    ]

    for name, object_id in pages:
        assert (
            operator_client.get(reverse(f"admin:{name}_changelist")).status_code == 200
        )
        change = operator_client.get(reverse(f"admin:{name}_change", args=[object_id]))
        assert change.status_code == 200, name
    # Staff's authenticators, which an operator deletes when a phone is lost.
    assert (
        operator_client.get(reverse("admin:otp_totp_totpdevice_changelist")).status_code
        == 200
    )


def test_product_stock_is_read_only_in_the_admin(operator_client):
    product = ProductFactory.create(name="두부")
    receive_stock(product_id=product.pk, quantity=7, changed_by=None)

    form = (
        operator_client.get(reverse("admin:catalog_product_change", args=[product.pk]))
        .context["adminform"]
        .form
    )

    assert "stock_on_hand" not in form.fields
    assert "price_won" in form.fields


def test_products_are_searched_by_name(operator_client):
    ProductFactory.create(name="평양랭면")
    ProductFactory.create(name="두부")

    response = operator_client.get(
        reverse("admin:catalog_product_changelist"), {"q": "랭면"}
    )

    assert [product.name for product in response.context["cl"].result_list] == [
        "평양랭면"
    ]
