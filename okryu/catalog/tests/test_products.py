import io
from typing import Any

import pytest
from PIL import Image

from okryu.accounts.models import User
from okryu.accounts.tests.factories import UserFactory
from okryu.catalog.models import Product, StockMovement
from okryu.catalog.products import (
    ProductChanges,
    count_stock_for_staff,
    create_product,
    receive_stock_for_staff,
    set_product_photo,
    update_product,
    withdraw_product,
)
from okryu.catalog.tests.factories import CategoryFactory, ProductFactory
from okryu.core.errors import InvalidInput, NotFound
from okryu.merchants.models import Merchant, MerchantStaff
from okryu.merchants.tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    merchant = MerchantFactory()
    staff = UserFactory()
    MerchantStaff.objects.create(merchant=merchant, user=staff)
    return merchant, staff


def _create(merchant: Merchant, staff: User, **overrides: Any) -> Product:
    fields = {
        "staff_user_id": staff.pk,
        "merchant_id": merchant.pk,
        "name": "두부",
        "name_en": "Tofu",
        "category_id": CategoryFactory().pk,
        "price_won": 1_200,
        "unit": "모",
        "weight_grams": 400,
        "stock": 7,
    }
    return create_product(**{**fields, **overrides})


def test_staff_create_a_product_with_its_first_stock_received(shop):
    merchant, staff = shop

    product = _create(merchant, staff)

    assert (product.merchant_id, product.price_won, product.stock_on_hand) == (
        merchant.pk,
        1_200,
        7,
    )
    movement = StockMovement.objects.get(product=product)
    assert (movement.quantity_change, movement.changed_by_id) == (7, staff.pk)


def test_staff_of_another_merchant_cannot_create_or_edit_its_products(shop):
    merchant, _staff = shop
    stranger = UserFactory()
    MerchantStaff.objects.create(merchant=MerchantFactory(), user=stranger)
    product = ProductFactory(merchant=merchant)

    with pytest.raises(NotFound):
        _create(merchant, stranger)
    with pytest.raises(NotFound):
        update_product(
            staff_user_id=stranger.pk,
            product_id=product.pk,
            changes=ProductChanges(price_won=1),
        )
    with pytest.raises(NotFound):
        receive_stock_for_staff(
            staff_user_id=stranger.pk, product_id=product.pk, quantity=1
        )

    assert Product.objects.count() == 1
    assert Product.objects.get(pk=product.pk).price_won == product.price_won


@pytest.mark.parametrize(
    ("override", "field"),
    [
        pytest.param({"price_won": 0}, "price_won", id="zero price"),
        pytest.param({"price_won": True}, "price_won", id="boolean price"),
        pytest.param({"name": " "}, "name", id="blank name"),
        pytest.param({"category_id": 10_000}, "category", id="unknown category"),
        pytest.param({"stock": -1}, "stock", id="negative stock"),
    ],
)
def test_a_bad_field_is_refused_and_nothing_is_created(shop, override, field):
    merchant, staff = shop

    with pytest.raises(InvalidInput) as refusal:
        _create(merchant, staff, **override)

    assert refusal.value.field == field
    assert Product.objects.count() == 0


def test_staff_change_the_price_and_withdraw_the_product(shop):
    merchant, staff = shop
    product = _create(merchant, staff)

    update_product(
        staff_user_id=staff.pk,
        product_id=product.pk,
        changes=ProductChanges(price_won=1_500, purchase_limit_per_day=2),
    )
    withdrawn = withdraw_product(staff_user_id=staff.pk, product_id=product.pk)

    assert (withdrawn.price_won, withdrawn.purchase_limit_per_day) == (1_500, 2)
    assert withdrawn.is_active is False


def test_a_photo_is_stored_with_a_thumbnail_of_at_most_200_pixels(shop):
    merchant, staff = shop
    product = _create(merchant, staff)
    picture = io.BytesIO()
    Image.new("RGB", (1600, 800), (200, 30, 30)).save(picture, format="JPEG")

    stored = set_product_photo(
        staff_user_id=staff.pk, product_id=product.pk, data=picture.getvalue()
    )

    with stored.thumbnail.open() as thumbnail_file:
        thumbnail = Image.open(thumbnail_file)
        assert (thumbnail.format, thumbnail.size) == ("WEBP", (200, 100))
    with stored.photo.open() as photo_file:
        assert Image.open(photo_file).size == (1200, 600)


def test_a_file_that_is_not_a_picture_is_refused(shop):
    merchant, staff = shop
    product = _create(merchant, staff)

    with pytest.raises(InvalidInput) as refusal:
        set_product_photo(staff_user_id=staff.pk, product_id=product.pk, data=b"GIF89a")

    assert refusal.value.field == "photo"
    assert Product.objects.get(pk=product.pk).thumbnail.name == ""


def test_a_count_records_who_counted(shop):
    merchant, staff = shop
    product = _create(merchant, staff)

    counted = count_stock_for_staff(
        staff_user_id=staff.pk, product_id=product.pk, counted=5
    )

    assert (counted.stock_on_hand, counted.stock_adjusted) == (5, -2)
    assert StockMovement.objects.filter(product=product, changed_by=staff).count() == 2
