"""factory_boy factories for the catalog app's models, and a dish with its options."""

from dataclasses import dataclass

from factory.declarations import Sequence, SubFactory
from factory.django import DjangoModelFactory

from okryu.catalog.models import Category, Option, OptionChoice, OptionGroup, Product
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


class OptionGroupFactory(DjangoModelFactory[OptionGroup]):
    """A group of a dish where exactly one option is chosen."""

    class Meta:
        model = OptionGroup

    product = SubFactory(ProductFactory, is_made_to_order=True)
    name = Sequence(lambda number: f"선택{number}")
    name_en = Sequence(lambda number: f"Choice {number}")
    choice = OptionChoice.ONE


class OptionFactory(DjangoModelFactory[Option]):
    """An option that leaves the price as it is."""

    class Meta:
        model = Option

    group = SubFactory(OptionGroupFactory)
    name = Sequence(lambda number: f"선택지{number}")
    name_en = Sequence(lambda number: f"Option {number}")
    price_change_won = 0


@dataclass(frozen=True)
class Noodles:
    """평양랭면 with its two groups: 양 (보통/곱빼기, one) and 추가 (사리/계란, any)."""

    dish: Product
    portion: OptionGroup
    regular: Option
    large: Option
    extras: OptionGroup
    noodles: Option
    egg: Option


def add_noodle_options(dish: Product) -> Noodles:
    """Give ``dish`` 곱빼기 +2,000원, 사리 추가 +1,500원 and 계란 추가 +500원."""
    portion = OptionGroupFactory.create(
        product=dish, name="양", name_en="Portion", choice=OptionChoice.ONE
    )
    extras = OptionGroupFactory.create(
        product=dish, name="추가", name_en="Extras", choice=OptionChoice.ANY
    )
    return Noodles(
        dish=dish,
        portion=portion,
        regular=OptionFactory.create(group=portion, name="보통", name_en="Regular"),
        large=OptionFactory.create(
            group=portion, name="곱빼기", name_en="Large", price_change_won=2_000
        ),
        extras=extras,
        noodles=OptionFactory.create(
            group=extras,
            name="사리 추가",
            name_en="Extra noodles",
            price_change_won=1_500,
        ),
        egg=OptionFactory.create(
            group=extras, name="계란 추가", name_en="Extra egg", price_change_won=500
        ),
    )
