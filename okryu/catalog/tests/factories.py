"""factory_boy factories for the catalog app's models."""

from factory.declarations import Sequence, SubFactory
from factory.django import DjangoModelFactory

from okryu.catalog.models import Category, Product
from okryu.merchants.tests.factories import MerchantFactory

# factory_boy's declarations are untyped.
# mypy: disallow-untyped-calls=False


class CategoryFactory(DjangoModelFactory[Category]):
    """A top-level category."""

    class Meta:
        model = Category

    slug = Sequence(lambda number: f"category-{number}")
    name = Sequence(lambda number: f"분류{number}")
    name_en = Sequence(lambda number: f"Category {number}")


class ProductFactory(DjangoModelFactory[Product]):
    """An active product with no stock (receive stock through the stock services)."""

    class Meta:
        model = Product

    merchant = SubFactory(MerchantFactory)
    category = SubFactory(CategoryFactory)
    name = Sequence(lambda number: f"상품{number}")
    name_en = Sequence(lambda number: f"Product {number}")
    unit = "개"
    unit_en = "piece"
    price_won = 1000
    weight_grams = 500
    is_active = True
