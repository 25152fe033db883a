"""The kitchen's sold-out switch: a restaurant's staff stop (and restart) orders of a dish."""

import pytest

from okryu.accounts.models import Role, RoleGrant, User
from okryu.accounts.tests.factories import UserFactory
from okryu.catalog.models import Product
from okryu.catalog.products import list_dishes_for_staff, set_dish_sold_out
from okryu.catalog.tests.factories import ProductFactory
from okryu.core.errors import InvalidInput, NotFound
from okryu.merchants.models import MerchantKind, MerchantStaff
from okryu.merchants.tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db


def staff_of(merchant) -> User:
    user: User = UserFactory.create()
    RoleGrant.objects.create(user=user, role=Role.MERCHANT)
    MerchantStaff.objects.create(merchant=merchant, user=user)
    return user


@pytest.fixture
def house():
    return MerchantFactory.create(kind=MerchantKind.RESTAURANT)


@pytest.fixture
def noodles(house):
    return ProductFactory.create(merchant=house, is_made_to_order=True, name="랭면")


def sold_out(product: Product) -> bool:
    return Product.objects.get(pk=product.pk).is_sold_out


def test_staff_switch_a_dish_sold_out_and_back(house, noodles):
    staff = staff_of(house)

    off = set_dish_sold_out(
        staff_user_id=staff.pk, product_id=noodles.pk, is_sold_out=True
    )
    again = set_dish_sold_out(
        staff_user_id=staff.pk, product_id=noodles.pk, is_sold_out=True
    )
    after_twice = sold_out(noodles)
    on = set_dish_sold_out(
        staff_user_id=staff.pk, product_id=noodles.pk, is_sold_out=False
    )

    assert (off.is_sold_out, again.is_sold_out, after_twice) == (True, True, True)
    assert on.is_sold_out is False
    assert sold_out(noodles) is False


def test_another_merchants_staff_cannot_switch_a_dish(noodles):
    stranger = staff_of(MerchantFactory.create(kind=MerchantKind.RESTAURANT))

    with pytest.raises(NotFound):
        set_dish_sold_out(
            staff_user_id=stranger.pk, product_id=noodles.pk, is_sold_out=True
        )

    assert sold_out(noodles) is False


def test_goods_sold_from_stock_cannot_be_switched_sold_out(house):
    drink = ProductFactory.create(merchant=house, is_made_to_order=False)

    with pytest.raises(InvalidInput) as refusal:
        set_dish_sold_out(
            staff_user_id=staff_of(house).pk, product_id=drink.pk, is_sold_out=True
        )

    assert (refusal.value.code, refusal.value.extra) == (
        "invalid",
        {"field": "is_sold_out"},
    )
    assert sold_out(drink) is False


def test_the_dishes_are_the_restaurants_dishes_on_sale_by_name(house, noodles):
    staff = staff_of(house)
    bibimbap = ProductFactory.create(
        merchant=house, is_made_to_order=True, name="비빔밥"
    )
    ProductFactory.create(merchant=house, is_made_to_order=False, name="단물")
    ProductFactory.create(
        merchant=house, is_made_to_order=True, name="가지", is_active=False
    )
    ProductFactory.create(is_made_to_order=True, name="남의 음식")

    dishes = list_dishes_for_staff(staff_user_id=staff.pk, limit=10)

    assert [dish.pk for dish in dishes] == [noodles.pk, bibimbap.pk]
