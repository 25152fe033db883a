from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F, Q, QuerySet

from okryu.catalog.models import Product
from okryu.merchants.models import Merchant, OpeningHours


def generate(*arguments: str) -> str:
    out = StringIO()
    call_command("generate_catalog", *arguments, stdout=out)
    return out.getvalue()


def synthetic_products() -> QuerySet[Product]:
    return Product.objects.filter(merchant__slug__startswith="synthetic-").order_by(
        "id"
    )


@pytest.mark.django_db
def test_generating_adds_exactly_the_requested_products_of_new_merchants():
    call_command("load_demo_data", stdout=StringIO())
    products_before = Product.objects.count()
    merchants_before = Merchant.objects.count()

    output = generate("--products", "500", "--seed", "3")

    added = synthetic_products()
    assert Product.objects.count() - products_before == 500
    assert Merchant.objects.count() - merchants_before == 3
    assert added.count() == 500
    assert not added.filter(Q(price_won__lte=0) | Q(weight_grams__lte=0)).exists()
    assert added.filter(category__children__isnull=False).count() == 0
    assert (
        added.exclude(stock_received=F("stock_on_hand") + F("stock_sold")).count() == 0
    )
    assert added.filter(search_text="").count() == 0
    assert OpeningHours.objects.filter(merchant__slug__startswith="synthetic-").exists()
    assert "Added 500 products of 3 new merchants" in output
    assert "seed 3" in output


@pytest.mark.django_db
def test_the_same_seed_adds_the_same_products_again_under_new_merchants():
    call_command("load_demo_data", stdout=StringIO())

    generate("--products", "50", "--seed", "11")
    generate("--products", "50", "--seed", "11")

    rows = list(synthetic_products().values_list("merchant__slug", "name", "price_won"))
    first, second = rows[:50], rows[50:]
    assert [row[1:] for row in first] == [row[1:] for row in second]
    assert {row[0] for row in first} == {"synthetic-000001"}
    assert {row[0] for row in second} == {"synthetic-000002"}


@pytest.mark.django_db
def test_generating_before_the_demo_data_is_refused_and_adds_nothing():
    with pytest.raises(CommandError, match="load_demo_data"):
        generate("--products", "10")

    assert Product.objects.count() == 0
    assert Merchant.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("count", ["0", "1000001"])
def test_a_product_count_out_of_range_is_refused(count):
    with pytest.raises(CommandError, match="--products"):
        generate("--products", count)

    assert Product.objects.count() == 0
